import { and, eq, gte, inArray, isNull, lte, ne, or } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { clusterMembers, clusterOfficers, drillRegistrations, notificationEvents, organisations, users } from '../../db/schema/index.ts'
import { loadDrillFacts } from '../drills/access.server.ts'
import { loadIncidentFacts } from '../incidents/access.server.ts'
import { loadIndicatorFacts } from '../iocs/access.server.ts'
import { calendarDate } from '../lib/dates.ts'
import type { UserRole } from '../policy/actor.ts'
import { loadActor } from '../policy/actor.server.ts'
import { canSeeDrill, canSeeIncident, canSeeIndicator, isInvitedToDrill, type DrillFacts } from '../policy/policy.server.ts'

type EventRow = typeof notificationEvents.$inferSelect

export interface Recipient {
  id: string
  email: string
  name: string
  locale: string | null
  timeZone: string
  organisationId: string
  status: 'invited' | 'active' | 'deactivated'
}

const recipientColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  locale: users.locale,
  timeZone: users.timeZone,
  organisationId: users.organisationId,
  status: users.status,
}

/**
 * Who an event notifies. Each event type names its audience here; later issues add theirs
 * (and must ask the policy whether each recipient may see the object). Deactivated users never
 * receive anything; invited users only their invitation.
 */
export async function resolveRecipients(db: Executor, event: EventRow): Promise<Recipient[]> {
  const payload = event.payload as Record<string, string | undefined>
  switch (event.type) {
    case 'user.invited':
      return db.select(recipientColumns).from(users).where(and(eq(users.id, payload.userId ?? ''), eq(users.status, 'invited')))
    case 'auth.password_reset_requested':
    case 'user.role_changed':
      return db.select(recipientColumns).from(users).where(and(eq(users.id, payload.userId ?? ''), eq(users.status, 'active')))
    case 'cluster.officer_assigned':
      // The assigned organisation's coordinators and admins learn of their new duty.
      return db
        .select(recipientColumns)
        .from(users)
        .where(
          and(
            eq(users.organisationId, payload.organisationId ?? event.organisationId ?? ''),
            eq(users.status, 'active'),
            inArray(users.role, ['responder', 'org_admin']),
            ne(users.id, event.actorUserId ?? '00000000-0000-0000-0000-000000000000'),
          ),
        )
    default:
      if (event.type.startsWith('incident.')) return incidentRecipients(db, event)
      if (event.type.startsWith('drill.')) return drillRecipients(db, event)
      if (event.type === 'indicator.correlated') return correlationRecipients(db, event)
      return []
  }
}

/**
 * Who an incident event is for, as the emitting module describes it in `payload.audience`.
 * Every candidate is then checked against the policy: nobody is told about an incident (not
 * even its reference) unless they may see it, and the actor is not told of their own act.
 */
export interface IncidentAudience {
  /** Staff of these organisations (responders and org admins unless roles say otherwise). */
  organisations?: { id: string; roles?: UserRole[] }[]
  users?: string[]
  /** National-CERT analysts and admins (escalations, triage). */
  nationalCertTriagers?: boolean
  /** The lead and deputy organisations (current term) of this organisation's clusters. */
  clusterCoordinatorsOf?: string
  /** An internal note: only this organisation's staff may be told. */
  internalToOrganisationId?: string
}

