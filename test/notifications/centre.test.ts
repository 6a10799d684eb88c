import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog, notifications } from '../../db/schema/index.ts'
import { listMyNotifications, markAllRead, markRead, unreadCount } from '../../app/notifications/centre.server.ts'
import { emitEvent, type DomainEvent } from '../../app/notifications/emit.server.ts'
import { fanOutEvent } from '../../app/notifications/fanout.server.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeOrganisation, makeUser, TEST_PASSWORD } from '../support/factories.ts'

// The in-app notification centre over real rows made by the real pipeline (an event emitted in
// a transaction, then fanned out): each person sees, counts and marks only their own.

let h: Harness
let web: TestApp
let orgId: string
let alice: { id: string; email: string }
let bob: { id: string; email: string }
let asAlice: ActingContext
let asBob: ActingContext

/** Emits an event about one user and fans it out. An officer assignment notifies the whole
 * organisation's responders, so those tests use an organisation of their own. */
async function notify(userId: string, payload: Record<string, string> = {}, type: DomainEvent['type'] = 'user.role_changed', organisationId = orgId) {
  const eventId = await h.services.db.transaction((tx) =>
    emitEvent(tx, h.services, { type, objectType: 'user', objectId: userId, organisationId, payload: { userId, ...payload } }),
  )
  await fanOutEvent(h.services, eventId)
  const [row] = await h.services.db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.eventId, eventId), eq(notifications.userId, userId)))
  return row!.id
}

/**
 * pg-boss looks each queue up in its cache on send; a miss queries through its own connection,
 * which on PGlite (a single connection) waits forever behind the transaction that is sending.
 * Without an in-process worker nothing has filled the cache yet, so fill it before any test.
 */
async function warmQueueCache(harness: Harness) {
  for (const name of ['notifications.fanout', 'email.send']) {
    await harness.services.jobs.boss.findJobs(name, { id: '00000000-0000-0000-0000-000000000000' })
  }
}

beforeAll(async () => {
  h = await createHarness()
  await warmQueueCache(h)
  web = await createTestApp(h)
  orgId = h.orgIds.get('so-tttt-nam-dinh')!
  alice = await makeUser(h.services.db, orgId, 'responder', { name: 'Nguyễn Thị An' })
  bob = await makeUser(h.services.db, orgId, 'responder', { name: 'Trần Văn Bình' })
  asAlice = await h.acting(alice.id)
  asBob = await h.acting(bob.id)
})
afterAll(() => h.close())

describe('the notification centre', () => {
  test('a user lists only their own notifications, newest first', async () => {
    const first = await notify(alice.id, { role: 'responder', link: '/account' })
    const second = await notify(alice.id, { role: 'org_admin', link: '/account' })
    const bobs = await notify(bob.id, { role: 'reporter' })
    const { items } = await listMyNotifications(asAlice)
    const ids = items.map((i) => i.id)
    expect(ids.slice(0, 2)).toEqual([second, first])
    expect(ids).not.toContain(bobs)
    expect(items[0]).toMatchObject({ type: 'user.role_changed', link: '/account', params: { role: 'org_admin' }, readAt: null })
  })

  test("another user's notification id is a 404 on mark-read and stays unread", async () => {
    const bobs = await notify(bob.id, { role: 'reporter' })
    await expect(markRead(asAlice, bobs)).rejects.toMatchObject({ code: 'not_found' })
    await expect(markRead(asAlice, 'not-a-uuid')).rejects.toMatchObject({ code: 'not_found' })
    const [row] = await h.services.db.select({ readAt: notifications.readAt }).from(notifications).where(eq(notifications.id, bobs))
    expect(row!.readAt).toBeNull()
  })

  test('the unread count follows mark-read and mark-all-read, and writes no audit entry', async () => {
    const carol = await makeUser(h.services.db, orgId, 'responder')
    const asCarol = await h.acting(carol.id)
    expect(await unreadCount(asCarol)).toBe(0)
    const one = await notify(carol.id, { role: 'responder' })
    await notify(carol.id, { role: 'org_admin' })
    await notify(carol.id, { role: 'reporter' })
    expect(await unreadCount(asCarol)).toBe(3)
    await markRead(asCarol, one)
    await markRead(asCarol, one) // again: a no-op, not an error
    expect(await unreadCount(asCarol)).toBe(2)
    expect((await listMyNotifications(asCarol, { unreadOnly: true })).items.map((i) => i.id)).not.toContain(one)
    expect(await markAllRead(asCarol)).toBe(2)
    expect(await unreadCount(asCarol)).toBe(0)
    // Bob's unread notifications are untouched by Carol's "mark all read".
    expect(await unreadCount(asBob)).toBeGreaterThan(0)
    const entries = await h.services.db.select().from(auditLog).where(eq(auditLog.actorUserId, carol.id))
    expect(entries).toEqual([])
  })

  test('pages continue strictly after the last row shown, without gaps or repeats', async () => {
    const dan = await makeUser(h.services.db, orgId, 'responder')
    const asDan = await h.acting(dan.id)
    const made: string[] = []
    for (let i = 0; i < 5; i++) made.unshift(await notify(dan.id, { role: 'responder' }))
    const first = await listMyNotifications(asDan, { limit: 2 })
    const second = await listMyNotifications(asDan, { limit: 2, before: first.nextBefore })
    const third = await listMyNotifications(asDan, { limit: 2, before: second.nextBefore })
    expect([...first.items, ...second.items, ...third.items].map((i) => i.id)).toEqual(made)
    expect(third.nextBefore).toBeUndefined()
    // Another user's id as a cursor reveals nothing.
    const foreign = await notify(bob.id, { role: 'responder' })
    expect((await listMyNotifications(asDan, { before: foreign })).items).toEqual([])
    await expect(listMyNotifications(asDan, { before: 'garbage' })).rejects.toMatchObject({ code: 'validation' })
  })

  test('a link that is not a path inside the site is dropped', async () => {
    const erin = await makeUser(h.services.db, orgId, 'responder')
    await notify(erin.id, { role: 'responder', link: 'javascript:alert(1)' })
    await notify(erin.id, { role: 'responder', link: '//evil.example/x' })
    const { items } = await listMyNotifications(await h.acting(erin.id))
    expect(items.map((i) => i.link)).toEqual([null, null])
  })
})

