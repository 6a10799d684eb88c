import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { deliveries, drills, drillSessions, organisations } from '../../db/schema/index.ts'
import { drillInvitationFor } from '../../app/drills/calendar-invitations.server.ts'
import { buildDrillCalendar, calendarPartsOf, drillCalendarDownload, type CalendarOptions } from '../../app/drills/calendar.server.ts'
import { transitionDrill } from '../../app/drills/drills.server.ts'
import { updateDrill } from '../../app/drills/editing.server.ts'
import { approveRegistration, cancelRegistration, signUpForDrill } from '../../app/drills/registrations.server.ts'
import { dateToLocalDateTime } from '../../app/lib/dates.ts'
import { sendDelivery } from '../../app/notifications/deliver.server.ts'
import { fanOutEvent } from '../../app/notifications/fanout.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { drillCast, drillEvents, drillForm, drillRow, expectDomainError, publishedDrill, type DrillCast } from './fixtures.ts'
import { parseCalendar } from './ical.ts'

// The iCalendar a drill produces, read back with ical.js: one VEVENT per session with a UID
// that survives edits, SEQUENCE from the row, wall-clock times in Asia/Ho_Chi_Minh with their
// VTIMEZONE, the METHOD for each use, and nothing an AMBER drill keeps to its page.

let h: Harness
let cast: DrillCast

beforeAll(async () => {
  h = await createHarness()
  cast = await drillCast(h)
})
afterAll(() => h.close())

const DAY = 24 * 3600_000
/** The calendar day (in Vietnam) `days` from now, as YYYY-MM-DD. */
const dayFromNow = (days: number) => dateToLocalDateTime(new Date(h.services.now().getTime() + days * DAY), 'Asia/Ho_Chi_Minh').slice(0, 10)

/** A published Cluster A drill with two sessions: 09:00–12:00 on day 10 and 13:30–17:00 on day 11. */
const twoSessionForm = (over: Record<string, string | string[]> = {}) =>
  drillForm(h.services.now(), {
    clusterId: cast.clusterId,
    sessionStarts: [`${dayFromNow(10)}T09:00`, `${dayFromNow(11)}T13:30`],
    sessionEnds: [`${dayFromNow(10)}T12:00`, `${dayFromNow(11)}T17:00`],
    ...over,
  })
async function twoSessionDrill(over: Record<string, string | string[]> = {}) {
  return publishedDrill(await cast.as('leadResponder'), twoSessionForm(over))
}

async function calendarOf(id: string, opts: Partial<CalendarOptions> = {}) {
  const drill = await calendarPartsOf(h.services.db, (await drillRow(h, id))!)
  const text = buildDrillCalendar(h.services.env, [drill], { method: 'REQUEST', channel: 'mail', locale: 'vi', now: h.services.now(), ...opts })
  // Unfolded (RFC 5545 §3.1), so that a search for a string cannot miss it across a fold.
  return { text: text.replace(/\r\n[ \t]/g, ''), ...parseCalendar(text) }
}

