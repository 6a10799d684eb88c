import { and, asc, count, eq, inArray, sql } from 'drizzle-orm'
import { clusterMembers, clusters, incidents, organisations } from '../../db/schema/index.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { currentMembership, todayFor } from '../orgs/clusters.server.ts'
import { parseId, sortVietnamese } from '../orgs/shared.server.ts'
import type { Actor } from '../policy/actor.ts'
import { isClusterCoordinator, isNationalCertStaff, visibleIncidentsWhere } from '../policy/policy.server.ts'
import { OPEN_STATUSES } from './lifecycle.ts'
import { anyOverdue, incidentListColumns } from './search.server.ts'

// The cluster board (issue 4, "Coordination in the cluster"): the open incidents of a
// cluster's member organisations by member and status, with counts and the oldest one's age,
// and the overdue ones. For the cluster's lead and deputy of the current term and the
// national CERT's staff. It shows only what the viewer may see: every count goes through
// visibleIncidentsWhere, so an AMBER+STRICT or RED incident is not even counted.

export const OVERDUE_LIST_LIMIT = 100

/**
 * Who may open a cluster's board: the coordinators (responders and admins) of the lead or
 * deputy organisation for the current term, and national-CERT staff. The same shape as a
 * policy rule; it belongs in app/policy as an action `cluster.board {clusterId}`.
 */
export function canViewClusterBoard(actor: Actor, clusterId: string): boolean {
  if (isNationalCertStaff(actor)) return true
  return isClusterCoordinator(actor) && actor.officerOf.some((o) => o.clusterId === clusterId)
}

export async function clusterBoard(acting: ActingContext, rawClusterId: string) {
  const clusterId = parseId(rawClusterId)
  const db = acting.services.db
  const [cluster] = await db
    .select({ id: clusters.id, code: clusters.code, nameVi: clusters.nameVi, nameEn: clusters.nameEn })
    .from(clusters)
    .where(eq(clusters.id, clusterId))
  // Clusters are public (cluster.view), so an unknown id is a 404 and a known one a 403.
  if (!cluster) throw new DomainError('not_found')
  if (!canViewClusterBoard(acting.actor, clusterId)) throw new DomainError('forbidden')

  const now = acting.services.now()
  const memberRows = await db
    .select({ organisationId: organisations.id, shortName: organisations.shortName })
    .from(clusterMembers)
    .innerJoin(organisations, eq(organisations.id, clusterMembers.organisationId))
    .where(and(eq(clusterMembers.clusterId, clusterId), currentMembership(todayFor(acting))))
  const members = sortVietnamese(memberRows, (m) => m.shortName)
  const memberIds = members.map((m) => m.organisationId)
  if (memberIds.length === 0) return { cluster, members: [], cells: [], overdue: [], now }

  const ofMembers = and(visibleIncidentsWhere(acting.actor), inArray(incidents.reportingOrganisationId, memberIds))
  const since = sql`coalesce(${incidents.submittedAt}, ${incidents.createdAt})`
  const cells = await db
    .select({
      organisationId: incidents.reportingOrganisationId,
      status: incidents.status,
      count: count(),
      oldestSince: sql<Date>`min(${since})`.mapWith(incidents.createdAt),
    })
    .from(incidents)
    .where(and(ofMembers, inArray(incidents.status, [...OPEN_STATUSES])))
    .groupBy(incidents.reportingOrganisationId, incidents.status)

  const overdue = await db
    .select(incidentListColumns(now))
    .from(incidents)
    .innerJoin(organisations, eq(organisations.id, incidents.reportingOrganisationId))
    .where(and(ofMembers, anyOverdue(now)))
    .orderBy(asc(incidents.createdAt), asc(incidents.id))
    .limit(OVERDUE_LIST_LIMIT)

  return {
    cluster,
    members,
    cells: cells.map((c) => ({ ...c, count: Number(c.count) })),
    overdue,
    now,
  }
}
