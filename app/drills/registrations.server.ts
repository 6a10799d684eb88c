import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { drillRegistrations, users } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { validate } from '../lib/forms.ts'
import { authorize } from '../policy/policy.server.ts'
import { emitDrillEvent, lockVisibleDrill, type DrillRow } from './access.server.ts'
import { PLACE_HOLDING, type RegistrationStatus } from './lifecycle.ts'
import { SignUpSchema } from './schemas.ts'

// Sign-up, cancellation, approval and the waitlist (issue 6). Capacity holds under concurrency
// because every act that changes who holds a place first locks the drill's row
// (lockVisibleDrill, `select … for update`): two sign-ups for the last place run one after the
// other, and the second sees the first's row when it counts. Counting alone, without the lock,
// would let both see a free place under READ COMMITTED.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

type RegistrationRow = typeof drillRegistrations.$inferSelect

/** Places held overall and by one organisation (read under the drill's lock). */
async function placesHeld(tx: Executor, drillId: string, organisationId: string) {
  const [row] = await tx
    .select({
      total: sql<number>`count(*)::int`,
      organisation: sql<number>`(count(*) filter (where ${drillRegistrations.organisationId} = ${organisationId}))::int`,
    })
    .from(drillRegistrations)
    .where(and(eq(drillRegistrations.drillId, drillId), inArray(drillRegistrations.status, [...PLACE_HOLDING])))
  return { total: row?.total ?? 0, organisation: row?.organisation ?? 0 }
}

function hasPlace(drill: DrillRow, held: { total: number; organisation: number }) {
  return held.total < drill.capacity && (drill.perOrganisationCapacity === null || held.organisation < drill.perOrganisationCapacity)
}

/**
 * Signs a person up, inside the caller's transaction: oneself, or (as an organisation admin) one
 * of one's staff. The result is a confirmed place, a place awaiting the organisation admin's
 * approval, or a waitlist entry when the drill (or the organisation's share of it) is full.
 * Exported for callers that compose it into a larger transaction; `signUpForDrill` is the act.
 */