describe('a drill as iCalendar', () => {
  test('one VEVENT per session, written in Asia/Ho_Chi_Minh with its VTIMEZONE and the wall-clock times of the form', async () => {
    const id = await twoSessionDrill()
    const cal = await calendarOf(id, { attendee: { email: cast.users.memberReporter.email, name: 'memberReporter' } })
    expect(cal.method).toBe('REQUEST')
    expect(cal.timezones).toEqual(['Asia/Ho_Chi_Minh'])
    expect(cal.text).toContain('TZOFFSETTO:+0700')
    expect(cal.events).toHaveLength(2)
    const [first, second] = cal.events
    expect(first).toMatchObject({ tzid: 'Asia/Ho_Chi_Minh', localStart: `${dayFromNow(10)}T09:00:00`, sequence: 0, status: 'CONFIRMED' })
    expect(second).toMatchObject({ tzid: 'Asia/Ho_Chi_Minh', localStart: `${dayFromNow(11)}T13:30:00` })
    // The same instants as the rows hold (UTC), once the client applies the VTIMEZONE.
    const sessions = await h.services.db.select().from(drillSessions).where(eq(drillSessions.drillId, id)).orderBy(drillSessions.startsAt)
    expect(cal.events.map((e) => [e.start.getTime(), e.end.getTime()])).toEqual(sessions.map((s) => [s.startsAt.getTime(), s.endsAt.getTime()]))
    expect(first!.summary).toBe('Diễn tập ứng cứu sự cố mã độc tống tiền (buổi 1/2)')
    expect(first!.organizer).toBe('mailto:no-reply@csirt.localhost')
    expect(first!.attendees).toEqual([`mailto:${cast.users.memberReporter.email}`])
    expect(first!.location).toBe('Sở KH&CN Nam Định, phòng họp tầng 3')
    expect(first!.description).toContain(`http://localhost:3000/drills/${id}`)
    expect(new Set(cal.events.map((e) => e.uid)).size).toBe(2)
  })

  test('the UIDs survive an edit that rewrites the sessions; SEQUENCE is the row’s', async () => {
    const id = await twoSessionDrill()
    const before = await calendarOf(id)
    // What an edit of the time does: the sessions rewritten, the sequence raised (RFC 5545 §3.8.7.4).
    const moved = await h.services.db.select().from(drillSessions).where(eq(drillSessions.drillId, id)).orderBy(drillSessions.startsAt)
    await h.services.db.delete(drillSessions).where(eq(drillSessions.drillId, id))
    await h.services.db.insert(drillSessions).values(moved.map((s) => ({ drillId: id, startsAt: new Date(s.startsAt.getTime() + 3600_000), endsAt: new Date(s.endsAt.getTime() + 3600_000) })))
    await h.services.db.update(drills).set({ sequence: 1 }).where(eq(drills.id, id))
    const after = await calendarOf(id)
    expect(after.events.map((e) => e.uid)).toEqual(before.events.map((e) => e.uid))
    expect(after.events.map((e) => e.sequence)).toEqual([1, 1])
    expect(after.events[0]!.localStart).toBe(`${dayFromNow(10)}T10:00:00`)
    // Another drill's UIDs are its own.
    const other = await calendarOf(await twoSessionDrill())
    expect(other.events.some((e) => before.events.some((b) => b.uid === e.uid))).toBe(false)
  })

  test('a cancelled drill: METHOD:CANCEL, STATUS:CANCELLED and the SEQUENCE the cancellation raised', async () => {
    const id = await twoSessionDrill()
    const before = await calendarOf(id)
    await transitionDrill(await cast.as('leadResponder'), id, 'cancel')
    const cal = await calendarOf(id, { method: 'CANCEL' })
    expect(cal.method).toBe('CANCEL')
    expect(cal.events.map((e) => [e.uid, e.sequence, e.status])).toEqual(before.events.map((e) => [e.uid, 1, 'CANCELLED']))
  })

  test('never the scenario or the objectives; a GREEN drill’s description goes along', async () => {
    const id = await twoSessionDrill()
    const { text, events } = await calendarOf(id, { method: 'PUBLISH', channel: 'feed' })
    expect(events[0]!.description).toContain('Diễn tập trên bàn cho các thành viên của cụm.')
    expect(text).not.toContain('Kịch bản')
    expect(text).not.toContain('Kiểm tra quy trình báo cáo')
  })

  test('TLP:AMBER: by mail and feed only a neutral title and the link; the download keeps the title, never the details', async () => {
    const id = await twoSessionDrill({ tlp: 'AMBER', onlineUrl: 'https://meet.example.vn/secret-room' })
    const [organiser] = await h.services.db.select({ name: organisations.shortName }).from(organisations).where(eq(organisations.id, cast.leadOrgId))
    for (const channel of ['mail', 'feed', 'download'] as const) {
      const { text, events } = await calendarOf(id, { method: channel === 'mail' ? 'REQUEST' : 'PUBLISH', channel })
      for (const secret of ['Kịch bản', 'Kiểm tra quy trình', 'Diễn tập trên bàn cho các thành viên', 'Sở KH&CN Nam Định', 'secret-room']) {
        expect(text, `${channel}: ${secret}`).not.toContain(secret)
      }
      expect(events[0]!.description).toBe(`http://localhost:3000/drills/${id}`)
      expect(events[0]!.url).toBe(`http://localhost:3000/drills/${id}`)
      expect(events[0]!.location).toBeNull()
      if (channel === 'download') {
        expect(events[0]!.summary).toContain('Diễn tập ứng cứu sự cố mã độc tống tiền')
        expect(text).toContain(`CN="${organiser!.name}"`)
      } else {
        expect(events[0]!.summary).toBe('Diễn tập CSIRT Net (TLP:AMBER) (buổi 1/2)')
        expect(text).not.toContain('Diễn tập ứng cứu sự cố')
        expect(text).not.toContain(organiser!.name)
      }
    }
  })

  test('the download is METHOD:PUBLISH for whoever may see the drill, and a 404 for an outsider', async () => {
    const id = await twoSessionDrill({ tlp: 'AMBER' })
    const file = await drillCalendarDownload(await cast.as('memberReporter'), id, 'en')
    expect(file.fileName).toBe(`drill-${id}.ics`)
    expect(parseCalendar(file.content)).toMatchObject({ method: 'PUBLISH', events: [{ tzid: 'Asia/Ho_Chi_Minh' }, { tzid: 'Asia/Ho_Chi_Minh' }] })
    await expectDomainError(drillCalendarDownload(await cast.as('otherResponder'), id, 'en'), 'not_found')
    await expectDomainError(drillCalendarDownload(await cast.as('memberReporter'), 'not-a-uuid', 'en'), 'not_found')
  })
})

