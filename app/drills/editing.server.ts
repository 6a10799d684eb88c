import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { drillOrganisations, drillRegistrations, drills, drillSessions } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { dateToLocalDateTime, DEFAULT_TIME_ZONE } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import type { FieldErrors } from '../lib/forms.ts'
import { authorize } from '../policy/policy.server.ts'
import { emitDrillEvent, getVisibleDrill, lockVisibleDrill } from './access.server.ts'
import { checkInvitations, newDrillForm, parseDrill, type DrillOptions } from './drills.server.ts'
import { EDITABLE_STATUSES, PLACE_HOLDING } from './lifecycle.ts'
import { promoteFromWaitlist } from './registrations.server.ts'

// Editing a drill (issue 6). Until it starts, the organisers may change what they announced:
// title and texts, time, place, capacity and the registration window. What decides who is
// invited and who may read it — kind, level, TLP, invitations — is fixed once the drill is
// published, since people have signed up on the strength of it. A change of time or place raises
// the calendar SEQUENCE and tells everyone registered (their calendars replace the invitation);
// a larger capacity fills from the waitlist at once; a smaller one may not drop below the places
// already held.

/** The fields that are fixed once the drill is published. */
const FIXED_AFTER_PUBLISH = ['kind', 'level', 'tlp', 'scope', 'clusterId', 'organisationIds'] as const

const fieldErrors = (errors: FieldErrors) => new DomainError('validation', 'errors.validation', { fieldErrors: errors })

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i])

/** The edit form: the drill's current values as the form's fields, in the reader's zone. */
export async function editDrillForm(acting: ActingContext, rawId: unknown, opts: DrillOptions = {}) {
  const { row, facts } = await getVisibleDrill(acting, rawId)
  authorize(acting.actor, { action: 'drill.manage', drill: facts })
  if (!EDITABLE_STATUSES.includes(row.status)) throw new DomainError('conflict', 'drills.errors.notEditable')
  const timeZone = opts.timeZone ?? DEFAULT_TIME_ZONE
  const db = acting.services.db
  const sessions = await db.select().from(drillSessions).where(eq(drillSessions.drillId, row.id)).orderBy(asc(drillSessions.startsAt))
  const local = (d: Date) => dateToLocalDateTime(d, timeZone)
  const options = await newDrillForm(acting).catch(() => null)
  return {
    drill: { id: row.id, title: row.title, status: row.status, kind: row.kind, level: row.level, tlp: row.tlp, scope: row.scope },
    // Once published the fixed fields are shown, not offered; the form still sends them back.
    fixed: row.status !== 'draft',
    levels: options?.levels.includes(row.level) ? options.levels : [row.level, ...(options?.levels ?? [])],
    clusterOptions: options?.clusterOptions ?? [],
    organisationOptions: options?.organisationOptions ?? [],
    values: {
      title: row.title,
      kind: row.kind,
      level: row.level,
      description: row.description,
      scenario: row.scenario,
      objectives: row.objectives,
      venue: row.venue ?? '',
      onlineUrl: row.onlineUrl ?? '',
      tlp: row.tlp,
      scope: row.scope,
      clusterId: row.clusterId ?? '',
      capacity: String(row.capacity),
      perOrganisationCapacity: row.perOrganisationCapacity === null ? '' : String(row.perOrganisationCapacity),
      registrationOpensAt: local(row.registrationOpensAt),
      registrationClosesAt: local(row.registrationClosesAt),
      ...(row.requiresApproval ? { requiresApproval: 'on' } : {}),
    } as Record<string, string>,
    lists: {
      rolesOffered: [...row.rolesOffered],
      organisationIds: [...facts.listedOrganisationIds],
      sessionStarts: sessions.map((s) => local(s.startsAt)),
      sessionEnds: sessions.map((s) => local(s.endsAt)),
    } as Record<string, string[]>,
  }
}

/** Places held on the drill, overall and by the organisation holding most (under the drill's lock). */
async function placesHeldNow(tx: Executor, drillId: string) {
  const rows = await tx
    .select({ organisationId: drillRegistrations.organisationId, n: sql<number>`count(*)::int` })
    .from(drillRegistrations)
    .where(and(eq(drillRegistrations.drillId, drillId), inArray(drillRegistrations.status, [...PLACE_HOLDING])))
    .groupBy(drillRegistrations.organisationId)
  return { total: rows.reduce((s, r) => s + r.n, 0), mostByOneOrganisation: rows.reduce((m, r) => Math.max(m, r.n), 0) }
}

/**
 * Saves the edited drill. Not visible → 404; not an organiser → 403; started or over → 409; a
 * fixed field changed after publishing, or a capacity below the places held → field errors.
 */
