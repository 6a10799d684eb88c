import { and, eq, inArray } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { accessGrants, coordinationRequests, incidentReminders, notificationEvents } from '../../db/schema/index.ts'
import { runDeadlineReminders } from '../../app/incidents/deadlines.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { castOf, insertIncident, recipientIdsOf, type People } from './triage-fixtures.ts'

// The deadlines of Circular 20/2017 and their reminders: moving the clock past each deadline
// sends exactly one reminder, however often the job runs.

let h: Harness
let people: People
let ownerOrgId: string

beforeAll(async () => {
  h = await createHarness()
  people = await castOf(h)
  ownerOrgId = h.orgIds.get('so-tttt-quang-ninh')!
})
afterAll(() => h.close())

const db = () => h.services.db
const HOUR = 3600 * 1000
const DAY = 24 * HOUR
// A fixed starting point a little in the past, so that cluster terms (seeded for this year)
// and the recipients' policy checks, which use the real clock, still apply.
const T0 = new Date(Date.now() - 20 * DAY)
const at = (ms: number) => new Date(T0.getTime() + ms)

async function runAt(ms: number) {
  h.setNow(at(ms))
  return runDeadlineReminders(h.services)
}

const remindersOf = async (incidentId: string) =>
  (await db().select({ key: incidentReminders.key }).from(incidentReminders).where(eq(incidentReminders.incidentId, incidentId))).map((r) => r.key).sort()

const eventsAbout = (incidentId: string) =>
  db()
    .select()
    .from(notificationEvents)
    .where(and(eq(notificationEvents.objectId, incidentId), inArray(notificationEvents.type, ['incident.deadline_approaching', 'incident.deadline_overdue'])))

const file = (over: Partial<Parameters<typeof insertIncident>[1]>) => insertIncident(db(), { organisationId: ownerOrgId, createdBy: people.ids.creator, ...over })

