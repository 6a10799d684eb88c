import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { drillReminders, notifications } from '../../db/schema/index.ts'
import { updateDrill } from '../../app/drills/editing.server.ts'
import { runDrillReminders } from '../../app/drills/reminders.server.ts'
import { signUpForDrill } from '../../app/drills/registrations.server.ts'
import { transitionDrill } from '../../app/drills/drills.server.ts'
import { dateToLocalDateTime } from '../../app/lib/dates.ts'
import { fanOutEvent } from '../../app/notifications/fanout.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { drillCast, drillEvents, drillForm, publishedDrill, type DrillCast } from './fixtures.ts'

// The worker's drill reminders: registration closing soon (to invited staff not yet signed up),
// 7 days and 1 day before the start (to those holding a place), each sent once however often the
// job runs, and again for a new date after a reschedule; none for a cancelled drill.

let h: Harness
let cast: DrillCast

beforeAll(async () => {
  h = await createHarness()
  cast = await drillCast(h)
})
afterAll(() => h.close())

const HOUR = 3600_000
const DAY = 24 * HOUR
const local = (d: Date) => dateToLocalDateTime(d, 'Asia/Ho_Chi_Minh')

async function keysOf(drillId: string) {
  const rows = await h.services.db.select({ key: drillReminders.key }).from(drillReminders).where(eq(drillReminders.drillId, drillId))
  // The reminder without the instant it is about: "registration_closing", "starts:7d"…
  return rows.map((r) => r.key.replace(/:\d+$/, '')).sort()
}

async function inAppFor(eventId: string, userId: string) {
  await fanOutEvent(h.services, eventId)
  return (await h.services.db.select().from(notifications).where(and(eq(notifications.eventId, eventId), eq(notifications.userId, userId)))).length
}

describe('drill reminders', () => {
  test('closing soon, then 7 days and 1 day before: each once, to the right people', async () => {
    // Registration closes in 5 days, the drill starts in 10 (drillForm).
    const t0 = new Date(Date.now() - 12 * DAY)
    h.setNow(t0)
    const at = (ms: number) => {
      h.setNow(new Date(t0.getTime() + ms))
      return runDrillReminders(h.services)
    }
    const id = await publishedDrill(await cast.as('leadResponder'), drillForm(t0, { clusterId: cast.clusterId }))
    await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })

    await at(HOUR)
    expect(await keysOf(id)).toEqual([])

    // 36 hours before registration closes, and 6.5 days before the start: both reminders.
    await at(3.5 * DAY)
    await at(3.5 * DAY + 15 * 60_000)
    expect(await keysOf(id)).toEqual(['registration_closing', 'starts:7d'])
    const [closing] = await drillEvents(h, id, 'drill.registration_closing')
    expect(closing!.payload).toMatchObject({ audience: { invitedOrganisations: true, excludeRegistered: true } })
    expect(closing!.actorUserId).toBeNull()
    // The one already signed up is not reminded to sign up; a colleague who has not, is.
    expect(await inAppFor(closing!.id, cast.users.memberReporter.id)).toBe(0)
    expect(await inAppFor(closing!.id, cast.users.memberReporter2.id)).toBe(1)
    // Not invited (another cluster's member): not told.
    expect(await inAppFor(closing!.id, cast.users.otherResponder.id)).toBe(0)
    const [week] = await drillEvents(h, id, 'drill.starting_soon')
    expect(week!.payload).toMatchObject({ stage: '7d', audience: { users: [cast.users.memberReporter.id] } })
    expect(await inAppFor(week!.id, cast.users.memberReporter.id)).toBe(1)

    // Registration has closed; nothing more until the day before.
    await at(5.5 * DAY)
    expect(await drillEvents(h, id, 'drill.starting_soon')).toHaveLength(1)

    // 20 hours before: the "1 day" reminder.
    await at(9 * DAY + 4 * HOUR)
    await at(9 * DAY + 5 * HOUR)
    expect((await drillEvents(h, id, 'drill.starting_soon')).map((e) => (e.payload as { stage: string }).stage)).toEqual(['7d', '1d'])
    expect(await keysOf(id)).toEqual(['registration_closing', 'starts:1d', 'starts:7d'])

    // Moved two weeks later: reminded again for the new date.
    const lead = await cast.as('leadResponder')
    const newStart = new Date(t0.getTime() + 24 * DAY)
    await updateDrill(
      lead,
      id,
      drillForm(t0, { clusterId: cast.clusterId, sessionStarts: local(newStart), sessionEnds: local(new Date(newStart.getTime() + 3 * HOUR)) }),
    )
    await at(18 * DAY)
    expect((await drillEvents(h, id, 'drill.starting_soon')).map((e) => (e.payload as { stage: string }).stage)).toEqual(['7d', '1d', '7d'])
  })

  test('a drill starting within a day is reminded once, at the nearer stage; a cancelled one not at all', async () => {
    const t0 = new Date(Date.now() - 12 * DAY)
    h.setNow(t0)
    const soon = new Date(t0.getTime() + 20 * HOUR)
    const form = drillForm(t0, {
      clusterId: cast.clusterId,
      registrationClosesAt: local(new Date(t0.getTime() + 10 * HOUR)),
      sessionStarts: local(soon),
      sessionEnds: local(new Date(soon.getTime() + 2 * HOUR)),
    })
    const id = await publishedDrill(await cast.as('leadResponder'), form)
    await signUpForDrill(await cast.as('siblingResponder'), id, { role: 'participant' })
    const cancelled = await publishedDrill(await cast.as('leadResponder'), form)
    await signUpForDrill(await cast.as('siblingResponder'), cancelled, { role: 'participant' })
    await transitionDrill(await cast.as('leadResponder'), cancelled, 'cancel')

    h.setNow(new Date(t0.getTime() + 11 * HOUR))
    await runDrillReminders(h.services)
    expect((await drillEvents(h, id, 'drill.starting_soon')).map((e) => (e.payload as { stage: string }).stage)).toEqual(['1d'])
    expect(await drillEvents(h, cancelled, 'drill.starting_soon')).toEqual([])
    expect(await drillEvents(h, cancelled, 'drill.registration_closing')).toEqual([])
  })
})

