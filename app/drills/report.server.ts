import { and, asc, eq } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Executor } from '../../db/client.ts'
import { drillActionItems, drillObservations, drillRegistrations, drillReports, organisations, users, type ObjectiveAssessment } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { validate, type FieldErrors } from '../lib/forms.ts'
import { authorize, can, type DrillFacts, type ReportFacts } from '../policy/policy.server.ts'
import { getVisibleDrill, type DrillRow } from './access.server.ts'
import { participatingOrganisations } from './attendance.server.ts'
import { AFTER_ACTION_OPEN, objectiveList } from './lifecycle.ts'
import { ActionItemDoneSchema, ActionItemSchema, ObservationSchema, reportFormSchema } from './schemas.ts'

// Evaluating a drill (NIST SP 800-84 "evaluate"): observations and scores recorded by the
// organisers and evaluators while it runs and after, the after-action report (objectives met,
// observations, recommendations) drafted by the organisers and then published to the
// participants, and its action items, each owned by a participating organisation and tracked to
// done. Who may do and see what is the policy's (`drill.recordObservation`, `drill.writeReport`,
// `drill.viewReport`, `drill.updateActionItem`); every act is audited in its transaction.

const fieldErrors = (errors: FieldErrors) => new DomainError('validation', 'errors.validation', { fieldErrors: errors })
const doneByUser = alias(users, 'done_by_user')

type ReportRow = typeof drillReports.$inferSelect

async function loadReport(db: Executor, drillId: string): Promise<{ report: ReportRow | null; facts: ReportFacts }> {
  const [report] = await db.select().from(drillReports).where(eq(drillReports.drillId, drillId))
  const owners = await db.selectDistinct({ id: drillActionItems.ownerOrganisationId }).from(drillActionItems).where(eq(drillActionItems.drillId, drillId))
  return { report: report ?? null, facts: { status: report?.status ?? 'draft', actionItemOwnerIds: owners.map((o) => o.id) } }
}

/** The actor's own live registration on the drill (an evaluator's records observations). */
async function myRegistration(db: Executor, acting: ActingContext, drillId: string) {
  const [mine] = await db
    .select({ role: drillRegistrations.role, status: drillRegistrations.status })
    .from(drillRegistrations)
    .where(and(eq(drillRegistrations.drillId, drillId), eq(drillRegistrations.userId, acting.actor.userId), eq(drillRegistrations.status, 'confirmed')))
  return mine ?? null
}

/** The report's row, created as an empty draft the first time the organisers write to it. */
async function ensureReport(tx: Executor, acting: ActingContext, drillId: string, now: Date) {
  await tx
    .insert(drillReports)
    .values({ drillId, createdBy: acting.actor.userId, updatedBy: acting.actor.userId, createdAt: now, updatedAt: now })
    .onConflictDoNothing()
}

async function requireParticipant(db: Executor, row: DrillRow, organisationId: string, field: string) {
  const participants = await participatingOrganisations(db, row.id, row.organiserOrganisationId)
  if (!participants.some((p) => p.id === organisationId)) throw fieldErrors({ [field]: ['drills.validation.notParticipant'] })
}

/** Records an observation, optionally against an objective, with a score, about an organisation. */
export async function recordObservation(acting: ActingContext, rawDrillId: unknown, input: unknown) {
  const values = validate(ObservationSchema, input)
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await getVisibleDrill(acting, rawDrillId, tx)
    authorize(acting.actor, { action: 'drill.recordObservation', drill: facts, mine: await myRegistration(tx, acting, row.id) })
    if (values.objective !== null && !objectiveList(row.objectives).includes(values.objective)) throw fieldErrors({ objective: ['validation.invalid'] })
    if (values.organisationId !== null) await requireParticipant(tx, row, values.organisationId, 'organisationId')
    const [observation] = await tx
      .insert(drillObservations)
      .values({ drillId: row.id, ...values, recordedBy: acting.actor.userId, recordedAt: now })
      .returning({ id: drillObservations.id })
    await auditAs(tx, acting, {
      action: 'drill.observation_recorded',
      objectType: 'drill',
      objectId: row.id,
      objectOrganisationId: values.organisationId ?? row.organiserOrganisationId,
      details: { observationId: observation!.id, objective: values.objective !== null, score: values.score, organisationId: values.organisationId },
    })
    return { id: observation!.id }
  })
}

