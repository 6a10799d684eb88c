import { and, asc, desc, eq, gte, inArray, isNotNull, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import type { Executor } from '../../db/client.ts'
import { incidents, incidentTimeline, organisations, users } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { optionalText, requiredText, validate } from '../lib/forms.ts'
import { emitEvent, type DomainEvent } from '../notifications/emit.server.ts'
import type { EventType } from '../notifications/event-types.ts'
import type { IncidentAudience } from '../notifications/recipients.server.ts'
import { authorize, can, visibleIncidentsWhere, type Action, type IncidentFacts } from '../policy/policy.server.ts'
import { ESCALATION_URGENCIES, TRIAGE_CLASSIFICATIONS } from './triage.ts'
import { appendTimeline, getVisibleIncident, grantIncidentToOrganisation, grantIncidentToUser, type IncidentRow } from './access.server.ts'

// Escalation to the national CERT and its triage (issue 4; Decision 05/2017/QĐ-TTg: the
// national CERT verifies an incident beyond the owner's means and classifies it normal or
// serious). The reporting organisation or its cluster lead/deputy escalates; the national
// CERT's analysts accept (classify, assign an analyst), decline, or ask for more information,
// in which case the incident waits on the reporter until they answer.

const choice = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string({ error: 'validation.required' })
    .trim()
    .min(1, { error: 'validation.required', abort: true })
    .pipe(z.enum(values, { error: 'validation.invalid' }))

const id = z.uuid()

export const EscalationSchema = z.object({ reason: requiredText(4000), urgency: choice(ESCALATION_URGENCIES) })
export const AcceptSchema = z.object({
  classification: choice(TRIAGE_CLASSIFICATIONS),
  analystId: z
    .string({ error: 'validation.required' })
    .trim()
    .min(1, { error: 'validation.required', abort: true })
    .pipe(z.uuid('validation.invalid')),
  note: optionalText(4000),
})
export const DeclineSchema = z.object({ reason: requiredText(4000) })
export const QuestionSchema = z.object({ question: requiredText(4000) })
export const AnswerSchema = z.object({ answer: requiredText(8000) })

// ---------------------------------------------------------------------------------------------
// Pieces shared with the coordination and deadline modules

/**
 * The incident, locked for the rest of the transaction so two acts on it (two analysts
 * triaging at once) are serialised and the second sees the first's result; 404 unless the
 * actor may see it.
 */
export async function lockVisibleIncident(tx: Executor, acting: ActingContext, rawId: unknown) {
  const parsed = id.safeParse(rawId)
  if (!parsed.success) throw new DomainError('not_found')
  await tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, parsed.data)).for('update')
  return getVisibleIncident(acting, parsed.data, tx)
}

/**
 * 403 for those who may never take this step, 409 for those who could but not in the
 * incident's present state (already escalated, not awaiting triage…). `inRightState` is the
 * same request with the incident in a state where the step is possible.
 */
export function authorizeInState(actor: ActingContext['actor'], request: Action, inRightState: Action, conflictKey: string) {
  if (can(actor, request)) return
  if (can(actor, inRightState)) throw new DomainError('conflict', conflictKey)
  authorize(actor, inRightState)
}

/** An incident event as the notification engine expects it (audience checked there against the policy). */
export function incidentEvent(
  acting: ActingContext | null,
  row: Pick<IncidentRow, 'id' | 'reference' | 'title' | 'tlp' | 'reportingOrganisationId'>,
  type: EventType,
  audience: IncidentAudience,
  extra: { link?: string } & Record<string, unknown> = {},
): DomainEvent {
  const { link, ...rest } = extra
  return {
    type,
    objectType: 'incident',
    objectId: row.id,
    organisationId: row.reportingOrganisationId,
    actorUserId: acting?.actor.userId ?? null,
    tlp: row.tlp,
    payload: { incidentId: row.id, reference: row.reference, title: row.title, link: link ?? `/incidents/${row.id}`, audience, ...rest },
  }
}

const present = (ids: (string | null | undefined)[]) => [...new Set(ids.filter((v): v is string => Boolean(v)))]

