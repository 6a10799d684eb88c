import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog, deliveries } from '../../db/schema/index.ts'
import { sendDelivery } from '../../app/notifications/deliver.server.ts'
import { emitEvent } from '../../app/notifications/emit.server.ts'
import { fanOutEvent } from '../../app/notifications/fanout.server.ts'
import { getOperationsOverview, listOutbox, readOutboxMessage, retryAllFailed, retryDelivery } from '../../app/notifications/operations.server.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import type { UserRole } from '../../app/policy/actor.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeOrganisation, makeUser, TEST_PASSWORD } from '../support/factories.ts'

// Operating the pipeline: only sysadmins see queues, failures and the outbox; a retry puts a
// failed delivery back to pending with a new send job; the outbox shows text, never HTML.
// No worker runs here, so enqueued jobs stay in the queue where the tests can find them.

let h: Harness
let web: TestApp
let vncert: string
let namDinh: string
let sysadmin: { id: string; email: string }
let asSysadmin: ActingContext
let sysadminCookie: string

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
  vncert = h.orgIds.get('vncert')!
  namDinh = h.orgIds.get('so-tttt-nam-dinh')!
  sysadmin = await makeUser(h.services.db, vncert, 'sysadmin')
  asSysadmin = await h.acting(sysadmin.id)
  sysadminCookie = await web.signIn(sysadmin.email, TEST_PASSWORD)
})
afterAll(() => h.close())

/** A role-change email to a new user, through the real fan-out: returns the delivery id. */
async function pendingDelivery(locale: 'vi' | 'en' = 'vi') {
  const org = await makeOrganisation(h.services.db)
  const user = await makeUser(h.services.db, org.id, 'responder', { locale })
  const eventId = await h.services.db.transaction((tx) =>
    emitEvent(tx, h.services, { type: 'user.role_changed', objectType: 'user', objectId: user.id, organisationId: org.id, payload: { userId: user.id, role: 'org_admin', link: '/account' } }),
  )
  await fanOutEvent(h.services, eventId)
  const [row] = await h.services.db.select().from(deliveries).where(eq(deliveries.eventId, eventId))
  return { id: row!.id, user }
}

/** As the send job leaves a delivery after its last attempt. */
async function failedDelivery() {
  const d = await pendingDelivery()
  await h.services.db
    .update(deliveries)
    .set({ status: 'failed', attempts: 9, lastError: '550 mailbox unavailable', failedAt: h.services.now() })
    .where(eq(deliveries.id, d.id))
  return d
}

const sendJobsFor = (deliveryId: string) => h.services.jobs.boss.findJobs('email.send', { data: { deliveryId }, queued: true })

describe('access', () => {
  test.each<UserRole>(['reporter', 'responder', 'org_admin', 'cert_analyst'])('a %s gets 403 on the operations and outbox pages', async (role) => {
    const user = await makeUser(h.services.db, role === 'cert_analyst' ? vncert : namDinh, role)
    const cookie = await web.signIn(user.email, TEST_PASSWORD)
    expect((await web.request('/admin/notifications', { cookie })).status).toBe(403)
    expect((await web.request('/admin/outbox', { cookie })).status).toBe(403)
    const { id } = await failedDelivery()
    expect((await web.postForm('/admin/notifications', { intent: 'retry', deliveryId: id }, cookie)).status).toBe(403)
    expect((await web.postForm('/admin/notifications', { intent: 'retryAll' }, cookie)).status).toBe(403)
    const [row] = await h.services.db.select({ status: deliveries.status }).from(deliveries).where(eq(deliveries.id, id))
    expect(row!.status).toBe('failed')
    await expect(getOperationsOverview(await h.acting(user.id))).rejects.toMatchObject({ code: 'forbidden' })
  })

  test('a sysadmin sees queue depth per queue, deliveries by status and recent failures', async () => {
    const failed = await failedDelivery()
    await pendingDelivery()
    const overview = await getOperationsOverview(asSysadmin)
    expect(overview.queues.map((q) => q.name)).toEqual(['notifications.fanout', 'email.send', 'notifications.digest', 'maintenance.cleanup', 'incidents.deadlines', 'drills.reminders', 'indicators.import'])
    const send = overview.queues.find((q) => q.name === 'email.send')!
    expect('unavailable' in send).toBe(false)
    expect(send).toMatchObject({ queued: expect.any(Number), deferred: expect.any(Number), active: expect.any(Number), failed: expect.any(Number) })
    expect(overview.counts.failed).toBeGreaterThanOrEqual(1)
    expect(overview.counts.pending).toBeGreaterThanOrEqual(1)
    expect(overview.failed.find((f) => f.id === failed.id)).toMatchObject({ toAddress: failed.user.email, eventType: 'user.role_changed', attempts: 9, lastError: '550 mailbox unavailable' })

    const res = await web.request('/admin/notifications', { cookie: sysadminCookie })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('<code>email.send</code>')
    expect(html).toContain(failed.user.email)
    expect(html).toContain('550 mailbox unavailable')
    expect(html).toContain(`name="deliveryId" value="${failed.id}"`)
    expect(html).toContain('Gửi lại tất cả thư thất bại')
  })
})

