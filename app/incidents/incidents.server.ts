import { and, asc, eq, gte, inArray, isNull, lte, ne, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Executor } from '../../db/client.ts'
import {
  accessGrants,
  clusterMembers,
  clusterOfficers,
  incidentReferenceCounters,
  incidents,
  incidentTimeline,
  organisations,
  users,
} from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import { incidents as incidentTexts } from '../i18n/resources/incidents.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { calendarDate, DEFAULT_TIME_ZONE, localDateTimeToDate } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { validate, type FieldErrors } from '../lib/forms.ts'
import type { EventType } from '../notifications/event-types.ts'
import { emitEvent } from '../notifications/emit.server.ts'
import type { IncidentAudience } from '../notifications/recipients.server.ts'
import { loadActor } from '../policy/actor.server.ts'
import { authorize, can, canSeeIncident, type IncidentFacts } from '../policy/policy.server.ts'
import {
  appendTimeline,
  getVisibleIncident,
  grantIncidentToOrganisation,
  grantIncidentToUser,
  loadIncidentFacts,
  type IncidentRow,
} from './access.server.ts'
import {
  ACKNOWLEDGEMENT_DEADLINE_HOURS,
  availableTransitions,
  CLOSURE_REPORT_DEADLINE_DAYS,
  nextStatus,
  NOTIFICATION_DEADLINE_DAYS,
  TRANSITIONS,
  type IncidentStatus,
  type Transition,
} from './lifecycle.ts'
import {
  AssignmentSchema,
  ClosureReportSchema,
  CommentSchema,
  IncidentFormSchema,
  missingForSubmission,
  TransitionSchema,
  type IncidentFormValues,
} from './schemas.ts'
import { foldForSearch, meetsSeriousTest, rsitFor, SERIOUS_HARMS } from './taxonomy.ts'

// The core of an incident: filing the initial report (Form 03), editing it, the life cycle with
// the closure report (Form 04), assignment, comments, and the detail view with its deadlines
// (Circular 20/2017/TT-BTTTT). Every act validates, asks the policy, and writes the row, its
// timeline entry, the audit entry and the notification event in one transaction.

/** Grants naming a TLP:RED recipient; the edit form adds and removes exactly these. */
const RECIPIENT_GRANT = 'tlp_red_recipient'
const RESPONDING_GRANT = 'responding'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A transition the state machine has no arrow for, from the incident's current status: 409. */
export class IllegalTransitionError extends DomainError {
  constructor(
    readonly from: IncidentStatus,
    readonly transition: Transition,
  ) {
    super('conflict', 'incidents.errors.illegalTransition')
  }
  get to(): IncidentStatus {
    return TRANSITIONS[this.transition].to
  }
}

const fieldErrors = (errors: FieldErrors) => new DomainError('validation', 'errors.validation', { fieldErrors: errors })

// ---------------------------------------------------------------------------------------------
// Deadlines (Circular 20/2017): notify within 5 days of detection, acknowledge at once (24 h
// here), send the closure report within 5 days of the end of the response.

export type DeadlineState = 'met' | 'pending' | 'overdue' | 'not_applicable'
export interface Deadline {
  dueAt: Date | null
  metAt: Date | null
  state: DeadlineState
  /** Met, but after the due time. */
  late: boolean
}
export interface IncidentDeadlines {
  notification: Deadline
  acknowledgement: Deadline
  closureReport: Deadline
}

type DateLike = Date | string | null | undefined
const asDate = (v: DateLike) => (v ? (v instanceof Date ? v : new Date(v)) : null)
const HOUR = 3600_000
const DAY = 24 * HOUR

function deadline(start: DateLike, lengthMs: number, met: DateLike, now: Date): Deadline {
  const from = asDate(start)
  const metAt = asDate(met)
  if (!from) return { dueAt: null, metAt, state: 'not_applicable', late: false }
  const dueAt = new Date(from.getTime() + lengthMs)
  if (metAt) return { dueAt, metAt, state: 'met', late: metAt > dueAt }
  return { dueAt, metAt: null, state: now > dueAt ? 'overdue' : 'pending', late: false }
}

/** Pure: the three legal deadlines of an incident at `now` (also used for list badges). */
export function computeDeadlines(
  row: { detectedAt: DateLike; submittedAt: DateLike; acknowledgedAt: DateLike; resolvedAt: DateLike; closureSubmittedAt: DateLike },
  now: Date,
): IncidentDeadlines {
  return {
    notification: deadline(row.detectedAt, NOTIFICATION_DEADLINE_DAYS * DAY, row.submittedAt, now),
    acknowledgement: deadline(row.submittedAt, ACKNOWLEDGEMENT_DEADLINE_HOURS * HOUR, row.acknowledgedAt, now),
    closureReport: deadline(row.resolvedAt, CLOSURE_REPORT_DEADLINE_DAYS * DAY, row.closureSubmittedAt, now),
  }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

function parseIncidentId(raw: unknown): string {
  if (typeof raw !== 'string' || !UUID.test(raw)) throw new DomainError('not_found')
  return raw
}

/** Locks the row for the act, then loads it if the actor may see it (404 otherwise). */
async function loadForAct(tx: Executor, acting: ActingContext, rawId: unknown) {
  const id = parseIncidentId(rawId)
  await tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, id)).for('update')
  return getVisibleIncident(acting, id, tx)
}