/** Active analysts and admins of the national CERT: those who triage and coordinate. */
export async function nationalCertTriagers(db: Executor) {
  return db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(
      and(
        eq(organisations.kind, 'national_cert'),
        eq(organisations.active, true),
        eq(users.status, 'active'),
        inArray(users.role, ['cert_analyst', 'org_admin']),
      ),
    )
    .orderBy(asc(users.name))
}

// ---------------------------------------------------------------------------------------------
// Escalation

const notEscalatedState = (facts: IncidentFacts): IncidentFacts => ({ ...facts, status: facts.status === 'draft' || facts.status === 'closed' ? 'new' : facts.status, triageStatus: null })

export async function escalateIncident(acting: ActingContext, rawId: unknown, input: unknown) {
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await lockVisibleIncident(tx, acting, rawId)
    authorizeInState(
      acting.actor,
      { action: 'incident.escalate', incident: facts },
      { action: 'incident.escalate', incident: notEscalatedState(facts) },
      'triage.errors.cannotEscalate',
    )
    const values = validate(EscalationSchema, input)
    const now = acting.services.now()
    const again = row.triageStatus === 'declined'
    await tx
      .update(incidents)
      .set({
        escalatedAt: now,
        escalatedBy: acting.actor.userId,
        escalationReason: values.reason,
        escalationUrgency: values.urgency,
        triageStatus: 'pending',
        triageClassification: null,
        triageAnalystId: null,
        triageNote: null,
        triagedAt: null,
      })
      .where(eq(incidents.id, row.id))
    // AMBER+STRICT opens to the national CERT only through this explicit grant (TLP 2.0:
    // wider sharing needs the source's permission; escalating is that permission).
    const certs = await tx.select({ id: organisations.id }).from(organisations).where(and(eq(organisations.kind, 'national_cert'), eq(organisations.active, true)))
    for (const cert of certs) await grantIncidentToOrganisation(tx, acting, row.id, cert.id, 'escalation')
    // TLP:RED names people, not organisations: escalating a RED incident names the national
    // CERT's triage staff as recipients (the escalation form says so before the user acts).
    if (row.tlp === 'RED') {
      for (const triager of await nationalCertTriagers(tx)) await grantIncidentToUser(tx, acting, row.id, triager.id, 'escalation')
    }
    await appendTimeline(tx, acting, row.id, { kind: 'escalated', body: values.reason, data: { urgency: values.urgency, again } })
    await auditAs(tx, acting, {
      action: 'incident.escalated',
      objectType: 'incident',
      objectId: row.id,
      objectOrganisationId: row.reportingOrganisationId,
      details: { urgency: values.urgency, again, grantedOrganisations: certs.map((c) => c.id) },
    })
    await emitEvent(tx, acting.services, incidentEvent(acting, row, 'incident.escalated', { nationalCertTriagers: true }, { link: `/incidents/${row.id}/triage`, urgency: values.urgency }))
    return { id: row.id }
  })
}

// ---------------------------------------------------------------------------------------------
// Triage by the national CERT

const awaitingTriage = (facts: IncidentFacts): IncidentFacts => ({ ...facts, triageStatus: 'pending' })

/** Everyone on the reporting side who waits for the national CERT's answer. */
function reportingSide(row: IncidentRow, also: (string | null)[] = []): IncidentAudience {
  return {
    organisations: [{ id: row.reportingOrganisationId }],
    users: present([row.createdBy, row.escalatedBy, ...also]),
  }
}

async function assertTriager(tx: Executor, analystId: string) {
  const [analyst] = await tx
    .select({ id: users.id })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(
      and(
        eq(users.id, analystId),
        eq(users.status, 'active'),
        eq(organisations.kind, 'national_cert'),
        eq(organisations.active, true),
        inArray(users.role, ['cert_analyst', 'org_admin']),
      ),
    )
  if (!analyst) throw new DomainError('validation', 'errors.validation', { fieldErrors: { analystId: ['triage.validation.analyst'] } })
}

