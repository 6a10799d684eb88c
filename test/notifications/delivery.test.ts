import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { deliveries, notificationEvents, notifications } from '../../db/schema/index.ts'
import { rowsOf } from '../../db/client.ts'
import { redeemAccountToken } from '../../app/auth/auth.server.ts'
import { requestPasswordReset } from '../../app/auth/password-reset.server.ts'
import { emitEvent } from '../../app/notifications/emit.server.ts'
import { queueDigests } from '../../app/notifications/digest.server.ts'
import { notificationPreferences } from '../../db/schema/index.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { makeUser } from '../support/factories.ts'
import { startSmtpSink, type SmtpSink } from '../support/smtp.ts'

// The notification path end to end, with real parts: a domain act commits an event and its job
// in one transaction, the worker fans it out and sends it over SMTP to an in-process server.

let h: Harness
let smtp: SmtpSink
let orgId: string

beforeAll(async () => {
  smtp = await startSmtpSink()
  h = await createHarness({
    worker: true,
    env: { SMTP_URL: smtp.url, EMAIL_RETRY_DELAY_SECONDS: '1', DELIVERY_LEASE_SECONDS: '3' },
    jobs: { queueOverrides: { 'notifications.fanout': { retryDelay: 1 } } },
  })
  orgId = h.orgIds.get('so-tttt-nam-dinh')!
})
afterAll(async () => {
  await h.close()
  await smtp.close()
})
beforeEach(() => {
  smtp.received.length = 0
  smtp.state.refuse = false
  smtp.state.holdMs = 0
})

const anon = { ip: '192.0.2.50', userAgent: 'vitest' }

async function roleChanged(userId: string, extra: Partial<Parameters<typeof emitEvent>[2]> = {}) {
  return h.services.db.transaction((tx) =>
    emitEvent(tx, h.services, { type: 'user.role_changed', objectType: 'user', objectId: userId, organisationId: orgId, payload: { userId, role: 'responder', link: '/account' }, ...extra }),
  )
}

describe('email over SMTP', () => {
  test('a password reset reaches the user in their language with a working one-time link', async () => {
    const user = await makeUser(h.services.db, orgId, 'responder', { locale: 'en' })
    await requestPasswordReset({ services: h.services, ...anon }, { email: user.email })
    const [mail] = await smtp.waitFor(1)
    expect(mail!.to).toEqual([user.email])
    expect(mail!.subject).toBe('Reset your CSIRT Net password')
    const link = /http:\/\/localhost:3000\/invite\/([a-z2-7]{32})/.exec(mail!.text)
    expect(link).not.toBeNull()
    expect(mail!.html).toContain(link![0])
    // The link works once.
    await expect(redeemAccountToken({ services: h.services, ...anon }, link![1]!, { password: 'a brand new passphrase', confirm: 'a brand new passphrase' })).resolves.toHaveProperty('token')
    await expect(redeemAccountToken({ services: h.services, ...anon }, link![1]!, { password: 'a brand new passphrase', confirm: 'a brand new passphrase' })).rejects.toMatchObject({ code: 'not_found' })
  })

  test('Vietnamese is the default language of mail', async () => {
    const user = await makeUser(h.services.db, orgId, 'responder')
    await requestPasswordReset({ services: h.services, ...anon, ip: '192.0.2.51' }, { email: user.email })
    const [mail] = await smtp.waitFor(1)
    expect(mail!.subject).toBe('Đặt lại mật khẩu CSIRT Net')
    expect(mail!.text).toContain('Kính gửi')
  })

  test('an unknown address gets no mail, and the caller cannot tell', async () => {
    await expect(requestPasswordReset({ services: h.services, ...anon, ip: '192.0.2.52' }, { email: 'nobody@example.test' })).resolves.toBeUndefined()
    await new Promise((r) => setTimeout(r, 1500))
    expect(smtp.received).toHaveLength(0)
  })

  test('TLP:AMBER content travels by reference, label and link only; TLP:GREEN carries its details', async () => {
    const user = await makeUser(h.services.db, orgId, 'responder')
    await roleChanged(user.id, { tlp: 'AMBER', payload: { userId: user.id, reference: 'IR-2026-000042', title: 'Secret lateral movement at the provincial portal', summary: 'Hostile details', link: '/account' } })
    const [amber] = await smtp.waitFor(1)
    expect(amber!.subject).toContain('[TLP:AMBER]')
    expect(amber!.text).toContain('IR-2026-000042')
    expect(amber!.text).toContain('TLP:AMBER')
    expect(amber!.text).toContain('http://localhost:3000/account')
    for (const part of [amber!.subject, amber!.text, amber!.html]) {
      expect(part).not.toContain('Secret lateral movement')
      expect(part).not.toContain('Hostile details')
    }
    smtp.received.length = 0
    await roleChanged(user.id, { tlp: 'GREEN', payload: { userId: user.id, reference: 'IR-2026-000043', title: 'Phishing wave', summary: 'Known sender domains', link: '/account' } })
    const [green] = await smtp.waitFor(1)
    expect(green!.subject).toContain('Phishing wave')
    expect(green!.text).toContain('Known sender domains')
  })

  test('partner text is escaped in the HTML part', async () => {
    const user = await makeUser(h.services.db, orgId, 'responder')
    await roleChanged(user.id, { tlp: 'CLEAR', payload: { userId: user.id, title: '<script>alert(1)</script>', link: '/account' } })
    const [mail] = await smtp.waitFor(1)
    expect(mail!.html).not.toContain('<script>alert(1)</script>')
    expect(mail!.html).toContain('&lt;script&gt;')
  })

  test('the in-app notification is created with the email', async () => {
    const user = await makeUser(h.services.db, orgId, 'responder')
    await roleChanged(user.id)
    await smtp.waitFor(1)
    const rows = await h.services.db.select().from(notifications).where(eq(notifications.userId, user.id))
    expect(rows).toHaveLength(1)
    expect(rows[0]!.link).toBe('/account')
  })
})

