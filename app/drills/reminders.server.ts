import { and, eq, gt, inArray, lte, min, notExists, sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { drillRegistrations, drillReminders, drills, drillSessions } from '../../db/schema/index.ts'
import type { Services } from '../lib/context.server.ts'
import { emitDrillEventBy, type DrillRow } from './access.server.ts'
import { PLACE_HOLDING } from './lifecycle.ts'

// The drill reminders (issue 6), run by the worker every 15 minutes: "registration closes soon"
// to the invited organisations' staff who have not signed up, and "starts in 7 days / tomorrow"
// to the people holding a place. Each reminder is claimed by a row in drill_reminders, keyed by
// what it is about and the instant it refers to, in the transaction that emits its event: a
// retried or overlapping run sends nothing twice, and a drill moved to a new date is reminded
// again for the new date.

const HOUR = 3600_000
const DAY = 24 * HOUR
/** "Registration closes soon" goes out this long before the deadline. */
export const REGISTRATION_CLOSING_WINDOW_MS = 48 * HOUR
/** Reminders before the first session, nearest last; a drill found inside a later window skips the earlier one. */
export const START_REMINDERS = [
  { stage: '7d', beforeMs: 7 * DAY },
  { stage: '1d', beforeMs: 1 * DAY },
] as const

const BATCH = 200

const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000)
const claimKeySql = (prefix: string, instant: unknown) => sql`${prefix} || floor(extract(epoch from ${instant}))::bigint::text`

export interface DrillReminderRun {
  sent: string[]
}

export async function runDrillReminders(services: Services): Promise<DrillReminderRun> {
  const now = services.now()
  const at = (ms: number) => sql`${new Date(now.getTime() + ms).toISOString()}::timestamptz`
  const nowSql = sql`${now.toISOString()}::timestamptz`
  const sent: string[] = []
  const db = services.db

  const closing = await db
    .select()
    .from(drills)
    .where(
      and(
        eq(drills.status, 'published'),
        lte(drills.registrationOpensAt, nowSql),
        gt(drills.registrationClosesAt, nowSql),
        lte(drills.registrationClosesAt, at(REGISTRATION_CLOSING_WINDOW_MS)),
        notExists(
          db
            .select({ one: sql`1` })
            .from(drillReminders)
            .where(and(eq(drillReminders.drillId, drills.id), eq(drillReminders.key, claimKeySql('registration_closing:', drills.registrationClosesAt)))),
        ),
      ),
    )
    .limit(BATCH)
  for (const drill of closing) {
    const key = `registration_closing:${epochSeconds(drill.registrationClosesAt)}`
    const claimed = await remind(services, drill, key, async (tx) => {
      await emitDrillEventBy(tx, services, null, drill, 'drill.registration_closing', { invitedOrganisations: true, excludeRegistered: true }, {
        closesAt: drill.registrationClosesAt.toISOString(),
      })
    })
    if (claimed) sent.push(`${drill.id} ${key}`)
  }

  // The first session of each drill still to come, within the widest window.
  const firstStart = min(drillSessions.startsAt)
  const upcoming = await db
    .select({ id: drills.id, startsAt: firstStart })
    .from(drills)
    .innerJoin(drillSessions, eq(drillSessions.drillId, drills.id))
    .where(inArray(drills.status, ['published', 'registration_closed']))
    .groupBy(drills.id)
    .having(and(gt(firstStart, nowSql), lte(firstStart, at(START_REMINDERS[0].beforeMs))))
    .limit(BATCH)
  for (const candidate of upcoming) {
    const startsAt = new Date(candidate.startsAt as unknown as string | Date)
    const untilStart = startsAt.getTime() - now.getTime()
    // The nearest window the start falls in: 3 days away → the "7 days" reminder; 20 hours → "1 day".
    const stage = [...START_REMINDERS].reverse().find((r) => untilStart <= r.beforeMs)
    if (!stage) continue
    const key = `starts:${stage.stage}:${epochSeconds(startsAt)}`
    const [drill] = await db.select().from(drills).where(eq(drills.id, candidate.id))
    if (!drill) continue
    const claimed = await remind(services, drill, key, async (tx) => {
      const holders = await tx
        .select({ userId: drillRegistrations.userId })
        .from(drillRegistrations)
        .where(and(eq(drillRegistrations.drillId, drill.id), inArray(drillRegistrations.status, [...PLACE_HOLDING])))
      if (holders.length === 0) return
      await emitDrillEventBy(tx, services, null, drill, 'drill.starting_soon', { users: holders.map((h) => h.userId) }, {
        stage: stage.stage,
        startsAt: startsAt.toISOString(),
      })
    })
    if (claimed) sent.push(`${drill.id} ${key}`)
  }
  return { sent }
}

/** Claims the reminder and emits it in one transaction; false if another run already did. */
async function remind(services: Services, drill: DrillRow, key: string, emit: (tx: Executor) => Promise<void>): Promise<boolean> {
  return services.db.transaction(async (tx: Executor) => {
    const claimed = await tx
      .insert(drillReminders)
      .values({ drillId: drill.id, key, sentAt: services.now() })
      .onConflictDoNothing()
      .returning({ key: drillReminders.key })
    if (claimed.length === 0) return false
    await emit(tx)
    return true
  })
}