/** Saves the report's text and per-objective results; a published report stays published (a correction). */
export async function saveReport(acting: ActingContext, rawDrillId: unknown, input: unknown) {
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await getVisibleDrill(acting, rawDrillId, tx)
    authorize(acting.actor, { action: 'drill.writeReport', drill: facts })
    const objectives = objectiveList(row.objectives)
    const values = validate(reportFormSchema(objectives.length), input) as Record<string, string | null | undefined>
    const objectiveAssessments: ObjectiveAssessment[] = objectives.flatMap((objective, i) => {
      const result = values[`assessment_${i}`] as ObjectiveAssessment['result'] | undefined
      return result ? [{ objective, result }] : []
    })
    const text = {
      objectivesMet: values.objectivesMet ?? '',
      observationsSummary: values.observationsSummary ?? '',
      recommendations: values.recommendations ?? '',
      objectiveAssessments,
    }
    await ensureReport(tx, acting, row.id, now)
    const [saved] = await tx
      .update(drillReports)
      .set({ ...text, updatedBy: acting.actor.userId, updatedAt: now })
      .where(eq(drillReports.drillId, row.id))
      .returning({ status: drillReports.status })
    await auditAs(tx, acting, {
      action: 'drill.report_saved',
      objectType: 'drill',
      objectId: row.id,
      objectOrganisationId: row.organiserOrganisationId,
      details: { status: saved!.status, objectivesAssessed: objectiveAssessments.length },
    })
    return { status: saved!.status }
  })
}

/**
 * Publishes the report to the participants. Only once the drill is completed (the evaluation
 * follows the exercise) and only a report with something in it.
 */
export async function publishReport(acting: ActingContext, rawDrillId: unknown) {
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await getVisibleDrill(acting, rawDrillId, tx)
    authorize(acting.actor, { action: 'drill.writeReport', drill: facts })
    if (row.status !== 'completed') throw new DomainError('conflict', 'drills.errors.publishAfterCompletion')
    const { report } = await loadReport(tx, row.id)
    if (!report || report.status === 'published') throw new DomainError('conflict', report ? 'drills.errors.reportPublished' : 'drills.errors.reportEmpty')
    if (!report.objectivesMet && !report.observationsSummary && !report.recommendations && report.objectiveAssessments.length === 0) {
      throw new DomainError('conflict', 'drills.errors.reportEmpty')
    }
    await tx.update(drillReports).set({ status: 'published', publishedAt: now, publishedBy: acting.actor.userId, updatedAt: now }).where(eq(drillReports.drillId, row.id))
    await auditAs(tx, acting, { action: 'drill.report_published', objectType: 'drill', objectId: row.id, objectOrganisationId: row.organiserOrganisationId })
    return { status: 'published' as const }
  })
}

/** Adds an action item owned by a participating organisation, due on a calendar day. */
export async function addActionItem(acting: ActingContext, rawDrillId: unknown, input: unknown) {
  const values = validate(ActionItemSchema, input)
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await getVisibleDrill(acting, rawDrillId, tx)
    authorize(acting.actor, { action: 'drill.writeReport', drill: facts })
    await requireParticipant(tx, row, values.ownerOrganisationId, 'ownerOrganisationId')
    await ensureReport(tx, acting, row.id, now)
    const [item] = await tx
      .insert(drillActionItems)
      .values({ drillId: row.id, ...values, createdBy: acting.actor.userId, createdAt: now, updatedAt: now })
      .returning({ id: drillActionItems.id })
    await auditAs(tx, acting, {
      action: 'drill.action_item_added',
      objectType: 'drill',
      objectId: row.id,
      objectOrganisationId: values.ownerOrganisationId,
      details: { actionItemId: item!.id, dueOn: values.dueOn },
    })
    return { id: item!.id }
  })
}

/** Marks an action item done (or reopens it): the organisers, or the owner organisation's admin. */
export async function setActionItemDone(acting: ActingContext, rawDrillId: unknown, input: unknown) {
  const { itemId, done } = validate(ActionItemDoneSchema, input)
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await getVisibleDrill(acting, rawDrillId, tx)
    const [item] = await tx
      .select()
      .from(drillActionItems)
      .where(and(eq(drillActionItems.id, itemId), eq(drillActionItems.drillId, row.id)))
      .for('update')
    const { facts: report } = await loadReport(tx, row.id)
    // An item of a report the actor may not read does not exist for them.
    if (!item || !can(acting.actor, { action: 'drill.viewReport', drill: facts, report })) throw new DomainError('not_found')
    authorize(acting.actor, { action: 'drill.updateActionItem', drill: facts, report, item })
    if ((item.doneAt !== null) === done) return { id: item.id, done }
    await tx
      .update(drillActionItems)
      .set(done ? { doneAt: now, doneBy: acting.actor.userId, updatedAt: now } : { doneAt: null, doneBy: null, updatedAt: now })
      .where(eq(drillActionItems.id, item.id))
    await auditAs(tx, acting, {
      action: done ? 'drill.action_item_done' : 'drill.action_item_reopened',
      objectType: 'drill',
      objectId: row.id,
      objectOrganisationId: item.ownerOrganisationId,
      details: { actionItemId: item.id },
    })
    return { id: item.id, done }
  })
}