/** Year of `now` in Vietnam, so a report filed on 1 January at 01:00 local is numbered in the new year. */
export async function allocateReference(tx: Executor, now: Date): Promise<string> {
  const year = Number(calendarDate(now, DEFAULT_TIME_ZONE).slice(0, 4))
  // One statement that inserts or increments and returns: concurrent filers wait on the row lock
  // and each gets its own number.
  const [row] = await tx
    .insert(incidentReferenceCounters)
    .values({ year, last: 1 })
    .onConflictDoUpdate({ target: incidentReferenceCounters.year, set: { last: sql`${incidentReferenceCounters.last} + 1` } })
    .returning({ last: incidentReferenceCounters.last })
  return `IR-${year}-${String(row!.last).padStart(6, '0')}`
}

function searchTextOf(v: {
  reference: string
  title: string
  description: string
  systemName: string | null
  systemDomains: string[]
  systemPublicIps: string[]
  category: string
}): string {
  const category = v.category as keyof typeof incidentTexts.vi.categories
  const labels = v.category ? [v.category, rsitFor(v.category), incidentTexts.vi.categories[category] ?? '', incidentTexts.en.categories[category] ?? ''] : []
  return foldForSearch(
    [v.reference, v.title, v.description, v.systemName ?? '', ...v.systemDomains, ...v.systemPublicIps, ...labels].join(' '),
  )
}

type ReportColumns = ReturnType<typeof reportColumns>

function reportColumns(v: IncidentFormValues, detectedAt: Date | null) {
  const harms = Object.fromEntries(SERIOUS_HARMS.map((h) => [h, v.seriousHarms.includes(h)])) as Record<(typeof SERIOUS_HARMS)[number], boolean>
  return {
    title: v.title,
    description: v.description ?? '',
    detectedAt,
    handled: v.handled,
    detectionMethods: v.detectionMethods,
    detectionDetail: v.detectionDetail,
    alreadyNotified: v.alreadyNotified,
    // Drafts may leave the category open; the column holds '' until the report is submitted.
    category: v.category ?? '',
    severity: v.severity,
    serious: meetsSeriousTest({
      systemLevel: v.systemLevel,
      criticalNationalSystem: v.criticalNationalSystem,
      harms,
      beyondOwnerCapacity: v.beyondOwnerCapacity,
    }),
    seriousCriteria: { criticalNationalSystem: v.criticalNationalSystem, beyondOwnerCapacity: v.beyondOwnerCapacity, ...harms },
    tlp: v.tlp,
    pap: v.pap,
    confidential: v.confidential,
    contactName: v.contactName,
    contactTitle: v.contactTitle,
    contactPhone: v.contactPhone,
    contactEmail: v.contactEmail,
    systemName: v.systemName,
    systemDomains: v.systemDomains,
    systemPublicIps: v.systemPublicIps,
    systemLevel: v.systemLevel,
    systemOwner: v.systemOwner,
    systemOperator: v.systemOperator,
    systemIsp: v.systemIsp,
    securityProvider: v.securityProvider,
    environmentOs: v.environmentOs,
    environmentServices: v.environmentServices,
    environmentControls: v.environmentControls,
    supportRequested: v.supportRequested,
  }
}

const present = (v: unknown) => (typeof v === 'string' ? v.trim() !== '' : Array.isArray(v) ? v.length > 0 : Boolean(v))

/**
 * Parses the report form. With `submit` (a report that is or will be sent), also checks the
 * essentials of Form 03, reporting every problem at once (format errors and missing fields), so
 * the reporter fixes the form in one go.
 */