export async function updateDrill(acting: ActingContext, rawId: unknown, input: unknown, opts: DrillOptions = {}) {
  const { values, opensAt, closesAt, sessions } = parseDrill(input, opts.timeZone ?? DEFAULT_TIME_ZONE)
  const clusterId = values.level === 'cluster' || values.scope === 'cluster' ? values.clusterId : null
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await lockVisibleDrill(tx, acting, rawId)
    authorize(acting.actor, { action: 'drill.manage', drill: facts })
    if (!EDITABLE_STATUSES.includes(row.status)) throw new DomainError('conflict', 'drills.errors.notEditable')

    const errors: FieldErrors = {}
    const before = { kind: row.kind, level: row.level, tlp: row.tlp, scope: row.scope, clusterId: row.clusterId }
    const after = { kind: values.kind, level: values.level, tlp: values.tlp, scope: values.scope, clusterId }
    let listed = facts.listedOrganisationIds
    if (row.status === 'draft') {
      // A draft may still move to another level or cluster, if the actor could create it there.
      authorize(acting.actor, { action: 'drill.create', level: values.level, clusterId })
      listed = await checkInvitations(tx, values, clusterId, now)
    } else {
      for (const field of FIXED_AFTER_PUBLISH) {
        const changed = field === 'organisationIds' ? values.scope === 'list' && !sameList(values.organisationIds, listed) : before[field] !== after[field]
        if (changed) errors[field] = ['drills.validation.fixedAfterPublish']
      }
    }
    const held = await placesHeldNow(tx, row.id)
    if (values.capacity < held.total) errors.capacity = ['drills.validation.capacityBelowHeld']
    if (values.perOrganisationCapacity !== null && values.perOrganisationCapacity < held.mostByOneOrganisation) {
      errors.perOrganisationCapacity = ['drills.validation.capacityBelowHeld']
    }
    if (Object.keys(errors).length > 0) throw fieldErrors(errors)

    const oldSessions = await tx.select().from(drillSessions).where(eq(drillSessions.drillId, row.id)).orderBy(asc(drillSessions.startsAt))
    const timeChanged =
      oldSessions.length !== sessions.length ||
      oldSessions.some((s, i) => s.startsAt.getTime() !== sessions[i]!.startsAt.getTime() || s.endsAt.getTime() !== sessions[i]!.endsAt.getTime())
    const placeChanged = (row.venue ?? null) !== (values.venue ?? null) || (row.onlineUrl ?? null) !== (values.onlineUrl ?? null)
    // A draft has told nobody anything: no calendar holds it yet.
    const announced = row.status !== 'draft' && (timeChanged || placeChanged)

    const [updated] = await tx
      .update(drills)
      .set({
        title: values.title,
        description: values.description ?? '',
        scenario: values.scenario ?? '',
        objectives: values.objectives ?? '',
        venue: values.venue,
        onlineUrl: values.onlineUrl,
        capacity: values.capacity,
        perOrganisationCapacity: values.perOrganisationCapacity,
        rolesOffered: values.rolesOffered,
        registrationOpensAt: opensAt,
        registrationClosesAt: closesAt,
        requiresApproval: values.requiresApproval,
        ...(row.status === 'draft' ? { kind: values.kind, level: values.level, tlp: values.tlp, scope: values.scope, clusterId } : {}),
        ...(announced ? { sequence: row.sequence + 1 } : {}),
        updatedAt: now,
      })
      .where(eq(drills.id, row.id))
      .returning()

    if (timeChanged) {
      // Sessions are updated in place, in order, so each keeps its id (and its calendar UID).
      for (const [i, s] of sessions.entries()) {
        const old = oldSessions[i]
        if (old) await tx.update(drillSessions).set(s).where(eq(drillSessions.id, old.id))
        else await tx.insert(drillSessions).values({ drillId: row.id, ...s })
      }
      const surplus = oldSessions.slice(sessions.length).map((s) => s.id)
      if (surplus.length > 0) await tx.delete(drillSessions).where(inArray(drillSessions.id, surplus))
    }
    if (row.status === 'draft' && !sameList(listed, facts.listedOrganisationIds)) {
      await tx.delete(drillOrganisations).where(eq(drillOrganisations.drillId, row.id))
      if (listed.length > 0) await tx.insert(drillOrganisations).values(listed.map((organisationId) => ({ drillId: row.id, organisationId })))
    }

    const changedFields = (Object.keys(values) as (keyof typeof values)[]).filter((k) => {
      const previous: Record<string, unknown> = { ...row, venue: row.venue ?? null, onlineUrl: row.onlineUrl ?? null }
      if (k === 'sessionStarts' || k === 'sessionEnds' || k === 'organisationIds') return false
      if (k === 'registrationOpensAt') return row.registrationOpensAt.getTime() !== opensAt.getTime()
      if (k === 'registrationClosesAt') return row.registrationClosesAt.getTime() !== closesAt.getTime()
      if (k === 'rolesOffered') return !sameList(row.rolesOffered, values.rolesOffered)
      if (k === 'clusterId') return row.clusterId !== clusterId
      return (previous[k] ?? '') !== (values[k] ?? '')
    })
    if (timeChanged) changedFields.push('sessionStarts')
    await auditAs(tx, acting, {
      action: 'drill.updated',
      objectType: 'drill',
      objectId: row.id,
      objectOrganisationId: row.organiserOrganisationId,
      details: { fields: changedFields, sequence: updated!.sequence },
    })
    if (announced) {
      const registered = await tx
        .select({ userId: drillRegistrations.userId })
        .from(drillRegistrations)
        .where(and(eq(drillRegistrations.drillId, row.id), ne(drillRegistrations.status, 'cancelled')))
      if (registered.length > 0) {
        const changed = [timeChanged ? 'time' : null, placeChanged ? 'place' : null].filter(Boolean).join(',')
        await emitDrillEvent(tx, acting, updated!, 'drill.rescheduled', { users: registered.map((r) => r.userId) }, { changed })
      }
    }
    // More places (overall or per organisation): the waitlist moves up now, not at the next cancellation.
    const promoted = row.status !== 'draft' ? await promoteFromWaitlist(tx, acting, updated!) : []
    return { id: row.id, sequence: updated!.sequence, rescheduled: announced, promoted: promoted.map((p) => p.userId) }
  })
}