describe('the invitation a drill mail carries', () => {
  const recipient = (person: 'memberReporter' | 'memberReporter2') => ({ userId: cast.users[person].id, email: cast.users[person].email, name: person, locale: 'vi' as const })

  test('a confirmation and a promotion carry METHOD:REQUEST to the registrant; a waitlist entry carries none', async () => {
    const id = await twoSessionDrill({ capacity: '1' })
    const mine = await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    await signUpForDrill(await cast.as('memberReporter2'), id, { role: 'participant' })
    const [confirmed, waitlisted] = await drillEvents(h, id, 'drill.registered')
    const invitation = await drillInvitationFor(h.services, confirmed!, recipient('memberReporter'))
    expect(invitation).toMatchObject({ method: 'REQUEST', fileName: 'invite.ics' })
    expect(parseCalendar(invitation!.content).events[0]!.attendees).toEqual([`mailto:${cast.users.memberReporter.email}`])
    expect(await drillInvitationFor(h.services, waitlisted!, recipient('memberReporter2'))).toBeNull()
    // Someone else's confirmation is not an invitation for this recipient.
    expect(await drillInvitationFor(h.services, confirmed!, recipient('memberReporter2'))).toBeNull()

    await cancelRegistration(await cast.as('memberReporter'), mine.id)
    // Sent late, the first confirmation no longer invites: the place has gone.
    expect(await drillInvitationFor(h.services, confirmed!, recipient('memberReporter'))).toBeNull()
    const [promoted] = await drillEvents(h, id, 'drill.waitlist_promoted')
    expect(parseCalendar((await drillInvitationFor(h.services, promoted!, recipient('memberReporter2')))!.content).method).toBe('REQUEST')
  })

  test('a place awaiting approval carries none; its approval carries METHOD:REQUEST', async () => {
    const id = await twoSessionDrill({ requiresApproval: 'on' })
    const pending = await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    expect(pending.status).toBe('pending_approval')
    await approveRegistration(await cast.as('memberAdmin'), pending.id)
    const [asked, approved] = await drillEvents(h, id, 'drill.registered')
    expect(await drillInvitationFor(h.services, asked!, recipient('memberReporter'))).toBeNull()
    expect((await drillInvitationFor(h.services, approved!, recipient('memberReporter')))!.method).toBe('REQUEST')
  })

  test('a confirmed place given up by someone else carries METHOD:CANCEL to its holder, unless they have signed up again', async () => {
    const id = await twoSessionDrill()
    const first = await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    await cancelRegistration(await cast.as('memberAdmin'), first.id)
    const [withdrawn] = await drillEvents(h, id, 'drill.registration_cancelled')
    expect(withdrawn!.payload).toMatchObject({ registrationId: first.id, previousStatus: 'confirmed', audience: { users: [cast.users.memberReporter.id] } })
    const cancel = await drillInvitationFor(h.services, withdrawn!, recipient('memberReporter'))
    expect(parseCalendar(cancel!.content)).toMatchObject({ method: 'CANCEL', events: [{ status: 'CANCELLED', sequence: 0 }, { status: 'CANCELLED' }] })
    await signUpForDrill(await cast.as('memberReporter'), id, { role: 'observer' })
    expect(await drillInvitationFor(h.services, withdrawn!, recipient('memberReporter'))).toBeNull()
  })

  test('cancelling one’s own waitlist entry tells no one; an admin cancelling for their staff tells the person, without a CANCEL', async () => {
    const id = await twoSessionDrill({ capacity: '1' })
    await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    const waiting = await signUpForDrill(await cast.as('memberReporter2'), id, { role: 'participant' })
    await cancelRegistration(await cast.as('memberReporter2'), waiting.id)
    expect(await drillEvents(h, id, 'drill.registration_cancelled')).toEqual([])
    const again = await signUpForDrill(await cast.as('memberReporter2'), id, { role: 'participant' })
    await cancelRegistration(await cast.as('memberAdmin'), again.id)
    const [told] = await drillEvents(h, id, 'drill.registration_cancelled')
    expect(told!.payload).toMatchObject({ previousStatus: 'waitlisted', audience: { users: [cast.users.memberReporter2.id] } })
    expect(await drillInvitationFor(h.services, told!, recipient('memberReporter2'))).toBeNull()
  })

  test('a change of time: METHOD:REQUEST with the same UIDs and the raised SEQUENCE, to confirmed places only', async () => {
    const id = await twoSessionDrill({ capacity: '1' })
    await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    await signUpForDrill(await cast.as('memberReporter2'), id, { role: 'participant' }) // waitlisted
    const before = await calendarOf(id)
    const later = twoSessionForm({ capacity: '1', sessionStarts: [`${dayFromNow(10)}T10:00`, `${dayFromNow(11)}T13:30`] })
    await updateDrill(await cast.as('leadResponder'), id, later)
    const [rescheduled] = await drillEvents(h, id, 'drill.rescheduled')
    const update = parseCalendar((await drillInvitationFor(h.services, rescheduled!, recipient('memberReporter')))!.content)
    expect(update.method).toBe('REQUEST')
    expect(update.events.map((e) => [e.uid, e.sequence])).toEqual(before.events.map((e) => [e.uid, 1]))
    expect(update.events.map((e) => e.localStart)).toEqual([`${dayFromNow(10)}T10:00:00`, `${dayFromNow(11)}T13:30:00`])
    expect(await drillInvitationFor(h.services, rescheduled!, recipient('memberReporter2'))).toBeNull()
  })

  test('a cancellation of the drill carries METHOD:CANCEL', async () => {
    const id = await twoSessionDrill()
    await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    await transitionDrill(await cast.as('leadResponder'), id, 'cancel')
    const [cancelled] = await drillEvents(h, id, 'drill.cancelled')
    const invitation = await drillInvitationFor(h.services, cancelled!, recipient('memberReporter'))
    expect(invitation!.method).toBe('CANCEL')
    expect(parseCalendar(invitation!.content)).toMatchObject({ method: 'CANCEL', events: [{ status: 'CANCELLED', sequence: 1 }, { status: 'CANCELLED', sequence: 1 }] })
  })

  test('without SMTP the outbox keeps the bodies and says which invitation went along', async () => {
    const id = await twoSessionDrill()
    await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    const [confirmed] = await drillEvents(h, id, 'drill.registered')
    await fanOutEvent(h.services, confirmed!.id)
    const [delivery] = await h.services.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.eventId, confirmed!.id), eq(deliveries.userId, cast.users.memberReporter.id)))
    expect(await sendDelivery(h.services, delivery!.id)).toBe('stored')
    const [stored] = await h.services.db.select().from(deliveries).where(eq(deliveries.id, delivery!.id))
    expect(stored!.textBody).toContain('Kèm theo thư: lời mời lịch invite.ics (METHOD:REQUEST).')
  })
})