function parseReport(input: unknown, opts: { submit: boolean; timeZone: string; now: Date }) {
  let values: IncidentFormValues | null = null
  let errors: FieldErrors = {}
  try {
    values = validate(IncidentFormSchema, input)
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    errors = { ...error.details.fieldErrors }
  }
  let detectedAt: Date | null = null
  if (values?.detectedAt) {
    detectedAt = localDateTimeToDate(values.detectedAt, opts.timeZone)
    if (!detectedAt) errors.detectedAt = ['incidents.validation.dateTime']
    else if (detectedAt > opts.now) errors.detectedAt = ['incidents.validation.detectedInFuture']
  }
  if (opts.submit) {
    // With format errors there are no parsed values: judge presence on the raw input instead.
    const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>
    const given = (k: string) => (present(raw[k]) ? String(raw[k]) : null)
    const source = values
      ? { ...values, detectedAt }
      : {
          title: given('title'),
          category: given('category'),
          // The severity has a default; a bad one is already a format error.
          severity: 'medium',
          description: given('description'),
          detectedAt: given('detectedAt'),
          contactName: given('contactName'),
          contactEmail: given('contactEmail'),
          contactPhone: given('contactPhone'),
          systemName: given('systemName'),
        }
    for (const [field, messages] of Object.entries(missingForSubmission(source))) errors[field] ??= messages
  }
  if (Object.keys(errors).length > 0 || !values) throw fieldErrors(errors)
  return { values, detectedAt }
}

/** Organisations whose staff coordinate this organisation's cluster(s) in the current term. */
async function clusterCoordinatorOrganisations(db: Executor, organisationId: string, now: Date): Promise<string[]> {
  const today = calendarDate(now)
  const rows = await db
    .selectDistinct({ organisationId: clusterOfficers.organisationId })
    .from(clusterOfficers)
    .innerJoin(clusterMembers, eq(clusterMembers.clusterId, clusterOfficers.clusterId))
    .where(
      and(
        eq(clusterMembers.organisationId, organisationId),
        lte(clusterMembers.since, today),
        or(isNull(clusterMembers.until), gte(clusterMembers.until, today)),
        lte(clusterOfficers.termStart, today),
        gte(clusterOfficers.termEnd, today),
      ),
    )
  return rows.map((r) => r.organisationId)
}

export interface RecipientOption {
  id: string
  name: string
  organisationName: string
  role: (typeof users.$inferSelect)['role']
}

/**
 * People a reporter may name as TLP:RED recipients: their own organisation's staff, the staff
 * who coordinate its cluster (lead and deputy, current term), and the national CERT's analysts.
 */
async function nameableRecipients(db: Executor, reportingOrganisationId: string, now: Date): Promise<RecipientOption[]> {
  const coordinators = await clusterCoordinatorOrganisations(db, reportingOrganisationId, now)
  const who = [
    eq(users.organisationId, reportingOrganisationId),
    and(eq(organisations.kind, 'national_cert'), eq(users.role, 'cert_analyst')),
  ]
  if (coordinators.length > 0) who.push(and(inArray(users.organisationId, coordinators), inArray(users.role, ['responder', 'org_admin'])))
  const rows = await db
    .select({ id: users.id, name: users.name, organisationId: users.organisationId, organisationName: organisations.shortName, role: users.role })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(eq(users.status, 'active'), eq(organisations.active, true), or(...who)))
  // The reporter's own organisation first, then the others, each in Vietnamese order.
  const other = (r: { organisationId: string }) => (r.organisationId === reportingOrganisationId ? 0 : 1)
  return rows
    .sort((a, b) => other(a) - other(b) || a.organisationName.localeCompare(b.organisationName, 'vi') || a.name.localeCompare(b.name, 'vi'))
    .map(({ organisationId: _organisationId, ...r }) => r)
}

async function checkRecipients(db: Executor, reportingOrganisationId: string, recipientIds: string[], now: Date) {
  if (recipientIds.length === 0) return []
  const allowed = new Set((await nameableRecipients(db, reportingOrganisationId, now)).map((r) => r.id))
  if (!recipientIds.every((id) => allowed.has(id))) throw fieldErrors({ recipientIds: ['incidents.validation.recipient'] })
  return recipientIds
}

async function recipientGrants(db: Executor, incidentId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: accessGrants.granteeUserId })
    .from(accessGrants)
    .where(and(eq(accessGrants.objectType, 'incident'), eq(accessGrants.objectId, incidentId), eq(accessGrants.reason, RECIPIENT_GRANT)))
  return rows.flatMap((r) => (r.userId ? [r.userId] : []))
}

/**
 * Makes the named recipients exactly `wanted`. A label other than RED names nobody, so its
 * recipient grants go: otherwise they would keep opening an AMBER+STRICT item to outsiders.
 */
async function syncRecipients(tx: Executor, acting: ActingContext, incidentId: string, wanted: string[]) {
  const current = await recipientGrants(tx, incidentId)
  const removed = current.filter((id) => !wanted.includes(id))
  const added = wanted.filter((id) => !current.includes(id))
  if (removed.length > 0) {
    await tx
      .delete(accessGrants)
      .where(
        and(
          eq(accessGrants.objectType, 'incident'),
          eq(accessGrants.objectId, incidentId),
          eq(accessGrants.reason, RECIPIENT_GRANT),
          inArray(accessGrants.granteeUserId, removed),
        ),
      )
  }
  for (const userId of added) await grantIncidentToUser(tx, acting, incidentId, userId, RECIPIENT_GRANT)
  return { added, removed }
}