async function mayObserve(acting: ActingContext, facts: DrillFacts) {
  return can(acting.actor, { action: 'drill.recordObservation', drill: facts, mine: await myRegistration(acting.services.db, acting, facts.id) })
}

/**
 * The report page: the report and its action items for whoever may read it, the observations
 * and the forms for whoever may record or write. 404 for anyone who may do neither (a draft
 * report does not exist for the participants).
 */
export async function getDrillReport(acting: ActingContext, rawDrillId: unknown) {
  const { row, facts } = await getVisibleDrill(acting, rawDrillId)
  const db = acting.services.db
  const { report, facts: reportFacts } = await loadReport(db, row.id)
  const mayRead = can(acting.actor, { action: 'drill.viewReport', drill: facts, report: reportFacts })
  const observe = await mayObserve(acting, facts)
  if (!mayRead && !observe) throw new DomainError('not_found')
  const write = can(acting.actor, { action: 'drill.writeReport', drill: facts })
  const manage = can(acting.actor, { action: 'drill.manage', drill: facts })
  const actionItems = mayRead
    ? await db
        .select({
          id: drillActionItems.id,
          description: drillActionItems.description,
          ownerOrganisationId: drillActionItems.ownerOrganisationId,
          ownerName: organisations.shortName,
          dueOn: drillActionItems.dueOn,
          doneAt: drillActionItems.doneAt,
          doneByName: doneByUser.name,
        })
        .from(drillActionItems)
        .innerJoin(organisations, eq(organisations.id, drillActionItems.ownerOrganisationId))
        .leftJoin(doneByUser, eq(doneByUser.id, drillActionItems.doneBy))
        .where(eq(drillActionItems.drillId, row.id))
        .orderBy(asc(drillActionItems.dueOn), asc(drillActionItems.createdAt))
    : []
  const observations = observe
    ? await db
        .select({
          id: drillObservations.id,
          objective: drillObservations.objective,
          score: drillObservations.score,
          text: drillObservations.text,
          organisationName: organisations.shortName,
          recordedByName: users.name,
          recordedAt: drillObservations.recordedAt,
        })
        .from(drillObservations)
        .innerJoin(users, eq(users.id, drillObservations.recordedBy))
        .leftJoin(organisations, eq(organisations.id, drillObservations.organisationId))
        .where(eq(drillObservations.drillId, row.id))
        .orderBy(asc(drillObservations.recordedAt))
    : []
  return {
    drill: { id: row.id, title: row.title, status: row.status, tlp: row.tlp },
    objectives: objectiveList(row.objectives),
    // What the page shows, not the row: who wrote it stays in the audit trail.
    report:
      mayRead && report
        ? {
            status: report.status,
            objectivesMet: report.objectivesMet,
            objectiveAssessments: report.objectiveAssessments,
            observationsSummary: report.observationsSummary,
            recommendations: report.recommendations,
            publishedAt: report.publishedAt,
          }
        : null,
    actionItems: actionItems.map((item) => ({
      ...item,
      mayUpdate: can(acting.actor, { action: 'drill.updateActionItem', drill: facts, report: reportFacts, item }),
    })),
    observations,
    participants: observe || write ? await participatingOrganisations(db, row.id, row.organiserOrganisationId) : [],
    can: { observe, write, publish: write && row.status === 'completed' && report?.status === 'draft', manage },
  }
}

/** What the drill page links to: the attendance sheet (organisers) and the report (readers, recorders). */
export async function afterActionLinks(acting: ActingContext, rawDrillId: unknown) {
  const { row, facts } = await getVisibleDrill(acting, rawDrillId)
  if (!AFTER_ACTION_OPEN.includes(row.status)) return { attendance: false, report: false }
  const { facts: report } = await loadReport(acting.services.db, row.id)
  return {
    attendance: can(acting.actor, { action: 'drill.exportParticipants', drill: facts }),
    report: can(acting.actor, { action: 'drill.viewReport', drill: facts, report }) || (await mayObserve(acting, facts)),
  }
}
