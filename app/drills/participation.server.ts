import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm'
import { drillRegistrations, drills, drillSessions, organisations } from '../../db/schema/index.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { calendarDate, DEFAULT_TIME_ZONE, localDateTimeToDate } from '../lib/dates.ts'
import { validate } from '../lib/forms.ts'
import { participationOrganisationsWhere, visibleDrillsWhere } from '../policy/policy.server.ts'
import { ParticipationQuerySchema } from './schemas.ts'

// The yearly participation figures the provinces report (issue 6): per organisation, the drills
// its staff attended, the people confirmed and the people who attended. A drill belongs to the
// year its first session starts in, in Asia/Ho_Chi_Minh; drafts and cancelled drills do not
// count. Both filters are SQL, from the policy: the organisations the actor may see figures for
// (participationOrganisationsWhere) and, as for every count (004), only drills the actor may see.

/** The participation figures for a year (this year by default), per visible organisation. */
export async function participationCounts(acting: ActingContext, input: unknown) {
  const query = validate(ParticipationQuerySchema, input)
  const now = acting.services.now()
  const year = query.year ?? Number(calendarDate(now, DEFAULT_TIME_ZONE).slice(0, 4))
  const from = localDateTimeToDate(`${year}-01-01T00:00`, DEFAULT_TIME_ZONE)!
  const until = localDateTimeToDate(`${year + 1}-01-01T00:00`, DEFAULT_TIME_ZONE)!
  const db = acting.services.db

  const visibleOrganisations = await db
    .select({ id: organisations.id, name: organisations.shortName })
    .from(organisations)
    .where(and(eq(organisations.active, true), participationOrganisationsWhere(acting.actor)))
    .orderBy(asc(organisations.shortName))
  if (visibleOrganisations.length === 0) return { year, rows: [] }

  const firstSession = db
    .select({ drillId: drillSessions.drillId, startsAt: sql<Date>`min(${drillSessions.startsAt})`.as('starts_at') })
    .from(drillSessions)
    .groupBy(drillSessions.drillId)
    .as('first_session')
  const counted = await db
    .select({
      organisationId: drillRegistrations.organisationId,
      drillsAttended: sql<number>`(count(distinct ${drillRegistrations.drillId}) filter (where ${drillRegistrations.attendance} = 'attended'))::int`,
      peopleConfirmed: sql<number>`count(*)::int`,
      peopleAttended: sql<number>`(count(*) filter (where ${drillRegistrations.attendance} = 'attended'))::int`,
    })
    .from(drillRegistrations)
    .innerJoin(drills, eq(drills.id, drillRegistrations.drillId))
    .innerJoin(firstSession, eq(firstSession.drillId, drills.id))
    .innerJoin(organisations, eq(organisations.id, drillRegistrations.organisationId))
    .where(
      and(
        eq(drillRegistrations.status, 'confirmed'),
        inArray(drills.status, ['published', 'registration_closed', 'in_progress', 'completed']),
        // The instants as text: postgres.js cannot encode a Date against a derived column.
        gte(firstSession.startsAt, sql`${from.toISOString()}::timestamptz`),
        lt(firstSession.startsAt, sql`${until.toISOString()}::timestamptz`),
        visibleDrillsWhere(acting.actor),
        participationOrganisationsWhere(acting.actor),
      ),
    )
    .groupBy(drillRegistrations.organisationId)
  const byId = new Map(counted.map((c) => [c.organisationId, c]))
  return {
    year,
    rows: visibleOrganisations.map((o) => ({
      organisationId: o.id,
      name: o.name,
      drillsAttended: byId.get(o.id)?.drillsAttended ?? 0,
      peopleConfirmed: byId.get(o.id)?.peopleConfirmed ?? 0,
      peopleAttended: byId.get(o.id)?.peopleAttended ?? 0,
    })),
  }
}