function link(id: string) {
  return `/incidents/${id}`
}

async function emitIncidentEvent(tx: Executor, acting: ActingContext, row: IncidentRow, type: EventType, audience: IncidentAudience) {
  await emitEvent(tx, acting.services, {
    type,
    objectType: 'incident',
    objectId: row.id,
    organisationId: row.reportingOrganisationId,
    actorUserId: acting.actor.userId,
    tlp: row.tlp,
    payload: { incidentId: row.id, reference: row.reference, title: row.title, link: link(row.id), audience },
  })
}

/** Those who follow the incident's life cycle. */
function followers(row: IncidentRow): IncidentAudience {
  return {
    organisations: [{ id: row.reportingOrganisationId }],
    users: [row.createdBy, row.assignedUserId].filter((u): u is string => Boolean(u)),
    nationalCertTriagers: row.escalatedAt !== null,
  }
}

/** The report goes out: it becomes visible beyond its author's organisation (as TLP allows). */
async function file(tx: Executor, acting: ActingContext, row: IncidentRow) {
  await appendTimeline(tx, acting, row.id, { kind: 'filed', data: { reference: row.reference } })
  await emitIncidentEvent(tx, acting, row, 'incident.filed', {
    organisations: [{ id: row.reportingOrganisationId }],
    clusterCoordinatorsOf: row.reportingOrganisationId,
    nationalCertTriagers: true,
  })
}

function missingOnRow(row: IncidentRow) {
  return missingForSubmission({ ...row, category: row.category || null, description: row.description || null })
}

// ---------------------------------------------------------------------------------------------
// Filing and editing

export interface ReportOptions {
  /** Submit the report now (otherwise it is saved as a draft). */
  submit?: boolean
  /** Zone in which the form's local date-times are read. */
  timeZone?: string
}

/** Files (or drafts) an initial report for the actor's organisation. */
export async function createIncident(acting: ActingContext, input: unknown, opts: ReportOptions = {}) {
  authorize(acting.actor, { action: 'incident.create' })
  const now = acting.services.now()
  const submit = Boolean(opts.submit)
  const { values, detectedAt } = parseReport(input, { submit, timeZone: opts.timeZone ?? DEFAULT_TIME_ZONE, now })
  const organisationId = acting.actor.organisationId
  return acting.services.db.transaction(async (tx) => {
    const recipients =
      values.tlp === 'RED' ? await checkRecipients(tx, organisationId, values.recipientIds.filter((id) => id !== acting.actor.userId), now) : []
    const reference = await allocateReference(tx, now)
    const columns = reportColumns(values, detectedAt)
    const [row] = await tx
      .insert(incidents)
      .values({
        ...columns,
        reference,
        status: submit ? 'new' : 'draft',
        reportingOrganisationId: organisationId,
        createdBy: acting.actor.userId,
        submittedAt: submit ? now : null,
        searchText: searchTextOf({ ...columns, reference }),
        createdAt: now,
        updatedAt: now,
      })
      .returning()
    for (const userId of recipients) await grantIncidentToUser(tx, acting, row!.id, userId, RECIPIENT_GRANT)
    await auditAs(tx, acting, {
      action: submit ? 'incident.filed' : 'incident.drafted',
      objectType: 'incident',
      objectId: row!.id,
      objectOrganisationId: organisationId,
      details: { reference, tlp: row!.tlp, severity: row!.severity, serious: row!.serious, recipients },
    })
    if (submit) await file(tx, acting, row!)
    return { id: row!.id, reference, status: row!.status }
  })
}

/** Stable form of a value for "did it change?" (jsonb does not keep key order). */
function canonical(v: unknown): string {
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${k}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v ?? null)
}

/**
 * Edits the report (policy `incident.edit`). With `submit`, a draft is also submitted, in the
 * same transaction. The timeline names the changed fields, never their values.
 */
