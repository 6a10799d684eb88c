import { and, eq, gte, inArray, isNull, lte, or } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Executor } from '../../db/client.ts'
import { clusterMembers, clusterOfficers, organisations, users } from '../../db/schema/index.ts'
import { calendarDate } from '../lib/dates.ts'
import type { Actor } from './actor.ts'

/**
 * Builds the Actor the policy reasons about: the user's organisation and role, and the
 * organisation's cluster memberships and officer roles *for the current term* (dates in
 * Asia/Ho_Chi_Minh). Returns null for a user or organisation that may not act.
 */
export async function loadActor(db: Executor, userId: string, now: Date): Promise<Actor | null> {
  const [row] = await db
    .select({
      userId: users.id,
      role: users.role,
      status: users.status,
      organisationId: users.organisationId,
      organisationKind: organisations.kind,
      organisationActive: organisations.active,
    })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.id, userId))
  if (!row || row.status !== 'active' || !row.organisationActive) return null

  const today = calendarDate(now)
  const current = <T extends { since: AnyPgColumn; until: AnyPgColumn }>(t: T) =>
    and(lte(t.since, today), or(isNull(t.until), gte(t.until, today)))

  const memberships = await db
    .select({ clusterId: clusterMembers.clusterId })
    .from(clusterMembers)
    .where(and(eq(clusterMembers.organisationId, row.organisationId), current(clusterMembers)))
  const officerOf = await db
    .select({ clusterId: clusterOfficers.clusterId, role: clusterOfficers.role })
    .from(clusterOfficers)
    .where(
      and(
        eq(clusterOfficers.organisationId, row.organisationId),
        lte(clusterOfficers.termStart, today),
        gte(clusterOfficers.termEnd, today),
      ),
    )
  let coordinatedOrganisationIds: string[] = []
  if (officerOf.length > 0) {
    const coordinated = await db
      .selectDistinct({ organisationId: clusterMembers.organisationId })
      .from(clusterMembers)
      .where(
        and(
          inArray(
            clusterMembers.clusterId,
            officerOf.map((o) => o.clusterId),
          ),
          current(clusterMembers),
        ),
      )
    coordinatedOrganisationIds = coordinated.map((c) => c.organisationId)
  }
  return {
    userId: row.userId,
    organisationId: row.organisationId,
    organisationKind: row.organisationKind,
    role: row.role,
    clusterIds: [...new Set(memberships.map((m) => m.clusterId))],
    officerOf,
    coordinatedOrganisationIds,
  }
}