describe('nothing lost, nothing twice', () => {
  test('a rolled-back transaction enqueues nothing', async () => {
    const user = await makeUser(h.services.db, orgId, 'responder')
    const jobsBefore = await jobCount()
    await expect(
      h.services.db.transaction(async (tx) => {
        await emitEvent(tx, h.services, { type: 'user.role_changed', objectType: 'user', objectId: user.id, payload: { userId: user.id } })
        throw new Error('the act failed')
      }),
    ).rejects.toThrow('the act failed')
    expect(await h.services.db.select().from(notificationEvents).where(eq(notificationEvents.objectId, user.id))).toHaveLength(0)
    expect(await jobCount()).toBe(jobsBefore)
    await new Promise((r) => setTimeout(r, 1500))
    expect(smtp.received).toHaveLength(0)
  })

  test('while SMTP refuses, deliveries wait and retry; when it recovers each arrives exactly once', async () => {
    const people = await Promise.all([1, 2, 3].map(() => makeUser(h.services.db, orgId, 'responder')))
    smtp.state.refuse = true
    for (const p of people) await roleChanged(p.id)
    const deadline = Date.now() + 20_000
    while (smtp.state.refusedCount < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(smtp.state.refusedCount).toBeGreaterThanOrEqual(3)
    const waiting = await h.services.db.select().from(deliveries).where(eq(deliveries.eventType, 'user.role_changed'))
    expect(waiting.filter((d) => people.some((p) => p.id === d.userId)).every((d) => d.status !== 'sent')).toBe(true)
    smtp.state.refuse = false
    await smtp.waitFor(3, 30_000)
    await new Promise((r) => setTimeout(r, 2000))
    const ids = smtp.received.map((m) => m.messageId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(smtp.received.flatMap((m) => m.to).sort()).toEqual(people.map((p) => p.email).sort())
  })

  test('a duplicated fan-out or send job delivers one message', async () => {
    const user = await makeUser(h.services.db, orgId, 'responder')
    const eventId = await roleChanged(user.id)
    await smtp.waitFor(1)
    await h.services.db.transaction(async (tx) => {
      await h.services.jobs.enqueue(tx, 'notifications.fanout', { eventId })
      const [delivery] = await tx.select().from(deliveries).where(eq(deliveries.eventId, eventId))
      await h.services.jobs.enqueue(tx, 'email.send', { deliveryId: delivery!.id })
      await h.services.jobs.enqueue(tx, 'email.send', { deliveryId: delivery!.id })
    })
    await new Promise((r) => setTimeout(r, 2500))
    expect(smtp.received.filter((m) => m.to.includes(user.email))).toHaveLength(1)
  })

  test('after the last retry a delivery is marked failed for an administrator', async () => {
    const strict = await createHarness({ worker: true, env: { SMTP_URL: smtp.url, EMAIL_RETRY_DELAY_SECONDS: '1', EMAIL_RETRY_LIMIT: '1' } })
    try {
      const user = await makeUser(strict.services.db, strict.orgIds.get('so-tttt-nam-dinh')!, 'responder')
      smtp.state.refuse = true
      await strict.services.db.transaction((tx) =>
        emitEvent(tx, strict.services, { type: 'user.role_changed', objectType: 'user', objectId: user.id, payload: { userId: user.id } }),
      )
      const deadline = Date.now() + 20_000
      let status = ''
      while (status !== 'failed' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250))
        status = (await strict.services.db.select().from(deliveries).where(eq(deliveries.userId, user.id)))[0]?.status ?? ''
      }
      expect(status).toBe('failed')
      const [row] = await strict.services.db.select().from(deliveries).where(eq(deliveries.userId, user.id))
      expect(row!.attempts).toBe(2)
      expect(row!.lastError).toContain('Try again later')
    } finally {
      smtp.state.refuse = false
      await strict.close()
    }
  })
})