export async function updateIncident(acting: ActingContext, rawId: string, input: unknown, opts: ReportOptions = {}) {
  const now = acting.services.now()
  const submit = Boolean(opts.submit)
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await loadForAct(tx, acting, rawId)
    authorize(acting.actor, { action: 'incident.edit', incident: facts })
    if (submit) {
      if (row.status !== 'draft') throw new IllegalTransitionError(row.status, 'submit')
      authorize(acting.actor, { action: 'incident.transition', incident: facts, transition: 'submit' })
    }
    // A report that has gone out keeps the essentials of Form 03; only a draft may lack them.
    const complete = submit || row.status !== 'draft'
    const { values, detectedAt } = parseReport(input, { submit: complete, timeZone: opts.timeZone ?? DEFAULT_TIME_ZONE, now })
    const wanted =
      values.tlp === 'RED'
        ? await checkRecipients(tx, row.reportingOrganisationId, values.recipientIds.filter((id) => id !== row.createdBy), now)
        : []
    const columns = reportColumns(values, detectedAt)
    const changed = (Object.keys(columns) as (keyof ReportColumns)[]).filter((k) => canonical(row[k]) !== canonical(columns[k]))
    const recipients = await syncRecipients(tx, acting, row.id, wanted)
    if (recipients.added.length > 0 || recipients.removed.length > 0) changed.push('recipients' as keyof ReportColumns)
    const [updated] = await tx
      .update(incidents)
      .set({
        ...columns,
        searchText: searchTextOf({ ...columns, reference: row.reference }),
        updatedAt: now,
        ...(submit ? { status: 'new' as const, submittedAt: now } : {}),
      })
      .where(eq(incidents.id, row.id))
      .returning()
    if (changed.length > 0) {
      await appendTimeline(tx, acting, row.id, { kind: 'updated', data: { fields: changed } })
    }
    await auditAs(tx, acting, {
      action: 'incident.updated',
      objectType: 'incident',
      objectId: row.id,
      objectOrganisationId: row.reportingOrganisationId,
      details: { fields: changed, recipientsAdded: recipients.added, recipientsRemoved: recipients.removed },
    })
    if (submit) {
      await auditAs(tx, acting, {
        action: 'incident.filed',
        objectType: 'incident',
        objectId: row.id,
        objectOrganisationId: row.reportingOrganisationId,
        details: { reference: row.reference, from: 'draft', to: 'new' },
      })
      await file(tx, acting, updated!)
    }
    return { id: row.id, changed, status: updated!.status }
  })
}

// ---------------------------------------------------------------------------------------------
// The life cycle

function closureInputGiven(input: unknown): boolean {
  if (typeof input !== 'object' || input === null) return false
  return ['closureWhatHappened', 'closureResolution', 'closurePrevention'].some((k) => k in input)
}

/**
 * Moves the incident along the state machine (app/incidents/lifecycle.ts). Not visible → 404;
 * no such arrow from the current status → 409 naming both statuses; not allowed → 403.
 * `close` needs the closure report (Form 04): stored earlier, or given here as `input`.
 */
export async function transitionIncident(acting: ActingContext, rawId: string, rawTransition: unknown, input?: unknown) {
  const transition = validate(TransitionSchema, rawTransition)
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await loadForAct(tx, acting, rawId)
    const to = nextStatus(row.status, transition)
    if (!to) throw new IllegalTransitionError(row.status, transition)
    authorize(acting.actor, { action: 'incident.transition', incident: facts, transition })

    const set: Partial<typeof incidents.$inferInsert> = { status: to, updatedAt: now }
    let report: { closureWhatHappened: string; closureResolution: string; closurePrevention: string } | null = null
    switch (transition) {
      case 'submit': {
        const missing = missingOnRow(row)
        if (Object.keys(missing).length > 0) {
          throw new DomainError('validation', 'incidents.errors.incomplete', { fieldErrors: missing })
        }
        set.submittedAt = now
        break
      }
      case 'acknowledge':
        set.acknowledgedAt = now
        break
      case 'investigate':
        // Taking the incident up from "new" acknowledges its receipt as well.
        set.acknowledgedAt = row.acknowledgedAt ?? now
        break
      case 'resolve':
        set.resolvedAt = now
        break
      case 'close':
        if (closureInputGiven(input)) report = validate(ClosureReportSchema, input)
        else if (!row.closureSubmittedAt) throw new DomainError('conflict', 'incidents.errors.closureReportRequired')
        // The close form sends the report again: unchanged, it is not a new report.
        if (report && row.closureSubmittedAt && sameClosureReport(row, report)) report = null
        if (report) Object.assign(set, report, { closureSubmittedAt: row.closureSubmittedAt ?? now })
        set.closedAt = now
        break
      case 'reopen':
        // A new resolution will need its own closure report; the old text stays as a starting point.
        set.closedAt = null
        set.resolvedAt = null
        set.closureSubmittedAt = null
        break
      case 'contain':
        break
    }
    const [updated] = await tx.update(incidents).set(set).where(eq(incidents.id, row.id)).returning()
    if (report) await appendTimeline(tx, acting, row.id, { kind: 'closure_report' })
    const kind = transition === 'submit' ? null : transition === 'acknowledge' ? 'acknowledged' : transition === 'reopen' ? 'reopened' : 'status_changed'
    if (kind) await appendTimeline(tx, acting, row.id, { kind, data: { from: row.status, to, transition } })
    await auditAs(tx, acting, {
      action: transition === 'submit' ? 'incident.filed' : 'incident.transitioned',
      objectType: 'incident',
      objectId: row.id,
      objectOrganisationId: row.reportingOrganisationId,
      details: { transition, from: row.status, to, closureReport: Boolean(report) },
    })
    if (transition === 'submit') await file(tx, acting, updated!)
    else await emitIncidentEvent(tx, acting, updated!, transition === 'acknowledge' ? 'incident.acknowledged' : 'incident.status_changed', followers(updated!))
    return { id: row.id, from: row.status, to }
  })
}