describe('deadline reminders', () => {
  test('a draft not notified within 5 days of detection: one reminder a day before, one when overdue', async () => {
    const draft = await file({ status: 'draft', submittedAt: null, detectedAt: T0 })
    await runAt(3 * DAY)
    expect(await remindersOf(draft.id)).toEqual([])
    await runAt(4 * DAY + HOUR)
    await runAt(4 * DAY + 2 * HOUR)
    expect(await remindersOf(draft.id)).toEqual(['notification:approaching'])
    await runAt(5 * DAY + 60_000)
    await runAt(5 * DAY + 2 * 60_000)
    expect(await remindersOf(draft.id)).toEqual(['notification:approaching', 'notification:overdue'])
    const events = await eventsAbout(draft.id)
    expect(events.map((e) => e.type).sort()).toEqual(['incident.deadline_approaching', 'incident.deadline_overdue'])
    const overdue = events.find((e) => e.type === 'incident.deadline_overdue')!
    expect(overdue).toMatchObject({ actorUserId: null, organisationId: ownerOrgId, tlp: 'AMBER' })
    expect(overdue.payload).toMatchObject({ deadline: 'notification', incidentId: draft.id, reference: draft.reference, link: `/incidents/${draft.id}` })
    // A draft is seen only by its creator and the organisation's responders and admins.
    const recipients = await recipientIdsOf(db(), overdue)
    expect(recipients).toEqual(expect.arrayContaining([people.ids.creator, people.ids.responder, people.ids.ownAdmin]))
    for (const person of ['otherReporter', 'leadResponder', 'analyst'] as const) expect(recipients).not.toContain(people.ids[person])
  })

  test('an unacknowledged report is overdue after 24 hours, and its receivers are reminded once', async () => {
    const inc = await file({ status: 'new', submittedAt: T0, detectedAt: at(-DAY) })
    await runAt(23 * HOUR)
    expect(await remindersOf(inc.id)).toEqual([])
    const run = await runAt(25 * HOUR)
    expect(run.sent).toContain(`${inc.reference} acknowledgement:overdue`)
    expect((await runAt(26 * HOUR)).sent.filter((s) => s.startsWith(inc.reference))).toEqual([])
    expect(await remindersOf(inc.id)).toEqual(['acknowledgement:overdue'])
    const [event] = await eventsAbout(inc.id)
    expect(event!.type).toBe('incident.deadline_overdue')
    // The cluster's lead acknowledges too (AMBER lets it see the incident).
    expect(await recipientIdsOf(db(), event!)).toEqual(expect.arrayContaining([people.ids.creator, people.ids.responder, people.ids.leadResponder]))
  })

  test('an acknowledged report sends nothing', async () => {
    const inc = await file({ status: 'acknowledged', submittedAt: T0, acknowledgedAt: at(HOUR) })
    await runAt(3 * DAY)
    expect(await remindersOf(inc.id)).toEqual([])
  })

  test('a resolved incident without its closure report: approaching, then overdue; the report stops them', async () => {
    const inc = await file({ status: 'resolved', submittedAt: at(-2 * DAY), acknowledgedAt: at(-2 * DAY), resolvedAt: T0, assignedUserId: people.ids.otherReporter })
    await runAt(4 * DAY + HOUR)
    expect(await remindersOf(inc.id)).toEqual(['closure:approaching'])
    const [event] = await eventsAbout(inc.id)
    expect(await recipientIdsOf(db(), event!)).toContain(people.ids.otherReporter)
    await runAt(5 * DAY + HOUR)
    await runAt(6 * DAY)
    expect(await remindersOf(inc.id)).toEqual(['closure:approaching', 'closure:overdue'])
    expect(await eventsAbout(inc.id)).toHaveLength(2)

    const reported = await file({ status: 'resolved', resolvedAt: T0, closureSubmittedAt: at(DAY) })
    await runAt(6 * DAY)
    expect(await remindersOf(reported.id)).toEqual([])
  })

  test('a deadline first seen already passed sends only the overdue reminder', async () => {
    const inc = await file({ status: 'resolved', resolvedAt: T0 })
    await runAt(9 * DAY)
    await runAt(9 * DAY + HOUR)
    expect(await remindersOf(inc.id)).toEqual(['closure:overdue'])
  })

  test('a coordination request past due and unanswered reminds its recipient once', async () => {
    const inc = await file({ status: 'investigating', submittedAt: T0, acknowledgedAt: T0 })
    const haiPhong = h.orgIds.get('so-tttt-hai-phong')!
    const bacNinh = h.orgIds.get('so-tttt-bac-ninh')!
    const [open, answered] = await db()
      .insert(coordinationRequests)
      .values([
        { incidentId: inc.id, issuedBy: people.ids.analyst, issuingOrganisationId: h.orgIds.get('vncert')!, organisationId: haiPhong, request: 'Chặn IP', dueAt: at(2 * DAY) },
        {
          incidentId: inc.id,
          issuedBy: people.ids.analyst,
          issuingOrganisationId: h.orgIds.get('vncert')!,
          organisationId: bacNinh,
          request: 'Chặn IP',
          dueAt: at(2 * DAY),
          status: 'answered',
          answer: 'Đã chặn',
          answeredAt: at(DAY),
        },
      ])
      .returning()
    // The recipient was granted the incident when the request was issued.
    await db().insert(accessGrants).values({ objectType: 'incident', objectId: inc.id, granteeOrganisationId: haiPhong, reason: 'coordination' })
    await runAt(DAY)
    expect(await remindersOf(inc.id)).toEqual([])
    await runAt(2 * DAY + HOUR)
    await runAt(3 * DAY)
    expect(await remindersOf(inc.id)).toEqual([`coordination:${open!.id}:overdue`])
    expect(await remindersOf(inc.id)).not.toContain(`coordination:${answered!.id}:overdue`)
    const [event] = await eventsAbout(inc.id)
    expect(event!.payload).toMatchObject({ deadline: 'coordination', link: `/coordination/${open!.id}` })
    const recipients = await recipientIdsOf(db(), event!)
    expect(recipients).toContain(people.ids.sibling)
    expect(recipients).not.toContain(people.ids.creator)
    expect(recipients).not.toContain(people.ids.otherCluster)
  })

  test('two runs at once still send each reminder once', async () => {
    const inc = await file({ status: 'new', submittedAt: T0 })
    h.setNow(at(2 * DAY))
    await Promise.all([runDeadlineReminders(h.services), runDeadlineReminders(h.services)])
    expect(await remindersOf(inc.id)).toEqual(['acknowledgement:overdue'])
    expect(await eventsAbout(inc.id)).toHaveLength(1)
  })
})