export async function acceptEscalation(acting: ActingContext, rawId: unknown, input: unknown) {
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await lockVisibleIncident(tx, acting, rawId)
    authorizeInState(
      acting.actor,
      { action: 'incident.triage', incident: facts },
      { action: 'incident.triage', incident: awaitingTriage(facts) },
      'triage.errors.notAwaitingTriage',
    )
    const values = validate(AcceptSchema, input)
    await assertTriager(tx, values.analystId)
    const now = acting.services.now()
    await tx
      .update(incidents)
      .set({
        triageStatus: 'accepted',
        triageClassification: values.classification,
        triageAnalystId: values.analystId,
        triageNote: values.note,
        triagedAt: now,
        // The national CERT's classification is the authoritative one (Decision 05/2017).
        ...(values.classification === 'serious' ? { serious: true } : {}),
      })
      .where(eq(incidents.id, row.id))
    if (row.tlp === 'RED') await grantIncidentToUser(tx, acting, row.id, values.analystId, 'triage')
    await appendTimeline(tx, acting, row.id, {
      kind: 'triaged',
      body: values.note,
      data: { decision: 'accepted', classification: values.classification, analystId: values.analystId },
    })
    await auditAs(tx, acting, {
      action: 'incident.triage_accepted',
      objectType: 'incident',
      objectId: row.id,
      objectOrganisationId: row.reportingOrganisationId,
      details: { classification: values.classification, analystId: values.analystId },
    })
    await emitEvent(
      tx,
      acting.services,
      incidentEvent(acting, row, 'incident.triaged', reportingSide(row, [values.analystId]), { decision: 'accepted', classification: values.classification }),
    )
    return { id: row.id }
  })
}

export async function declineEscalation(acting: ActingContext, rawId: unknown, input: unknown) {
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await lockVisibleIncident(tx, acting, rawId)
    authorizeInState(
      acting.actor,
      { action: 'incident.triage', incident: facts },
      { action: 'incident.triage', incident: awaitingTriage(facts) },
      'triage.errors.notAwaitingTriage',
    )
    const values = validate(DeclineSchema, input)
    await tx
      .update(incidents)
      .set({ triageStatus: 'declined', triageClassification: null, triageAnalystId: null, triageNote: values.reason, triagedAt: acting.services.now() })
      .where(eq(incidents.id, row.id))
    await appendTimeline(tx, acting, row.id, { kind: 'triaged', body: values.reason, data: { decision: 'declined' } })
    await auditAs(tx, acting, {
      action: 'incident.triage_declined',
      objectType: 'incident',
      objectId: row.id,
      objectOrganisationId: row.reportingOrganisationId,
    })
    await emitEvent(tx, acting.services, incidentEvent(acting, row, 'incident.triaged', reportingSide(row), { decision: 'declined' }))
    return { id: row.id }
  })
}

export async function requestMoreInformation(acting: ActingContext, rawId: unknown, input: unknown) {
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await lockVisibleIncident(tx, acting, rawId)
    // One open question at a time: while the reporter has not answered, ask nothing more.
    if (row.triageStatus !== 'pending') {
      authorize(acting.actor, { action: 'incident.triage', incident: awaitingTriage(facts) })
      throw new DomainError('conflict', row.triageStatus === 'info_requested' ? 'triage.errors.questionOpen' : 'triage.errors.notAwaitingTriage')
    }
    authorize(acting.actor, { action: 'incident.triage', incident: facts })
    const values = validate(QuestionSchema, input)
    await tx.update(incidents).set({ triageStatus: 'info_requested', triageNote: values.question }).where(eq(incidents.id, row.id))
    await appendTimeline(tx, acting, row.id, { kind: 'info_requested', body: values.question })
    await auditAs(tx, acting, {
      action: 'incident.info_requested',
      objectType: 'incident',
      objectId: row.id,
      objectOrganisationId: row.reportingOrganisationId,
    })
    await emitEvent(tx, acting.services, incidentEvent(acting, row, 'incident.info_requested', reportingSide(row), { link: `/incidents/${row.id}/info` }))
    return { id: row.id }
  })
}