async function incidentRecipients(db: Executor, event: EventRow): Promise<Recipient[]> {
  const payload = event.payload as { incidentId?: string; audience?: IncidentAudience }
  const audience = payload.audience ?? {}
  const incident = payload.incidentId ? await loadIncidentFacts(db, payload.incidentId) : null
  if (!incident) return []
  const ids = new Set<string>(audience.users ?? [])
  const orgRoles: { id: string; roles: UserRole[] }[] = (audience.organisations ?? []).map((o) => ({ id: o.id, roles: o.roles ?? ['responder', 'org_admin'] }))
  if (audience.clusterCoordinatorsOf) {
    const today = calendarDate(new Date())
    const coordinators = await db
      .selectDistinct({ organisationId: clusterOfficers.organisationId })
      .from(clusterOfficers)
      .innerJoin(clusterMembers, eq(clusterMembers.clusterId, clusterOfficers.clusterId))
      .where(and(eq(clusterMembers.organisationId, audience.clusterCoordinatorsOf), lte(clusterOfficers.termStart, today), gte(clusterOfficers.termEnd, today)))
    for (const c of coordinators) orgRoles.push({ id: c.organisationId, roles: ['responder', 'org_admin'] })
  }
  if (audience.nationalCertTriagers) {
    const certs = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.kind, 'national_cert'))
    for (const c of certs) orgRoles.push({ id: c.id, roles: ['cert_analyst', 'org_admin'] })
  }
  for (const o of orgRoles) {
    const staff = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.organisationId, o.id), inArray(users.role, o.roles), eq(users.status, 'active')))
    for (const u of staff) ids.add(u.id)
  }
  if (event.actorUserId) ids.delete(event.actorUserId)
  if (ids.size === 0) return []
  const candidates = await db
    .select(recipientColumns)
    .from(users)
    .where(and(inArray(users.id, [...ids]), eq(users.status, 'active')))
  const allowed: Recipient[] = []
  for (const candidate of candidates) {
    if (audience.internalToOrganisationId && candidate.organisationId !== audience.internalToOrganisationId) continue
    const actor = await loadActor(db, candidate.id, new Date())
    if (actor && canSeeIncident(actor, incident.facts)) allowed.push(candidate)
  }
  return allowed
}

/**
 * Who a drill event is for, as the emitting module describes it in `payload.audience`. As with
 * incidents, each candidate is checked against the policy (a drill's TLP and its invitations).
 */
export interface DrillAudience {
  users?: string[]
  /** All active staff of the invited organisations (membership as of the fan-out). */
  invitedOrganisations?: boolean
  /** The organisation admins of this organisation (approval of their staff's sign-ups). */
  organisationAdminsOf?: string
  /** Leave out people holding a live registration (a "registration closes soon" reminder). */
  excludeRegistered?: boolean
}

async function drillRecipients(db: Executor, event: EventRow): Promise<Recipient[]> {
  const payload = event.payload as { drillId?: string; audience?: DrillAudience }
  const audience = payload.audience ?? {}
  const drill = payload.drillId ? await loadDrillFacts(db, payload.drillId) : null
  if (!drill) return []
  const conditions = []
  if (audience.users && audience.users.length > 0) conditions.push(inArray(users.id, audience.users))
  if (audience.organisationAdminsOf) conditions.push(and(eq(users.organisationId, audience.organisationAdminsOf), eq(users.role, 'org_admin')))
  let candidates: Recipient[] = []
  for (const condition of conditions) {
    candidates.push(...(await db.select(recipientColumns).from(users).where(and(condition, eq(users.status, 'active')))))
  }
  if (audience.invitedOrganisations) {
    // Narrowed here to the invited organisations' staff; the policy below has the last word.
    const invited = await invitedOrganisationIds(db, drill.facts)
    const staff = and(eq(users.status, 'active'), ne(users.role, 'sysadmin'))
    candidates.push(...(await db.select(recipientColumns).from(users).where(invited ? and(staff, inArray(users.organisationId, invited)) : staff)))
  }
  const seen = new Set<string>()
  // The actor is not told of their own act, except a person named for themselves: signing up
  // oneself still brings the confirmation (and later its calendar invitation).
  candidates = candidates.filter((c) => !seen.has(c.id) && seen.add(c.id) && (c.id !== event.actorUserId || audience.users?.includes(c.id)))
  if (audience.excludeRegistered && candidates.length > 0) {
    const registered = await db
      .select({ userId: drillRegistrations.userId })
      .from(drillRegistrations)
      .where(and(eq(drillRegistrations.drillId, drill.row.id), ne(drillRegistrations.status, 'cancelled')))
    const skip = new Set(registered.map((r) => r.userId))
    candidates = candidates.filter((c) => !skip.has(c.id))
  }
  const allowed: Recipient[] = []
  for (const candidate of candidates) {
    const actor = await loadActor(db, candidate.id, new Date())
    if (!actor || !canSeeDrill(actor, drill.facts)) continue
    const named = audience.users?.includes(candidate.id) || (audience.organisationAdminsOf === candidate.organisationId && actor.role === 'org_admin')
    if (named || (audience.invitedOrganisations && isInvitedToDrill(actor, drill.facts))) allowed.push(candidate)
  }
  return allowed
}

