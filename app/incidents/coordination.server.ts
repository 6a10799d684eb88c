import { and, asc, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import type { Executor } from '../../db/client.ts'
import { coordinationRequests, incidents, organisations, users } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { dateToLocalDateTime, DEFAULT_TIME_ZONE, isValidTimeZone, localDateTimeToDate, wallClockParts } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { requiredText, validate } from '../lib/forms.ts'
import { emitEvent } from '../notifications/emit.server.ts'
import type { Actor } from '../policy/actor.ts'
import { authorize, can, canSeeIncident, mayIssueCoordinationRequests, visibleIncidentsWhere, type IncidentFacts } from '../policy/policy.server.ts'
import { sortVietnamese } from '../orgs/shared.server.ts'
import { appendTimeline, getVisibleIncident, grantIncidentToOrganisation, loadIncidentFacts } from './access.server.ts'
import { authorizeInState, incidentEvent, lockVisibleIncident } from './escalation.server.ts'

// Coordination requests (lệnh điều phối, Form 06): the national CERT asks one or more member
// organisations to act on an incident by a date. Each recipient organisation gets its own
// request (acknowledged and answered separately) and a grant on the incident so it can open it.
// A cluster's lead and deputy use the same request to ask the cluster's other members for
// support on a member's incident (the policy's coordination.requestFrom says who may ask whom).
//
// Who sees a request: the recipient organisation's staff and the issuing organisation's
// triagers or cluster coordinators. Anyone else — the reporting organisation included — gets a 404: a request names
// what the national CERT asked one member, which is that member's business. The incident's
// shared timeline therefore records that a request was made, acknowledged or answered, with
// the organisations involved, but not the request's or the answer's text.

const MAX_RECIPIENTS = 100

// ---------------------------------------------------------------------------------------------
// Local date-time fields (<input type="datetime-local">), read in the user's time zone

/** '2026-05-04T17:00' as a wall-clock time in `timeZone`, as an instant; null if not a real time.
 *  A due date is also held to this millennium: a mistyped year is an error, not a far deadline. */
export function fromLocalDateTime(value: string, timeZone: string = DEFAULT_TIME_ZONE): Date | null {
  const trimmed = value.trim()
  const parts = wallClockParts(trimmed)
  if (!parts || parts.y < 2000 || parts.y > 2999) return null
  return localDateTimeToDate(trimmed, isValidTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE)
}

/** The value for a datetime-local input showing `date` in `timeZone`. */
export function toLocalDateTime(date: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  return dateToLocalDateTime(date, isValidTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE)
}

// ---------------------------------------------------------------------------------------------
// Issuing

const idList = z.preprocess(
  (v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]),
  z
    .array(z.string().trim().uuid('triage.validation.unknownOrganisation'), { error: 'triage.validation.recipients' })
    .min(1, 'triage.validation.recipients')
    .max(MAX_RECIPIENTS, 'validation.tooLong')
    .transform((ids) => [...new Set(ids)]),
)

function requestSchema(now: Date, timeZone: string) {
  return z.object({
    organisationIds: idList,
    request: requiredText(8000),
    dueAt: z
      .string({ error: 'validation.required' })
      .trim()
      .min(1, { error: 'validation.required', abort: true })
      .transform((v, ctx) => {
        const at = fromLocalDateTime(v, timeZone)
        if (!at) {
          ctx.addIssue({ code: 'custom', message: 'triage.validation.dateTime' })
          return z.NEVER
        }
        return at
      })
      .refine((at) => at.getTime() > now.getTime(), 'triage.validation.dueInPast'),
  })
}

const fieldError = (field: string, key: string) => new DomainError('validation', 'errors.validation', { fieldErrors: { [field]: [key] } })

/**
 * Organisations a coordination request on this incident may go to: for the national CERT every
 * active one but its own, for a cluster coordinator the cluster's other members.
 */
export async function coordinationRecipientOptions(acting: ActingContext, incident: IncidentFacts) {
  const rows = await acting.services.db
    .select({ id: organisations.id, shortName: organisations.shortName, nameVi: organisations.nameVi, nameEn: organisations.nameEn, kind: organisations.kind })
    .from(organisations)
    .where(and(eq(organisations.active, true), ne(organisations.id, acting.actor.organisationId)))
  const allowed = rows.filter((r) => can(acting.actor, { action: 'coordination.requestFrom', organisationId: r.id, incident }))
  return sortVietnamese(allowed, (r) => r.shortName)
}