function sameClosureReport(
  row: { closureWhatHappened: string | null; closureResolution: string | null; closurePrevention: string | null },
  report: { closureWhatHappened: string; closureResolution: string; closurePrevention: string },
) {
  return (
    row.closureWhatHappened === report.closureWhatHappened &&
    row.closureResolution === report.closureResolution &&
    row.closurePrevention === report.closurePrevention
  )
}

/**
 * The closure report (Form 04) on its own, once the incident is resolved and before it is
 * closed. Saving it again corrects the text; the deadline counts the first submission.
 */
export async function submitClosureReport(acting: ActingContext, rawId: string, input: unknown) {
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await loadForAct(tx, acting, rawId)
    if (row.status !== 'resolved') throw new DomainError('conflict', 'incidents.errors.closureReportNotResolved')
    authorize(acting.actor, { action: 'incident.transition', incident: facts, transition: 'close' })
    const report = validate(ClosureReportSchema, input)
    await tx
      .update(incidents)
      .set({ ...report, closureSubmittedAt: row.closureSubmittedAt ?? now, updatedAt: now })
      .where(eq(incidents.id, row.id))
    await appendTimeline(tx, acting, row.id, { kind: 'closure_report', data: { corrected: row.closureSubmittedAt !== null } })
    await auditAs(tx, acting, {
      action: 'incident.closure_report',
      objectType: 'incident',
      objectId: row.id,
      objectOrganisationId: row.reportingOrganisationId,
      details: { corrected: row.closureSubmittedAt !== null },
    })
    return { id: row.id }
  })
}

// ---------------------------------------------------------------------------------------------
// Assignment and comments

/**
 * Assigns a person and/or a responding organisation (policy `incident.assign`). The responding
 * organisation is granted access; a person must be able to see the incident once it is done.
 */
export async function assignIncident(acting: ActingContext, rawId: string, input: unknown) {
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await loadForAct(tx, acting, rawId)
    authorize(acting.actor, { action: 'incident.assign', incident: facts })
    const v = validate(AssignmentSchema, input)
    const orgChanged = v.respondingOrganisationId !== row.respondingOrganisationId
    const userChanged = v.assignedUserId !== row.assignedUserId
    if (!orgChanged && !userChanged) return { id: row.id, changed: false }

    let organisationName: string | null = null
    if (v.respondingOrganisationId && orgChanged) {
      const [org] = await tx
        .select({ id: organisations.id, shortName: organisations.shortName, active: organisations.active })
        .from(organisations)
        .where(eq(organisations.id, v.respondingOrganisationId))
      if (!org || !org.active) throw fieldErrors({ respondingOrganisationId: ['incidents.validation.organisation'] })
      organisationName = org.shortName
      await grantIncidentToOrganisation(tx, acting, row.id, org.id, RESPONDING_GRANT)
    }
    let assigneeName: string | null = null
    if (v.assignedUserId && userChanged) {
      const [user] = await tx.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, v.assignedUserId))
      const assignee = user ? await loadActor(tx, user.id, now) : null
      const after = await loadIncidentFacts(tx, row.id)
      const futureFacts: IncidentFacts | null = after
        ? { ...after.facts, assignedUserId: v.assignedUserId, respondingOrganisationId: v.respondingOrganisationId }
        : null
      if (!assignee || !futureFacts || !canSeeIncident(assignee, futureFacts)) {
        throw fieldErrors({ assignedUserId: ['incidents.validation.assigneeCannotSee'] })
      }
      assigneeName = user!.name
    }
    const [updated] = await tx
      .update(incidents)
      .set({ assignedUserId: v.assignedUserId, respondingOrganisationId: v.respondingOrganisationId, updatedAt: now })
      .where(eq(incidents.id, row.id))
      .returning()
    const data = {
      assignedUserId: v.assignedUserId,
      assignedUserName: v.assignedUserId ? (assigneeName ?? undefined) : null,
      respondingOrganisationId: v.respondingOrganisationId,
      respondingOrganisationName: v.respondingOrganisationId ? (organisationName ?? undefined) : null,
      userChanged,
      organisationChanged: orgChanged,
    }
    await appendTimeline(tx, acting, row.id, { kind: 'assigned', data })
    await auditAs(tx, acting, {
      action: 'incident.assigned',
      objectType: 'incident',
      objectId: row.id,
      objectOrganisationId: row.reportingOrganisationId,
      details: {
        assignedUserId: { from: row.assignedUserId, to: v.assignedUserId },
        respondingOrganisationId: { from: row.respondingOrganisationId, to: v.respondingOrganisationId },
      },
    })
    const audience: IncidentAudience = {
      users: userChanged && v.assignedUserId ? [v.assignedUserId] : [],
      organisations: orgChanged && v.respondingOrganisationId ? [{ id: v.respondingOrganisationId }] : [],
    }
    if (audience.users!.length > 0 || audience.organisations!.length > 0) {
      await emitIncidentEvent(tx, acting, updated!, 'incident.assigned', audience)
    }
    return { id: row.id, changed: true }
  })
}