describe('retrying', () => {
  test('a retry puts the delivery back to pending, keeps its attempts, enqueues a send job and is audited', async () => {
    const { id } = await failedDelivery()
    const before = (await sendJobsFor(id)).length
    await retryDelivery(asSysadmin, id)
    const [row] = await h.services.db.select().from(deliveries).where(eq(deliveries.id, id))
    expect(row).toMatchObject({ status: 'pending', lastError: null, attempts: 9, failedAt: null })
    expect((await sendJobsFor(id)).length).toBe(before + 1)
    const [entry] = await h.services.db.select().from(auditLog).where(and(eq(auditLog.action, 'notifications.delivery_retried'), eq(auditLog.objectId, id)))
    expect(entry).toMatchObject({ actorUserId: sysadmin.id, objectType: 'delivery' })
  })

  test('only a failed delivery can be retried; an unknown id is a 404', async () => {
    const { id } = await pendingDelivery()
    await expect(retryDelivery(asSysadmin, id)).rejects.toMatchObject({ code: 'conflict' })
    await expect(retryDelivery(asSysadmin, crypto.randomUUID())).rejects.toMatchObject({ code: 'not_found' })
    await expect(retryDelivery(asSysadmin, "1' or '1'='1")).rejects.toMatchObject({ code: 'not_found' })
  })

  test('the retry button works as a plain form post', async () => {
    const { id } = await failedDelivery()
    const res = await web.postForm('/admin/notifications', { intent: 'retry', deliveryId: id }, sysadminCookie)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('Đã xếp lịch gửi lại thư.')
    const [row] = await h.services.db.select({ status: deliveries.status }).from(deliveries).where(eq(deliveries.id, id))
    expect(row!.status).toBe('pending')
    // Again: it is no longer failed, which the page says instead of failing.
    const again = await web.postForm('/admin/notifications', { intent: 'retry', deliveryId: id }, sysadminCookie)
    expect(again.status).toBe(409)
    expect(await again.text()).toContain('Thư này không còn ở trạng thái thất bại.')
  })

  test('"retry all" re-enqueues every failed delivery as one audited act', async () => {
    const a = await failedDelivery()
    const b = await failedDelivery()
    const { retried } = await retryAllFailed(asSysadmin)
    expect(retried).toBeGreaterThanOrEqual(2)
    for (const d of [a, b]) {
      const [row] = await h.services.db.select({ status: deliveries.status }).from(deliveries).where(eq(deliveries.id, d.id))
      expect(row!.status).toBe('pending')
      expect((await sendJobsFor(d.id)).length).toBeGreaterThanOrEqual(2)
    }
    expect((await getOperationsOverview(asSysadmin)).counts.failed).toBe(0)
    const entries = await h.services.db.select().from(auditLog).where(eq(auditLog.action, 'notifications.delivery_retried'))
    const all = entries.find((e) => (e.details as { all?: boolean } | null)?.all)
    expect(all?.details).toMatchObject({ count: retried })
    expect((all?.details as { deliveryIds: string[] }).deliveryIds).toEqual(expect.arrayContaining([a.id, b.id]))
  })
})