/** The Form 06 page: 404 unless visible, 403 unless the actor may ever issue requests on it. */
export async function getCoordinationForm(acting: ActingContext, rawIncidentId: unknown, opts: { timeZone?: string } = {}) {
  const parsed = z.uuid().safeParse(rawIncidentId)
  if (!parsed.success) throw new DomainError('not_found')
  const { row, facts } = await getVisibleIncident(acting, parsed.data)
  const canIssue = can(acting.actor, { action: 'incident.requestCoordination', incident: facts }) && row.tlp !== 'RED'
  if (!canIssue) authorize(acting.actor, { action: 'incident.requestCoordination', incident: { ...facts, status: 'investigating' } })
  const [org] = await acting.services.db.select({ shortName: organisations.shortName }).from(organisations).where(eq(organisations.id, row.reportingOrganisationId))
  const now = acting.services.now()
  return {
    incident: { id: row.id, reference: row.reference, title: row.title, tlp: row.tlp, status: row.status, reportingOrganisationId: row.reportingOrganisationId, reportingOrganisation: org?.shortName ?? '' },
    canIssue,
    recipients: canIssue ? await coordinationRecipientOptions(acting, facts) : [],
    // A working default: three days from now, on the hour, in the user's zone.
    defaultDueAt: toLocalDateTime(new Date(Math.ceil((now.getTime() + 3 * 24 * 3600 * 1000) / 3600000) * 3600000), opts.timeZone),
  }
}

export async function issueCoordinationRequest(acting: ActingContext, rawIncidentId: unknown, input: unknown, opts: { timeZone?: string } = {}) {
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await lockVisibleIncident(tx, acting, rawIncidentId)
    authorizeInState(
      acting.actor,
      { action: 'incident.requestCoordination', incident: facts },
      { action: 'incident.requestCoordination', incident: { ...facts, status: 'investigating' } },
      'triage.errors.cannotCoordinate',
    )
    // A grant to an organisation does not open TLP:RED (it names people), so the recipients
    // could neither open the incident nor be told of the request.
    if (row.tlp === 'RED') throw new DomainError('conflict', 'triage.errors.redCoordination')
    const now = acting.services.now()
    const values = validate(requestSchema(now, opts.timeZone ?? DEFAULT_TIME_ZONE), input)
    const known = await tx
      .select({ id: organisations.id })
      .from(organisations)
      .where(and(inArray(organisations.id, values.organisationIds), eq(organisations.active, true), ne(organisations.id, acting.actor.organisationId)))
    if (known.length !== values.organisationIds.length) throw fieldError('organisationIds', 'triage.validation.unknownOrganisation')
    if (!values.organisationIds.every((organisationId) => can(acting.actor, { action: 'coordination.requestFrom', organisationId, incident: facts }))) {
      throw fieldError('organisationIds', 'triage.validation.outsideCluster')
    }

    const created = await tx
      .insert(coordinationRequests)
      .values(
        values.organisationIds.map((organisationId) => ({
          incidentId: row.id,
          issuedBy: acting.actor.userId,
          issuingOrganisationId: acting.actor.organisationId,
          organisationId,
          request: values.request,
          dueAt: values.dueAt,
          createdAt: now,
          updatedAt: now,
        })),
      )
      .returning({ id: coordinationRequests.id, organisationId: coordinationRequests.organisationId })
    for (const c of created) await grantIncidentToOrganisation(tx, acting, row.id, c.organisationId, 'coordination')
    await appendTimeline(tx, acting, row.id, {
      kind: 'coordination_requested',
      data: { requestIds: created.map((c) => c.id), organisationIds: values.organisationIds, dueAt: values.dueAt.toISOString() },
    })
    await auditAs(tx, acting, {
      action: 'incident.coordination_requested',
      objectType: 'incident',
      objectId: row.id,
      objectOrganisationId: row.reportingOrganisationId,
      details: { requests: created, dueAt: values.dueAt.toISOString() },
    })
    // One event per recipient, each linking to that organisation's own request.
    for (const c of created) {
      await emitEvent(
        tx,
        acting.services,
        incidentEvent(acting, row, 'incident.coordination_requested', { organisations: [{ id: c.organisationId }] }, { link: `/coordination/${c.id}`, requestId: c.id, dueAt: values.dueAt.toISOString() }),
      )
    }
    return { incidentId: row.id, requestIds: created.map((c) => c.id) }
  })
}

// ---------------------------------------------------------------------------------------------
// Who sees a request (kept beside the policy's rules until it moves into the policy module)

/** Requests the actor may open: addressed to their organisation, or issued by it if they triage. */
export function visibleCoordinationWhere(actor: Actor): SQL {
  const addressed = eq(coordinationRequests.organisationId, actor.organisationId)
  if (!mayIssueCoordinationRequests(actor)) return addressed
  return or(addressed, eq(coordinationRequests.issuingOrganisationId, actor.organisationId)) as SQL
}

function canSeeCoordination(actor: Actor, request: { organisationId: string; issuingOrganisationId: string }) {
  return request.organisationId === actor.organisationId || (mayIssueCoordinationRequests(actor) && request.issuingOrganisationId === actor.organisationId)
}

