import { eq, sql } from 'drizzle-orm'
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Executor } from '../../db/client.ts'
import { clusterMembers, clusterOfficers, organisations, users } from '../../db/schema/index.ts'
import { calendarDate } from '../lib/dates.ts'
import type { Actor, ClusterOfficerRole } from './actor.ts'

/**
 * Builds the Actor the policy reasons about: the user's organisation and role, and the
 * organisation's cluster memberships and officer roles *for the current term* (dates in
 * Asia/Ho_Chi_Minh). Returns null for a user or organisation that may not act.
 */
export async function loadActor(db: Executor, userId: string, now: Date): Promise<Actor | null> {
  const today = calendarDate(now)
  // One round trip per request (every page and API call builds an actor): the memberships,
  // officer terms and coordinated members come as JSON arrays from subqueries of the user's row.
  const memberToday = (m: { since: AnyPgColumn; until: AnyPgColumn }) => sql`${m.since} <= ${today} and (${m.until} is null or ${m.until} >= ${today})`
  const officerToday = sql`${clusterOfficers.organisationId} = ${users.organisationId} and ${clusterOfficers.termStart} <= ${today} and ${clusterOfficers.termEnd} >= ${today}`
  const coordinatedMembers = alias(clusterMembers, 'coordinated_members')
  const [row] = await db
    .select({
      userId: users.id,
      role: users.role,
      status: users.status,
      organisationId: users.organisationId,
      organisationKind: organisations.kind,
      organisationActive: organisations.active,
      clusterIds: sql<string[]>`coalesce((select json_agg(distinct ${clusterMembers.clusterId}) from ${clusterMembers} where ${clusterMembers.organisationId} = ${users.organisationId} and ${memberToday(clusterMembers)}), '[]'::json)`,
      officerOf: sql<{ clusterId: string; role: ClusterOfficerRole }[]>`coalesce((select json_agg(json_build_object('clusterId', ${clusterOfficers.clusterId}, 'role', ${clusterOfficers.role})) from ${clusterOfficers} where ${officerToday}), '[]'::json)`,
      coordinatedOrganisationIds: sql<string[]>`coalesce((select json_agg(distinct ${coordinatedMembers.organisationId}) from ${clusterMembers} as ${sql.identifier('coordinated_members')} where ${coordinatedMembers.clusterId} in (select ${clusterOfficers.clusterId} from ${clusterOfficers} where ${officerToday}) and ${memberToday(coordinatedMembers)}), '[]'::json)`,
    })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.id, userId))
  if (!row || row.status !== 'active' || !row.organisationActive) return null
  return {
    userId: row.userId,
    organisationId: row.organisationId,
    organisationKind: row.organisationKind,
    role: row.role,
    clusterIds: jsonArray(row.clusterIds),
    officerOf: jsonArray(row.officerOf),
    coordinatedOrganisationIds: jsonArray(row.coordinatedOrganisationIds),
  }
}

/** A json column as the driver hands it over: parsed (postgres.js, PGlite) or, defensively, as text. */
function jsonArray<T>(value: T[] | string): T[] {
  return typeof value === 'string' ? (JSON.parse(value) as T[]) : value
}