/**
 * A comment (policy `incident.comment`). An internal note is seen only by the author's
 * organisation, in the timeline and in notifications.
 */
export async function addComment(acting: ActingContext, rawId: string, input: unknown) {
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await getVisibleIncident(acting, parseIncidentId(rawId), tx)
    authorize(acting.actor, { action: 'incident.comment', incident: facts })
    const v = validate(CommentSchema, input)
    const entryId = await appendTimeline(tx, acting, row.id, { kind: 'comment', body: v.body, internal: v.internal })
    await auditAs(tx, acting, {
      action: 'incident.commented',
      objectType: 'incident',
      objectId: row.id,
      objectOrganisationId: row.reportingOrganisationId,
      details: { timelineEntryId: entryId, internal: v.internal },
    })
    const base = followers(row)
    const audience: IncidentAudience = v.internal
      ? { ...base, organisations: [{ id: acting.actor.organisationId }], internalToOrganisationId: acting.actor.organisationId }
      : {
          ...base,
          organisations: [
            ...base.organisations!,
            ...(row.respondingOrganisationId ? [{ id: row.respondingOrganisationId }] : []),
          ],
        }
    await emitIncidentEvent(tx, acting, row, 'incident.comment_added', audience)
    return { id: row.id, entryId }
  })
}

// ---------------------------------------------------------------------------------------------
// Reading

const reportingOrg = alias(organisations, 'reporting_org')
const respondingOrg = alias(organisations, 'responding_org')
const creator = alias(users, 'creator')
const assignedUser = alias(users, 'assigned_user')
const escalator = alias(users, 'escalator')
const analyst = alias(users, 'analyst')

/** The transitions offered to this actor now (buttons), in the state machine's order. */
function transitionsFor(acting: ActingContext, status: IncidentStatus, facts: IncidentFacts): Transition[] {
  return availableTransitions(status).filter((t) => can(acting.actor, { action: 'incident.transition', incident: facts, transition: t }))
}

/**
 * Everything the incident page shows: the report with names joined in, the deadlines, the
 * timeline (internal notes only for their organisation, filtered in SQL), the named recipients,
 * and what this actor may do.
 */