const recipientOrg = alias(organisations, 'recipient_org')
const issuerOrg = alias(organisations, 'issuer_org')

const listColumns = (actor: Actor) => ({
  id: coordinationRequests.id,
  incidentId: coordinationRequests.incidentId,
  // Reference and title only where the viewer may see the incident (a RED one, or a grant
  // withdrawn later, keeps them hidden).
  incidentVisible: sql<boolean>`(${visibleIncidentsWhere(actor)})`.as('incident_visible'),
  reference: incidents.reference,
  title: incidents.title,
  tlp: incidents.tlp,
  organisationId: coordinationRequests.organisationId,
  organisation: recipientOrg.shortName,
  issuingOrganisation: issuerOrg.shortName,
  request: coordinationRequests.request,
  dueAt: coordinationRequests.dueAt,
  status: coordinationRequests.status,
  createdAt: coordinationRequests.createdAt,
  answeredAt: coordinationRequests.answeredAt,
})

const STATUS_RANK = sql`case ${coordinationRequests.status} when 'open' then 0 when 'acknowledged' then 1 else 2 end`
const LIST_LIMIT = 300

function masked<T extends { incidentVisible: boolean; reference: string; title: string; tlp: string; dueAt: Date; status: string }>(rows: T[], now: Date) {
  return rows.map((r) => ({
    ...r,
    reference: r.incidentVisible ? r.reference : null,
    title: r.incidentVisible ? r.title : null,
    tlp: r.incidentVisible ? r.tlp : null,
    overdue: r.status !== 'answered' && r.dueAt.getTime() <= now.getTime(),
  }))
}

/**
 * The coordination page: requests addressed to the actor's organisation and, for the national
 * CERT's triagers, those their organisation issued. Unanswered first, soonest due first.
 */
export async function listCoordinationRequests(acting: ActingContext) {
  const { actor } = acting
  const db = acting.services.db
  const query = (where: SQL) =>
    db
      .select(listColumns(actor))
      .from(coordinationRequests)
      .innerJoin(incidents, eq(incidents.id, coordinationRequests.incidentId))
      .innerJoin(recipientOrg, eq(recipientOrg.id, coordinationRequests.organisationId))
      .innerJoin(issuerOrg, eq(issuerOrg.id, coordinationRequests.issuingOrganisationId))
      .where(where)
      .orderBy(STATUS_RANK, asc(coordinationRequests.dueAt), asc(coordinationRequests.id))
      .limit(LIST_LIMIT)
  const now = acting.services.now()
  const received = masked(await query(eq(coordinationRequests.organisationId, actor.organisationId)), now)
  const showIssued = mayIssueCoordinationRequests(actor)
  const issued = showIssued ? masked(await query(eq(coordinationRequests.issuingOrganisationId, actor.organisationId)), now) : []
  return { received, issued, showIssued }
}

const issuer = alias(users, 'issuer')
const acknowledger = alias(users, 'acknowledger')
const answerer = alias(users, 'answerer')

/** One request with what its viewer may see of the incident; 404 for anyone else. */
export async function getCoordinationRequest(acting: ActingContext, rawId: unknown) {
  const requestId = parseRequestId(rawId)
  const db = acting.services.db
  const [row] = await db
    .select({
      id: coordinationRequests.id,
      incidentId: coordinationRequests.incidentId,
      organisationId: coordinationRequests.organisationId,
      issuingOrganisationId: coordinationRequests.issuingOrganisationId,
      organisation: recipientOrg.shortName,
      issuingOrganisation: issuerOrg.shortName,
      issuedByName: issuer.name,
      request: coordinationRequests.request,
      dueAt: coordinationRequests.dueAt,
      status: coordinationRequests.status,
      createdAt: coordinationRequests.createdAt,
      acknowledgedAt: coordinationRequests.acknowledgedAt,
      acknowledgedByName: acknowledger.name,
      answer: coordinationRequests.answer,
      answeredAt: coordinationRequests.answeredAt,
      answeredByName: answerer.name,
    })
    .from(coordinationRequests)
    .innerJoin(recipientOrg, eq(recipientOrg.id, coordinationRequests.organisationId))
    .innerJoin(issuerOrg, eq(issuerOrg.id, coordinationRequests.issuingOrganisationId))
    .innerJoin(issuer, eq(issuer.id, coordinationRequests.issuedBy))
    .leftJoin(acknowledger, eq(acknowledger.id, coordinationRequests.acknowledgedBy))
    .leftJoin(answerer, eq(answerer.id, coordinationRequests.answeredBy))
    .where(and(eq(coordinationRequests.id, requestId), visibleCoordinationWhere(acting.actor)))
  if (!row) throw new DomainError('not_found')
  const loaded = await loadIncidentFacts(db, row.incidentId)
  const incident =
    loaded && canSeeIncident(acting.actor, loaded.facts)
      ? { id: loaded.row.id, reference: loaded.row.reference, title: loaded.row.title, tlp: loaded.row.tlp, status: loaded.row.status }
      : null
  const canRespond = can(acting.actor, { action: 'coordination.respond', organisationId: row.organisationId })
  const now = acting.services.now()
  return {
    request: { ...row, overdue: row.status !== 'answered' && row.dueAt.getTime() <= now.getTime() },
    incident,
    canAcknowledge: canRespond && row.status === 'open',
    canAnswer: canRespond && row.status !== 'answered',
  }
}