describe('the outbox', () => {
  test('without SMTP, stored messages are listed and their text body is shown to a sysadmin, audited', async () => {
    expect(h.services.mailer.mode).toBe('outbox')
    const { id, user } = await pendingDelivery('en')
    expect(await sendDelivery(h.services, id)).toBe('stored')
    // Partner-supplied text in a body is shown as text; the HTML body is never rendered.
    await h.services.db
      .update(deliveries)
      .set({ textBody: 'Hello <b>friend</b>\nhttp://localhost:3000/account', htmlBody: '<p id="outbox-html-marker">html</p>' })
      .where(eq(deliveries.id, id))

    const list = await listOutbox(asSysadmin)
    expect(list.items[0]).toMatchObject({ id, toAddress: user.email, eventType: 'user.role_changed' })
    const listing = await (await web.request('/admin/outbox', { cookie: sysadminCookie })).text()
    expect(listing).toContain(user.email)
    expect(listing).toContain(`href="/admin/outbox?id=${id}"`)

    const res = await web.request(`/admin/outbox?id=${id}`, { cookie: sysadminCookie })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toMatch(/<pre[^>]*>Hello &lt;b&gt;friend&lt;\/b&gt;\nhttp:\/\/localhost:3000\/account<\/pre>/)
    expect(html).not.toContain('outbox-html-marker')
    const [entry] = await h.services.db.select().from(auditLog).where(and(eq(auditLog.action, 'notifications.outbox_viewed'), eq(auditLog.objectId, id)))
    expect(entry).toMatchObject({ actorUserId: sysadmin.id, objectType: 'delivery' })
  })

  test('nobody else reads the outbox, and a refused read leaves no audit entry', async () => {
    const { id } = await pendingDelivery()
    await sendDelivery(h.services, id)
    const analyst = await makeUser(h.services.db, vncert, 'cert_analyst')
    const cookie = await web.signIn(analyst.email, TEST_PASSWORD)
    const res = await web.request(`/admin/outbox?id=${id}`, { cookie })
    expect(res.status).toBe(403)
    await expect(readOutboxMessage(await h.acting(analyst.id), id)).rejects.toMatchObject({ code: 'forbidden' })
    expect(await h.services.db.select().from(auditLog).where(and(eq(auditLog.action, 'notifications.outbox_viewed'), eq(auditLog.objectId, id)))).toEqual([])
  })

  test('a message that is not in the outbox is a 404, and a bad cursor a 400', async () => {
    const { id } = await pendingDelivery()
    expect((await web.request(`/admin/outbox?id=${id}`, { cookie: sysadminCookie })).status).toBe(404)
    expect((await web.request('/admin/outbox?id=nope', { cookie: sysadminCookie })).status).toBe(404)
    expect((await web.request('/admin/outbox?before=nope', { cookie: sysadminCookie })).status).toBe(400)
  })

  test('with SMTP configured, the pages say mail goes out over SMTP and list nothing', async () => {
    const { id } = await pendingDelivery()
    await sendDelivery(h.services, id)
    const outboxMailer = h.services.mailer
    h.services.mailer = { ...outboxMailer, mode: 'smtp' }
    try {
      const outbox = await (await web.request('/admin/outbox', { cookie: sysadminCookie })).text()
      expect(outbox).toContain('Thư được gửi đi qua máy chủ SMTP, vì vậy không có hộp thư đi.')
      expect(outbox).not.toContain(`/admin/outbox?id=${id}`)
      const overview = await (await web.request('/admin/notifications', { cookie: sysadminCookie })).text()
      expect(overview).toContain('Thư được gửi đi qua máy chủ SMTP.')
    } finally {
      h.services.mailer = outboxMailer
    }
  })
})
