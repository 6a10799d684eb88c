import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { calendarFeedTokens, users } from '../../db/schema/index.ts'
import { hashToken } from '../../app/auth/tokens.server.ts'
import { signUpForDrill } from '../../app/drills/registrations.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeUser, TEST_PASSWORD } from '../support/factories.ts'
import { drillCast, drillForm, publishedDrill, type DrillCast } from './fixtures.ts'
import { parseCalendar } from './ical.ts'

// "Add to calendar" and the per-user feed over HTTP: the download follows the drill page's
// visibility, the feed follows its secret token and the policy as the person is today.

let h: Harness
let web: TestApp
let cast: DrillCast

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  cast = await drillCast(h)
})
afterAll(() => h.close())

const clusterDrill = async (over: Record<string, string | string[]> = {}) =>
  publishedDrill(await cast.as('leadResponder'), drillForm(h.services.now(), { clusterId: cast.clusterId, ...over }))
const uidsOf = (text: string) => parseCalendar(text).events.map((e) => e.uid)

/** Creates (or rotates) the signed-in person's feed from the account page; returns its path. */
async function makeFeed(cookie: string) {
  const res = await web.postForm('/account', { intent: 'calendarFeed' }, cookie)
  expect(res.status).toBe(200)
  const page = await res.text()
  const url = /http:\/\/localhost:3000(\/calendar\/[a-z2-7]{32}\.ics)/.exec(page)
  expect(url, 'the feed URL is shown').not.toBeNull()
  return url![1]!
}

describe('"Add to calendar"', () => {
  test('the drill page links the download; an invited member gets a METHOD:PUBLISH attachment', async () => {
    const id = await clusterDrill({ tlp: 'AMBER' })
    const cookie = await web.signIn(cast.users.memberReporter.email, TEST_PASSWORD)
    expect(await (await web.request(`/drills/${id}`, { cookie })).text()).toContain(`href="/drills/${id}.ics"`)
    const res = await web.request(`/drills/${id}.ics`, { cookie })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="drill-${id}.ics"`)
    const cal = parseCalendar(await res.text())
    expect(cal).toMatchObject({ method: 'PUBLISH', events: [{ tzid: 'Asia/Ho_Chi_Minh', summary: 'Diễn tập ứng cứu sự cố mã độc tống tiền' }] })
  })

  test('an outsider gets 404, as for the page; without a session, the sign-in page', async () => {
    const id = await clusterDrill({ tlp: 'AMBER' })
    const outsider = await web.signIn(cast.users.otherResponder.email, TEST_PASSWORD)
    const res = await web.request(`/drills/${id}.ics`, { cookie: outsider })
    expect(res.status).toBe(404)
    expect(await res.text()).not.toContain('BEGIN:VCALENDAR')
    expect((await web.request(`/drills/${id}.ics`)).status).toBe(302)
  })
})

describe('the calendar feed', () => {
  test('lists the confirmed drills of its owner only, without a session; the URL is shown once', async () => {
    const person = await makeUser(h.services.db, cast.memberOrgId, 'reporter')
    const cookie = await web.signIn(person.email, TEST_PASSWORD)
    const mine = await clusterDrill()
    const full = await clusterDrill({ capacity: '1' })
    const notMine = await clusterDrill()
    await signUpForDrill(await h.acting(person.id), mine, { role: 'participant' })
    await signUpForDrill(await cast.as('memberReporter2'), full, { role: 'participant' })
    await signUpForDrill(await h.acting(person.id), full, { role: 'participant' }) // waitlisted

    const feed = await makeFeed(cookie)
    const [stored] = await h.services.db.select().from(calendarFeedTokens).where(eq(calendarFeedTokens.userId, person.id))
    expect(stored!.tokenHash).toBe(hashToken(/\/calendar\/(\w+)\.ics/.exec(feed)![1]!))
    // Only the hash is kept: the account page cannot show the URL again.
    const account = await (await web.request('/account', { cookie })).text()
    expect(account).not.toContain(feed)
    expect(account).toContain('Tạo địa chỉ mới')

    const res = await web.request(feed)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8')
    const text = await res.text()
    expect(parseCalendar(text).method).toBe('PUBLISH')
    const uids = uidsOf(text)
    expect(uids.some((u) => u.includes(mine))).toBe(true)
    expect(uids.some((u) => u.includes(full) || u.includes(notMine))).toBe(false)
  })

  test('a wrong, rotated or revoked token is a 404', async () => {
    const person = await makeUser(h.services.db, cast.memberOrgId, 'reporter')
    const cookie = await web.signIn(person.email, TEST_PASSWORD)
    const first = await makeFeed(cookie)
    expect((await web.request(first)).status).toBe(200)
    expect((await web.request('/calendar/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ics')).status).toBe(404)
    expect((await web.request('/calendar/not-a-token.ics')).status).toBe(404)
    const second = await makeFeed(cookie)
    expect(second).not.toBe(first)
    expect((await web.request(first)).status).toBe(404)
    expect((await web.request(second)).status).toBe(200)
    expect((await web.postForm('/account', { intent: 'revokeCalendarFeed' }, cookie)).status).toBe(200)
    expect((await web.request(second)).status).toBe(404)
  })

  test('a drill its owner may no longer see drops out, and a deactivated owner has no feed', async () => {
    const person = await makeUser(h.services.db, cast.memberOrgId, 'reporter')
    const cookie = await web.signIn(person.email, TEST_PASSWORD)
    const amber = await clusterDrill({ tlp: 'AMBER' })
    const green = await clusterDrill()
    await signUpForDrill(await h.acting(person.id), amber, { role: 'participant' })
    await signUpForDrill(await h.acting(person.id), green, { role: 'participant' })
    const feed = await makeFeed(cookie)
    expect(uidsOf(await (await web.request(feed)).text()).filter((u) => u.includes(amber) || u.includes(green))).toHaveLength(2)

    // Moved to an organisation of another cluster: the cluster's AMBER drill is no longer theirs to see.
    await h.services.db.update(users).set({ organisationId: cast.otherOrgId }).where(eq(users.id, person.id))
    const after = uidsOf(await (await web.request(feed)).text())
    expect(after.some((u) => u.includes(amber))).toBe(false)
    expect(after.some((u) => u.includes(green))).toBe(true)

    await h.services.db.update(users).set({ status: 'deactivated' }).where(eq(users.id, person.id))
    expect((await web.request(feed)).status).toBe(404)
  })
})