describe('flood control', () => {
  test('many events of one kind for one person within minutes collapse into one summary', async () => {
    const user = await makeUser(h.services.db, orgId, 'responder')
    for (let i = 0; i < 6; i++) await roleChanged(user.id)
    await smtp.waitFor(3)
    await new Promise((r) => setTimeout(r, 2000))
    const rows = await h.services.db.select().from(deliveries).where(eq(deliveries.userId, user.id))
    const byStatus = (s: string) => rows.filter((r) => r.status === s).length
    expect(smtp.received.filter((m) => m.to.includes(user.email))).toHaveLength(3)
    expect(byStatus('collapsed')).toBe(3)
    const summary = rows.find((r) => r.kind === 'summary')!
    expect(summary.status).toBe('pending')
    expect(summary.sendAfter!.getTime()).toBeGreaterThan(Date.now())
  })
})

describe('daily digest', () => {
  test('events a user chose to get as a digest arrive once, together, in one email', async () => {
    const user = await makeUser(h.services.db, orgId, 'responder', { locale: 'en' })
    await h.services.db.insert(notificationPreferences).values({ userId: user.id, eventType: 'user.role_changed', mode: 'digest' })
    await roleChanged(user.id, { payload: { userId: user.id, title: 'First change', link: '/account' }, tlp: 'GREEN' })
    await roleChanged(user.id, { payload: { userId: user.id, title: 'Second change', link: '/account' }, tlp: 'GREEN' })
    const deadline = Date.now() + 10_000
    let waiting = 0
    while (waiting < 2 && Date.now() < deadline) {
      waiting = (await h.services.db.select().from(deliveries).where(eq(deliveries.userId, user.id))).filter((d) => d.status === 'digest').length
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(waiting).toBe(2)
    expect(smtp.received.filter((m) => m.to.includes(user.email))).toHaveLength(0)
    expect(await queueDigests(h.services)).toBe(1)
    expect(await queueDigests(h.services)).toBe(0)
    const [mail] = await smtp.waitFor(1)
    expect(mail!.subject).toMatch(/^CSIRT Net digest for .*: 2 notifications$/)
    expect(mail!.text).toContain('First change')
    expect(mail!.text).toContain('Second change')
    await new Promise((r) => setTimeout(r, 1000))
    expect(smtp.received.filter((m) => m.to.includes(user.email))).toHaveLength(1)
  })
})

async function jobCount(): Promise<number> {
  const rows = rowsOf<{ n: number }>(await h.services.db.execute(sql`select count(*)::int as n from pgboss.job`))
  return Number(rows[0]?.n ?? 0)
}