// ---------------------------------------------------------------------------------------------
// Acknowledging and answering

function parseRequestId(raw: unknown) {
  const parsed = z.uuid().safeParse(raw)
  if (!parsed.success) throw new DomainError('not_found')
  return parsed.data
}

/** The request, locked; 404 unless the actor may see it; 403 unless they may answer for its recipient. */
async function lockForResponse(tx: Executor, acting: ActingContext, rawId: unknown) {
  const requestId = parseRequestId(rawId)
  const [request] = await tx.select().from(coordinationRequests).where(eq(coordinationRequests.id, requestId)).for('update')
  if (!request || !canSeeCoordination(acting.actor, request)) throw new DomainError('not_found')
  authorize(acting.actor, { action: 'coordination.respond', organisationId: request.organisationId })
  const [incident] = await tx
    .select({ id: incidents.id, reference: incidents.reference, title: incidents.title, tlp: incidents.tlp, reportingOrganisationId: incidents.reportingOrganisationId })
    .from(incidents)
    .where(eq(incidents.id, request.incidentId))
  return { request, incident: incident! }
}

const AnswerSchema = z.object({ answer: requiredText(8000) })

export async function acknowledgeCoordinationRequest(acting: ActingContext, rawId: unknown) {
  return acting.services.db.transaction(async (tx) => {
    const { request, incident } = await lockForResponse(tx, acting, rawId)
    if (request.status !== 'open') throw new DomainError('conflict', 'triage.errors.alreadyAcknowledged')
    const now = acting.services.now()
    await tx
      .update(coordinationRequests)
      .set({ status: 'acknowledged', acknowledgedAt: now, acknowledgedBy: acting.actor.userId, updatedAt: now })
      .where(eq(coordinationRequests.id, request.id))
    await appendTimeline(tx, acting, incident.id, { kind: 'coordination_acknowledged', data: { requestId: request.id, organisationId: request.organisationId } })
    await auditAs(tx, acting, {
      action: 'incident.coordination_acknowledged',
      objectType: 'incident',
      objectId: incident.id,
      objectOrganisationId: incident.reportingOrganisationId,
      details: { requestId: request.id, organisationId: request.organisationId },
    })
    return { id: request.id }
  })
}

export async function answerCoordinationRequest(acting: ActingContext, rawId: unknown, input: unknown) {
  return acting.services.db.transaction(async (tx) => {
    const { request, incident } = await lockForResponse(tx, acting, rawId)
    if (request.status === 'answered') throw new DomainError('conflict', 'triage.errors.alreadyAnswered')
    const values = validate(AnswerSchema, input)
    const now = acting.services.now()
    await tx
      .update(coordinationRequests)
      .set({
        status: 'answered',
        answer: values.answer,
        answeredAt: now,
        answeredBy: acting.actor.userId,
        // Answering is the fullest acknowledgement.
        ...(request.acknowledgedAt ? {} : { acknowledgedAt: now, acknowledgedBy: acting.actor.userId }),
        updatedAt: now,
      })
      .where(eq(coordinationRequests.id, request.id))
    await appendTimeline(tx, acting, incident.id, { kind: 'coordination_answered', data: { requestId: request.id, organisationId: request.organisationId } })
    await auditAs(tx, acting, {
      action: 'incident.coordination_answered',
      objectType: 'incident',
      objectId: incident.id,
      objectOrganisationId: incident.reportingOrganisationId,
      details: { requestId: request.id, organisationId: request.organisationId },
    })
    // The issuer, and those who coordinate with it: the national CERT's triagers for its own
    // requests, the cluster's lead and deputy for a cluster's support request.
    const [issuing] = await tx.select({ kind: organisations.kind }).from(organisations).where(eq(organisations.id, request.issuingOrganisationId))
    const coordinators = issuing?.kind === 'national_cert' ? { nationalCertTriagers: true } : { clusterCoordinatorsOf: incident.reportingOrganisationId }
    await emitEvent(
      tx,
      acting.services,
      incidentEvent(acting, incident, 'incident.coordination_answered', { users: [request.issuedBy], ...coordinators }, { link: `/coordination/${request.id}`, requestId: request.id }),
    )
    return { id: request.id }
  })
}