export async function provideInformation(acting: ActingContext, rawId: unknown, input: unknown) {
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await lockVisibleIncident(tx, acting, rawId)
    authorizeInState(
      acting.actor,
      { action: 'incident.provideInfo', incident: facts },
      { action: 'incident.provideInfo', incident: { ...facts, triageStatus: 'info_requested' } },
      'triage.errors.noQuestion',
    )
    const values = validate(AnswerSchema, input)
    await tx.update(incidents).set({ triageStatus: 'pending' }).where(eq(incidents.id, row.id))
    await appendTimeline(tx, acting, row.id, { kind: 'info_provided', body: values.answer })
    await auditAs(tx, acting, {
      action: 'incident.info_provided',
      objectType: 'incident',
      objectId: row.id,
      objectOrganisationId: row.reportingOrganisationId,
    })
    // The event list has no "info provided": the answer reaches the triagers as a comment on
    // the incident, linking straight back to the triage form.
    await emitEvent(
      tx,
      acting.services,
      incidentEvent(acting, row, 'incident.comment_added', { nationalCertTriagers: true }, { link: `/incidents/${row.id}/triage`, kind: 'info_provided' }),
    )
    return { id: row.id }
  })
}

// ---------------------------------------------------------------------------------------------
// What the pages show

const escalator = alias(users, 'escalator')
const analyst = alias(users, 'analyst')

async function summaryOf(db: Executor, incidentId: string) {
  const [row] = await db
    .select({
      id: incidents.id,
      reference: incidents.reference,
      title: incidents.title,
      status: incidents.status,
      tlp: incidents.tlp,
      category: incidents.category,
      severity: incidents.severity,
      serious: incidents.serious,
      description: incidents.description,
      reportingOrganisationId: incidents.reportingOrganisationId,
      reportingOrganisation: organisations.shortName,
      detectedAt: incidents.detectedAt,
      submittedAt: incidents.submittedAt,
      escalatedAt: incidents.escalatedAt,
      escalatedByName: escalator.name,
      escalationReason: incidents.escalationReason,
      escalationUrgency: incidents.escalationUrgency,
      triageStatus: incidents.triageStatus,
      triageClassification: incidents.triageClassification,
      triageAnalystName: analyst.name,
      triageNote: incidents.triageNote,
      triagedAt: incidents.triagedAt,
    })
    .from(incidents)
    .innerJoin(organisations, eq(organisations.id, incidents.reportingOrganisationId))
    .leftJoin(escalator, eq(escalator.id, incidents.escalatedBy))
    .leftJoin(analyst, eq(analyst.id, incidents.triageAnalystId))
    .where(eq(incidents.id, incidentId))
  return row!
}

export type TriageSummary = Awaited<ReturnType<typeof summaryOf>>

const TRIAGE_KINDS = ['escalated', 'info_requested', 'info_provided', 'triaged'] as const

/** The escalation's conversation: escalations, questions, answers and decisions, oldest first. */
async function triageHistory(db: Executor, incidentId: string) {
  const actorOrg = alias(organisations, 'actor_org')
  return db
    .select({
      id: incidentTimeline.id,
      kind: incidentTimeline.kind,
      at: incidentTimeline.at,
      body: incidentTimeline.body,
      data: incidentTimeline.data,
      actorName: users.name,
      actorOrganisation: actorOrg.shortName,
    })
    .from(incidentTimeline)
    .leftJoin(users, eq(users.id, incidentTimeline.actorUserId))
    .leftJoin(actorOrg, eq(actorOrg.id, incidentTimeline.actorOrganisationId))
    .where(and(eq(incidentTimeline.incidentId, incidentId), inArray(incidentTimeline.kind, [...TRIAGE_KINDS]), sql`${incidentTimeline.internalToOrganisationId} is null`))
    .orderBy(asc(incidentTimeline.at), asc(incidentTimeline.seq))
}