/** The invited organisations of a drill today, or null for the whole network. */
async function invitedOrganisationIds(db: Executor, d: DrillFacts): Promise<string[] | null> {
  switch (d.scope) {
    case 'network':
      return null
    case 'organisation':
      return [d.organiserOrganisationId]
    case 'list':
      return [d.organiserOrganisationId, ...d.listedOrganisationIds]
    case 'cluster': {
      if (!d.clusterId) return [d.organiserOrganisationId]
      const today = calendarDate(new Date())
      const members = await db
        .select({ id: clusterMembers.organisationId })
        .from(clusterMembers)
        .where(and(eq(clusterMembers.clusterId, d.clusterId), lte(clusterMembers.since, today), or(isNull(clusterMembers.until), gte(clusterMembers.until, today))))
      return [d.organiserOrganisationId, ...members.map((m) => m.id)]
    }
  }
}

/**
 * A new correlation is for the cluster lead(s) and deputies of the organisations holding the value,
 * and the national CERT's analysts and admins; each is told only if they may see both sides of at
 * least one new pair (the new indicator and another organisation's), so that a notice never
 * reveals an indicator its reader may not see. The actor is not told of their own act.
 */
async function correlationRecipients(db: Executor, event: EventRow): Promise<Recipient[]> {
  const payload = event.payload as { indicatorId?: string; relatedIndicatorIds?: string[]; organisationIds?: string[] }
  const indicator = payload.indicatorId ? await loadIndicatorFacts(db, payload.indicatorId) : null
  if (!indicator) return []
  const related = []
  for (const id of payload.relatedIndicatorIds ?? []) {
    const loaded = await loadIndicatorFacts(db, id)
    if (loaded) related.push(loaded.facts)
  }
  const today = calendarDate(new Date())
  const orgIds = payload.organisationIds ?? []
  const coordinators =
    orgIds.length === 0
      ? []
      : await db
          .selectDistinct({ organisationId: clusterOfficers.organisationId })
          .from(clusterOfficers)
          .innerJoin(clusterMembers, eq(clusterMembers.clusterId, clusterOfficers.clusterId))
          .where(and(inArray(clusterMembers.organisationId, orgIds), lte(clusterOfficers.termStart, today), gte(clusterOfficers.termEnd, today)))
  const certs = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.kind, 'national_cert'))
  const staffOf = [
    ...coordinators.map((c) => and(eq(users.organisationId, c.organisationId), inArray(users.role, ['responder', 'org_admin']))),
    ...certs.map((c) => and(eq(users.organisationId, c.id), inArray(users.role, ['cert_analyst', 'org_admin']))),
  ]
  if (staffOf.length === 0) return []
  const candidates = await db
    .select(recipientColumns)
    .from(users)
    .where(and(or(...staffOf), eq(users.status, 'active'), ne(users.id, event.actorUserId ?? '00000000-0000-0000-0000-000000000000')))
  const allowed: Recipient[] = []
  for (const candidate of candidates) {
    const actor = await loadActor(db, candidate.id, new Date())
    if (actor && canSeeIndicator(actor, indicator.facts) && related.some((r) => canSeeIndicator(actor, r))) allowed.push(candidate)
  }
  return allowed
}