export async function getIncidentDetail(acting: ActingContext, rawId: string) {
  const db = acting.services.db
  const { row, facts } = await getVisibleIncident(acting, parseIncidentId(rawId))
  const now = acting.services.now()
  const [names] = await db
    .select({
      reportingOrganisationName: reportingOrg.shortName,
      reportingOrganisationNameVi: reportingOrg.nameVi,
      reportingOrganisationNameEn: reportingOrg.nameEn,
      createdByName: creator.name,
      assignedUserName: assignedUser.name,
      respondingOrganisationName: respondingOrg.shortName,
      escalatedByName: escalator.name,
      triageAnalystName: analyst.name,
    })
    .from(incidents)
    .innerJoin(reportingOrg, eq(reportingOrg.id, incidents.reportingOrganisationId))
    .innerJoin(creator, eq(creator.id, incidents.createdBy))
    .leftJoin(assignedUser, eq(assignedUser.id, incidents.assignedUserId))
    .leftJoin(respondingOrg, eq(respondingOrg.id, incidents.respondingOrganisationId))
    .leftJoin(escalator, eq(escalator.id, incidents.escalatedBy))
    .leftJoin(analyst, eq(analyst.id, incidents.triageAnalystId))
    .where(eq(incidents.id, row.id))

  const timeline = await db
    .select({
      id: incidentTimeline.id,
      kind: incidentTimeline.kind,
      at: incidentTimeline.at,
      body: incidentTimeline.body,
      data: incidentTimeline.data,
      internal: sql<boolean>`${incidentTimeline.internalToOrganisationId} is not null`,
      actorName: users.name,
      actorOrganisationName: organisations.shortName,
    })
    .from(incidentTimeline)
    .leftJoin(users, eq(users.id, incidentTimeline.actorUserId))
    .leftJoin(organisations, eq(organisations.id, incidentTimeline.actorOrganisationId))
    .where(
      and(
        eq(incidentTimeline.incidentId, row.id),
        or(isNull(incidentTimeline.internalToOrganisationId), eq(incidentTimeline.internalToOrganisationId, acting.actor.organisationId)),
      ),
    )
    .orderBy(asc(incidentTimeline.at), asc(incidentTimeline.seq))

  const recipients =
    row.tlp === 'RED'
      ? await db
          .select({ id: users.id, name: users.name, organisationName: organisations.shortName })
          .from(accessGrants)
          .innerJoin(users, eq(users.id, accessGrants.granteeUserId))
          .innerJoin(organisations, eq(organisations.id, users.organisationId))
          .where(and(eq(accessGrants.objectType, 'incident'), eq(accessGrants.objectId, row.id), eq(accessGrants.reason, RECIPIENT_GRANT)))
          .orderBy(asc(users.name))
      : []

  const actor = acting.actor
  const transitions = transitionsFor(acting, row.status, facts)
  const permissions = {
    edit: can(actor, { action: 'incident.edit', incident: facts }),
    comment: can(actor, { action: 'incident.comment', incident: facts }),
    assign: can(actor, { action: 'incident.assign', incident: facts }),
    attach: can(actor, { action: 'incident.attach', incident: facts }),
    escalate: can(actor, { action: 'incident.escalate', incident: facts }),
    requestCoordination: can(actor, { action: 'incident.requestCoordination', incident: facts }),
    triage: can(actor, { action: 'incident.triage', incident: facts }),
    provideInfo: can(actor, { action: 'incident.provideInfo', incident: facts }),
    closureReport: row.status === 'resolved' && can(actor, { action: 'incident.transition', incident: facts, transition: 'close' }),
  }
  const { searchText: _searchText, searchVector: _searchVector, ...incident } = row
  return {
    incident: { ...incident, ...names!, rsit: row.category ? rsitFor(row.category) : null },
    deadlines: computeDeadlines(row, now),
    timeline,
    recipients,
    permissions,
    transitions,
  }
}
export type IncidentDetail = Awaited<ReturnType<typeof getIncidentDetail>>

/** What the new-report form needs: the reporter's own contact details and the people they may name. */
export async function newIncidentForm(acting: ActingContext) {
  authorize(acting.actor, { action: 'incident.create' })
  const db = acting.services.db
  const [me] = await db
    .select({ name: users.name, title: users.title, phone: users.phone, email: users.email })
    .from(users)
    .where(eq(users.id, acting.actor.userId))
  const recipientOptions = (await nameableRecipients(db, acting.actor.organisationId, acting.services.now())).filter(
    (r) => r.id !== acting.actor.userId,
  )
  return { contact: me!, recipientOptions }
}

/** The incident as the edit form shows it (policy `incident.edit`; 404 when not visible). */
export async function getIncidentForEdit(acting: ActingContext, rawId: string) {
  const { row, facts } = await getVisibleIncident(acting, parseIncidentId(rawId))
  authorize(acting.actor, { action: 'incident.edit', incident: facts })
  const db = acting.services.db
  const recipientIds = await recipientGrants(db, row.id)
  const recipientOptions = (await nameableRecipients(db, row.reportingOrganisationId, acting.services.now())).filter((r) => r.id !== row.createdBy)
  const { searchText: _searchText, searchVector: _searchVector, ...incident } = row
  return {
    incident,
    recipientIds,
    recipientOptions,
    canSubmit: can(acting.actor, { action: 'incident.transition', incident: facts, transition: 'submit' }),
  }
}

/**
 * Choices for the assignment form: active responders and admins of the organisations involved
 * (reporting, responding, the actor's own), and the active organisations of the network. The
 * server still checks that the person chosen can see the incident.
 */
export async function assignmentOptions(acting: ActingContext, rawId: string) {
  const { row, facts } = await getVisibleIncident(acting, parseIncidentId(rawId))
  authorize(acting.actor, { action: 'incident.assign', incident: facts })
  const db = acting.services.db
  const orgIds = [...new Set([row.reportingOrganisationId, row.respondingOrganisationId, acting.actor.organisationId].filter((x): x is string => Boolean(x)))]
  const people = await db
    .select({ id: users.id, name: users.name, organisationName: organisations.shortName, role: users.role })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(inArray(users.organisationId, orgIds), eq(users.status, 'active'), ne(users.role, 'sysadmin')))
    .orderBy(asc(organisations.shortName), asc(users.name))
  const orgs = await db
    .select({ id: organisations.id, shortName: organisations.shortName })
    .from(organisations)
    .where(eq(organisations.active, true))
    .orderBy(asc(organisations.shortName))
  return { people, organisations: orgs }
}