/** The escalation form: 403 for those who may never escalate this incident, 404 if unseen. */
export async function getEscalationView(acting: ActingContext, rawId: unknown) {
  const { facts } = await visible(acting, rawId)
  const canNow = can(acting.actor, { action: 'incident.escalate', incident: facts })
  if (!canNow) authorize(acting.actor, { action: 'incident.escalate', incident: notEscalatedState(facts) })
  const db = acting.services.db
  return { incident: await summaryOf(db, facts.id), canEscalate: canNow, history: await triageHistory(db, facts.id) }
}

/** The triage form for the national CERT's analysts. */
export async function getTriageView(acting: ActingContext, rawId: unknown) {
  const { facts } = await visible(acting, rawId)
  authorize(acting.actor, { action: 'incident.triage', incident: awaitingTriage(facts) })
  const db = acting.services.db
  const canDecide = can(acting.actor, { action: 'incident.triage', incident: facts })
  return {
    incident: await summaryOf(db, facts.id),
    canDecide,
    canAsk: canDecide && facts.triageStatus === 'pending',
    canCoordinate: can(acting.actor, { action: 'incident.requestCoordination', incident: facts }),
    analysts: canDecide ? await nationalCertTriagers(db) : [],
    history: await triageHistory(db, facts.id),
  }
}

/** The reporter's page for answering the national CERT's question. */
export async function getInformationRequestView(acting: ActingContext, rawId: unknown) {
  const { facts } = await visible(acting, rawId)
  const canAnswer = can(acting.actor, { action: 'incident.provideInfo', incident: facts })
  if (!canAnswer) authorize(acting.actor, { action: 'incident.provideInfo', incident: { ...facts, triageStatus: 'info_requested' } })
  const db = acting.services.db
  return { incident: await summaryOf(db, facts.id), canAnswer, history: await triageHistory(db, facts.id) }
}

async function visible(acting: ActingContext, rawId: unknown) {
  const parsed = id.safeParse(rawId)
  if (!parsed.success) throw new DomainError('not_found')
  return getVisibleIncident(acting, parsed.data)
}

// ---------------------------------------------------------------------------------------------
// The triage queue

const URGENCY_RANK = sql`case ${incidents.escalationUrgency} when 'immediate' then 0 when 'urgent' then 1 else 2 end`
/** How long a decided escalation stays on the queue page for reference. */
const RECENT_DAYS = 30
const QUEUE_LIMIT = 200

/**
 * The national CERT's queue: escalations awaiting a decision (most urgent, then oldest, first)
 * and those decided in the last 30 days. Filtered by the one visibility rule like every list.
 */
export async function listTriageQueue(acting: ActingContext) {
  authorize(acting.actor, { action: 'incident.triageQueue' })
  const db = acting.services.db
  const columns = {
    id: incidents.id,
    reference: incidents.reference,
    title: incidents.title,
    tlp: incidents.tlp,
    status: incidents.status,
    reportingOrganisation: organisations.shortName,
    escalatedAt: incidents.escalatedAt,
    escalationUrgency: incidents.escalationUrgency,
    triageStatus: incidents.triageStatus,
    triageClassification: incidents.triageClassification,
    triagedAt: incidents.triagedAt,
  }
  const visibleEscalated = and(visibleIncidentsWhere(acting.actor), isNotNull(incidents.escalatedAt))
  const waiting = await db
    .select(columns)
    .from(incidents)
    .innerJoin(organisations, eq(organisations.id, incidents.reportingOrganisationId))
    .where(and(visibleEscalated, inArray(incidents.triageStatus, ['pending', 'info_requested'])))
    .orderBy(URGENCY_RANK, asc(incidents.escalatedAt), asc(incidents.id))
    .limit(QUEUE_LIMIT)
  const since = new Date(acting.services.now().getTime() - RECENT_DAYS * 24 * 3600 * 1000)
  const decided = await db
    .select(columns)
    .from(incidents)
    .innerJoin(organisations, eq(organisations.id, incidents.reportingOrganisationId))
    .where(and(visibleEscalated, inArray(incidents.triageStatus, ['accepted', 'declined']), gte(incidents.triagedAt, since)))
    .orderBy(desc(incidents.triagedAt), asc(incidents.id))
    .limit(QUEUE_LIMIT)
  return { waiting, decided }
}