export async function signUp(tx: Executor, acting: ActingContext, rawDrillId: unknown, input: unknown) {
  const { role, userId } = validate(SignUpSchema, input)
  const now = acting.services.now()
  const { row: drill, facts } = await lockVisibleDrill(tx, acting, rawDrillId)
  if (drill.status !== 'published' || now < drill.registrationOpensAt || now >= drill.registrationClosesAt) {
    throw new DomainError('conflict', 'drills.errors.registrationClosed')
  }
  if (!drill.rolesOffered.includes(role)) throw new DomainError('validation', 'errors.validation', { fieldErrors: { role: ['drills.validation.roleNotOffered'] } })
  let registrant = { id: acting.actor.userId, organisationId: acting.actor.organisationId }
  if (userId && userId !== acting.actor.userId) {
    const [staff] = await tx
      .select({ id: users.id, organisationId: users.organisationId })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.status, 'active')))
    if (!staff) throw new DomainError('validation', 'errors.validation', { fieldErrors: { userId: ['validation.invalid'] } })
    authorize(acting.actor, { action: 'drill.registerStaff', drill: facts, role, now, staff })
    registrant = staff
  } else {
    authorize(acting.actor, { action: 'drill.register', drill: facts, role, now })
  }
  const [existing] = await tx
    .select({ id: drillRegistrations.id })
    .from(drillRegistrations)
    .where(and(eq(drillRegistrations.drillId, drill.id), eq(drillRegistrations.userId, registrant.id), sql`${drillRegistrations.status} <> 'cancelled'`))
  if (existing) throw new DomainError('conflict', 'drills.errors.alreadyRegistered')

  // An organisation admin's own act is the approval; anyone else waits for it where required.
  const approvedByAdmin = acting.actor.role === 'org_admin' && acting.actor.organisationId === registrant.organisationId
  const status: RegistrationStatus = !hasPlace(drill, await placesHeld(tx, drill.id, registrant.organisationId))
    ? 'waitlisted'
    : drill.requiresApproval && !approvedByAdmin
      ? 'pending_approval'
      : 'confirmed'
  const [registration] = await tx
    .insert(drillRegistrations)
    .values({
      drillId: drill.id,
      userId: registrant.id,
      organisationId: registrant.organisationId,
      role,
      status,
      registeredBy: acting.actor.userId,
      confirmedAt: status === 'confirmed' ? now : null,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
  await auditAs(tx, acting, {
    action: 'drill.registered',
    objectType: 'drill',
    objectId: drill.id,
    objectOrganisationId: registrant.organisationId,
    details: { registrationId: registration!.id, userId: registrant.id, role, status },
  })
  await emitDrillEvent(tx, acting, drill, 'drill.registered', { users: [registrant.id] }, { registrationId: registration!.id, registrationStatus: status, drillRole: role })
  if (status === 'pending_approval') {
    await emitDrillEvent(tx, acting, drill, 'drill.approval_requested', { organisationAdminsOf: registrant.organisationId }, { drillRole: role })
  }
  return { id: registration!.id, status }
}

/** Signs up for a drill (oneself, or a member of one's staff as their organisation admin). */
export function signUpForDrill(acting: ActingContext, rawDrillId: unknown, input: unknown) {
  return acting.services.db.transaction((tx) => signUp(tx, acting, rawDrillId, input))
}

/** Locks the registration's drill, then re-reads the registration under that lock. */
async function lockRegistration(tx: Executor, acting: ActingContext, rawId: unknown) {
  if (typeof rawId !== 'string' || !UUID.test(rawId)) throw new DomainError('not_found')
  const [found] = await tx.select({ drillId: drillRegistrations.drillId }).from(drillRegistrations).where(eq(drillRegistrations.id, rawId))
  if (!found) throw new DomainError('not_found')
  const { row: drill, facts } = await lockVisibleDrill(tx, acting, found.drillId)
  const [registration] = await tx.select().from(drillRegistrations).where(eq(drillRegistrations.id, rawId))
  return { drill, facts, registration: registration! }
}

/**
 * Fills free places from the waitlist, in order of arrival, skipping people whose organisation
 * has used its share. Call under the drill's lock. Each promoted person is told.
 */
export async function promoteFromWaitlist(tx: Executor, acting: ActingContext, drill: DrillRow): Promise<RegistrationRow[]> {
  const now = acting.services.now()
  const promoted: RegistrationRow[] = []
  const waiting = await tx
    .select()
    .from(drillRegistrations)
    .where(and(eq(drillRegistrations.drillId, drill.id), eq(drillRegistrations.status, 'waitlisted')))
    .orderBy(asc(drillRegistrations.position))
  for (const candidate of waiting) {
    const held = await placesHeld(tx, drill.id, candidate.organisationId)
    if (held.total >= drill.capacity) break
    if (!hasPlace(drill, held)) continue
    // Where approval is required the promoted place still needs it, as any other sign-up would.
    const status: RegistrationStatus = drill.requiresApproval ? 'pending_approval' : 'confirmed'
    const [updated] = await tx
      .update(drillRegistrations)
      .set({ status, confirmedAt: status === 'confirmed' ? now : null, updatedAt: now })
      .where(eq(drillRegistrations.id, candidate.id))
      .returning()
    promoted.push(updated!)
    await auditAs(tx, acting, {
      action: 'drill.waitlist_promoted',
      objectType: 'drill',
      objectId: drill.id,
      objectOrganisationId: candidate.organisationId,
      details: { registrationId: candidate.id, userId: candidate.userId, status },
    })
    await emitDrillEvent(tx, acting, drill, 'drill.waitlist_promoted', { users: [candidate.userId] }, { registrationId: candidate.id, registrationStatus: status, drillRole: candidate.role })
    if (status === 'pending_approval') {
      await emitDrillEvent(tx, acting, drill, 'drill.approval_requested', { organisationAdminsOf: candidate.organisationId }, { drillRole: candidate.role })
    }
  }
  return promoted
}

/**
 * Cancels a registration (one's own; one's staff's as their organisation admin; any, as an
 * organiser). A freed place goes to the next person on the waitlist in the same transaction.
 */
export async function cancelRegistration(acting: ActingContext, rawId: unknown) {
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { drill, facts, registration } = await lockRegistration(tx, acting, rawId)
    authorize(acting.actor, { action: 'drill.cancelRegistration', drill: facts, registration })
    await tx
      .update(drillRegistrations)
      .set({ status: 'cancelled', cancelledAt: now, updatedAt: now })
      .where(eq(drillRegistrations.id, registration.id))
    await auditAs(tx, acting, {
      action: 'drill.registration_cancelled',
      objectType: 'drill',
      objectId: drill.id,
      objectOrganisationId: registration.organisationId,
      details: { registrationId: registration.id, userId: registration.userId, from: registration.status },
    })
    // Cancelled by an organiser or one's organisation admin: the person should not find out at the door.
    // The previous status says whether the mail withdraws a calendar invitation (a confirmed place's).
    if (registration.userId !== acting.actor.userId) {
      await emitDrillEvent(tx, acting, drill, 'drill.registration_cancelled', { users: [registration.userId] }, {
        registrationId: registration.id,
        previousStatus: registration.status,
        drillRole: registration.role,
      })
    }
    const promoted = PLACE_HOLDING.includes(registration.status) ? await promoteFromWaitlist(tx, acting, drill) : []
    return { id: registration.id, promoted: promoted.map((p) => ({ id: p.id, userId: p.userId, status: p.status })) }
  })
}

/** An organisation admin approves a member of their staff's sign-up. */
export async function approveRegistration(acting: ActingContext, rawId: unknown) {
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { drill, facts, registration } = await lockRegistration(tx, acting, rawId)
    authorize(acting.actor, { action: 'drill.approveRegistration', drill: facts, registration })
    await tx
      .update(drillRegistrations)
      .set({ status: 'confirmed', confirmedAt: now, updatedAt: now })
      .where(eq(drillRegistrations.id, registration.id))
    await auditAs(tx, acting, {
      action: 'drill.registration_approved',
      objectType: 'drill',
      objectId: drill.id,
      objectOrganisationId: registration.organisationId,
      details: { registrationId: registration.id, userId: registration.userId },
    })
    await emitDrillEvent(tx, acting, drill, 'drill.registered', { users: [registration.userId] }, { registrationId: registration.id, registrationStatus: 'confirmed', drillRole: registration.role })
    return { id: registration.id, status: 'confirmed' as const }
  })
}
