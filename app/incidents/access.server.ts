import { and, eq } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { accessGrants, incidents, incidentTimeline } from '../../db/schema/index.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { canSeeIncident, type IncidentFacts } from '../policy/policy.server.ts'

// Shared by every incident module: load an incident with the facts the policy needs, refuse
// what the actor may not see with a 404 (never a 403: existence does not leak), write the
// timeline, grant access.

export type IncidentRow = typeof incidents.$inferSelect

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export async function loadIncidentFacts(db: Executor, id: string): Promise<{ row: IncidentRow; facts: IncidentFacts } | null> {
  if (!UUID.test(id)) return null
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id))
  if (!row) return null
  const grants = await db
    .select({ userId: accessGrants.granteeUserId, organisationId: accessGrants.granteeOrganisationId })
    .from(accessGrants)
    .where(and(eq(accessGrants.objectType, 'incident'), eq(accessGrants.objectId, id)))
  return { row, facts: factsOf(row, grants) }
}

export function factsOf(row: IncidentRow, grants: { userId: string | null; organisationId: string | null }[]): IncidentFacts {
  return {
    id: row.id,
    status: row.status,
    tlp: row.tlp,
    reportingOrganisationId: row.reportingOrganisationId,
    createdBy: row.createdBy,
    assignedUserId: row.assignedUserId,
    respondingOrganisationId: row.respondingOrganisationId,
    triageStatus: row.triageStatus,
    grantedUserIds: grants.flatMap((g) => (g.userId ? [g.userId] : [])),
    grantedOrganisationIds: grants.flatMap((g) => (g.organisationId ? [g.organisationId] : [])),
  }
}

/** The incident if the actor may see it; otherwise a 404, whatever the reason. */
export async function getVisibleIncident(acting: ActingContext, id: string, db: Executor = acting.services.db) {
  const loaded = await loadIncidentFacts(db, id)
  if (!loaded || !canSeeIncident(acting.actor, loaded.facts)) throw new DomainError('not_found')
  return loaded
}

export interface TimelineEntry {
  kind: (typeof incidentTimeline.$inferInsert)['kind']
  body?: string | null
  data?: Record<string, unknown>
  /** Internal note: only the author's organisation sees it. */
  internal?: boolean
}

/** Records an act on the incident's timeline (call inside the act's transaction). */
export async function appendTimeline(tx: Executor, acting: ActingContext, incidentId: string, entry: TimelineEntry) {
  const [row] = await tx
    .insert(incidentTimeline)
    .values({
      incidentId,
      kind: entry.kind,
      at: acting.services.now(),
      actorUserId: acting.actor.userId,
      actorOrganisationId: acting.actor.organisationId,
      internalToOrganisationId: entry.internal ? acting.actor.organisationId : null,
      body: entry.body ?? null,
      data: entry.data ?? {},
    })
    .returning({ id: incidentTimeline.id })
  return row!.id
}

/** Opens the incident to an organisation (escalation, coordination request). Idempotent. */
export async function grantIncidentToOrganisation(tx: Executor, acting: ActingContext, incidentId: string, organisationId: string, reason: string) {
  const [existing] = await tx
    .select({ id: accessGrants.id })
    .from(accessGrants)
    .where(and(eq(accessGrants.objectType, 'incident'), eq(accessGrants.objectId, incidentId), eq(accessGrants.granteeOrganisationId, organisationId)))
  if (existing) return
  await tx.insert(accessGrants).values({ objectType: 'incident', objectId: incidentId, granteeOrganisationId: organisationId, reason, grantedBy: acting.actor.userId })
}

/** Names a person as a recipient (TLP:RED). Idempotent. */
export async function grantIncidentToUser(tx: Executor, acting: ActingContext, incidentId: string, userId: string, reason: string) {
  const [existing] = await tx
    .select({ id: accessGrants.id })
    .from(accessGrants)
    .where(and(eq(accessGrants.objectType, 'incident'), eq(accessGrants.objectId, incidentId), eq(accessGrants.granteeUserId, userId)))
  if (existing) return
  await tx.insert(accessGrants).values({ objectType: 'incident', objectId: incidentId, granteeUserId: userId, reason, grantedBy: acting.actor.userId })
}