describe('the /notifications page', () => {
  test('shows the signed-in user’s notifications with localized titles, unread badges and links', async () => {
    const own = await makeOrganisation(h.services.db)
    const fay = await makeUser(h.services.db, own.id, 'responder')
    await notify(fay.id, { role: 'org_admin', link: '/account' })
    await notify(fay.id, { role: 'org_admin', clusterName: 'Cụm 3' }, 'cluster.officer_assigned', own.id)
    await notify(bob.id, { role: 'sysadmin' })
    const cookie = await web.signIn(fay.email, TEST_PASSWORD)
    const res = await web.request('/notifications', { cookie })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('Vai trò của bạn đã được đổi thành Quản trị tổ chức')
    // An officer assignment without a lead/deputy role falls back to the generic title.
    expect(html).toContain('Tổ chức của bạn được phân công làm Cụm trưởng hoặc Cụm phó')
    expect(html).toContain('class="badge"')
    expect(html).toContain('href="/account"')
    expect(html).toContain('Bạn có 2 thông báo chưa đọc.')
    expect(html).not.toContain('đổi thành Quản trị hệ thống')
  })

  test('titles follow the language and fill in the cluster and officer role', async () => {
    const own = await makeOrganisation(h.services.db)
    const gia = await makeUser(h.services.db, own.id, 'responder', { locale: 'en' })
    await notify(gia.id, { role: 'lead', clusterName: 'Cluster 3', link: '/clusters' }, 'cluster.officer_assigned', own.id)
    const cookie = await web.signIn(gia.email, TEST_PASSWORD)
    const html = await (await web.request('/notifications', { cookie })).text()
    expect(html).toContain('Your organisation was assigned as Cluster lead of Cluster 3')
  })

  test('mark as read and mark all read work as plain form posts; another user’s id is a 404', async () => {
    const hai = await makeUser(h.services.db, orgId, 'responder')
    const mine = await notify(hai.id, { role: 'responder' })
    await notify(hai.id, { role: 'reporter' })
    const bobs = await notify(bob.id, { role: 'responder' })
    const cookie = await web.signIn(hai.email, TEST_PASSWORD)
    expect((await web.postForm('/notifications', { intent: 'read', id: bobs }, cookie)).status).toBe(404)
    const read = await web.postForm('/notifications', { intent: 'read', id: mine }, cookie)
    expect(read.status).toBe(200)
    expect(await read.text()).toContain('Bạn có 1 thông báo chưa đọc.')
    const all = await web.postForm('/notifications', { intent: 'readAll' }, cookie)
    expect(all.status).toBe(200)
    const html = await all.text()
    expect(html).toContain('Đã đánh dấu 1 thông báo là đã đọc.')
    expect(html).toContain('Bạn có 0 thông báo chưa đọc.')
    expect(html).not.toContain('class="badge"')
  })

  test('an "older" link pages through, and a tampered cursor is a 400, not a 500', async () => {
    const kim = await makeUser(h.services.db, orgId, 'responder')
    for (let i = 0; i < 31; i++) await notify(kim.id, { role: 'responder' })
    const cookie = await web.signIn(kim.email, TEST_PASSWORD)
    const html = await (await web.request('/notifications', { cookie })).text()
    const older = /href="(\/notifications\?before=[0-9a-f-]{36})"/.exec(html)
    expect(older).not.toBeNull()
    const next = await web.request(older![1]!, { cookie })
    expect(next.status).toBe(200)
    expect((await next.text()).match(/data-unread="true"/g)).toHaveLength(1)
    expect((await web.request('/notifications?before=%27%20or%201=1', { cookie })).status).toBe(400)
  })

  test('signed-out visitors are sent to sign in', async () => {
    const res = await web.request('/notifications')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toContain('/login')
  })
})
