import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sessions, users, auditLog } from '../../db/schema/index.ts'
import { login, changePassword } from '../../app/auth/auth.server.ts'
import { hashPassword } from '../../app/auth/password.server.ts'
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, validateSessionToken } from '../../app/auth/session.server.ts'
import { hashToken } from '../../app/auth/tokens.server.ts'
import { DomainError } from '../../app/lib/errors.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeUser, TEST_PASSWORD } from '../support/factories.ts'

let h: Harness
let web: TestApp
let orgId: string

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  orgId = h.orgIds.get('so-tttt-hai-phong')!
})
afterAll(() => h.close())

const anon = (ip = '198.51.100.7') => ({ services: h.services, ip, userAgent: 'vitest' })
const tokenOf = (cookie: string) => cookie.split('=')[1]!

describe('sessions', () => {
  test('the database holds the SHA-256 of the token, never the token', async () => {
    const user = await makeUser(h.services.db, orgId)
    const cookie = await web.signIn(user.email, TEST_PASSWORD)
    const rows = await h.services.db.select().from(sessions).where(eq(sessions.userId, user.id))
    expect(rows.map((r) => r.id)).toEqual([hashToken(tokenOf(cookie))])
    expect(tokenOf(cookie)).toHaveLength(32) // 160 random bits, base32
  })

  test('signing in again replaces the session the browser had (rotation)', async () => {
    const user = await makeUser(h.services.db, orgId)
    const first = await web.signIn(user.email, TEST_PASSWORD)
    const res = await web.postForm('/login', { email: user.email, password: TEST_PASSWORD, redirectTo: '/' }, first)
    // Already signed in: the login page redirects before any action runs…
    expect([302, 200]).toContain(res.status)
    const session = await login(anon(), { email: user.email, password: TEST_PASSWORD }, hashToken(tokenOf(first)))
    expect(session.token).not.toBe(tokenOf(first))
    expect((await web.request('/api/v1/me', { cookie: first })).status).toBe(401)
  })

  test('signing out ends the session on the server, not just in the browser', async () => {
    const user = await makeUser(h.services.db, orgId)
    const cookie = await web.signIn(user.email, TEST_PASSWORD)
    const res = await web.postForm('/logout', {}, cookie)
    expect(res.status).toBe(302)
    expect(res.headers.get('set-cookie')).toContain('Max-Age=0')
    expect((await web.request('/api/v1/me', { cookie })).status).toBe(401)
  })

  test('an idle session expires, an active one slides, and none outlives the absolute limit', async () => {
    const user = await makeUser(h.services.db, orgId)
    const start = new Date('2026-03-01T00:00:00Z')
    h.setNow(start)
    try {
      const s = await login(anon(), { email: user.email, password: TEST_PASSWORD })
      // Used every 11 hours, it stays alive past the 12-hour idle limit…
      let t = start.getTime()
      for (let i = 0; i < 5; i++) {
        t += 11 * 3600 * 1000
        expect(await validateSessionToken(h.services.db, s.token, new Date(t))).not.toBeNull()
      }
      // …but never beyond the absolute limit.
      expect(await validateSessionToken(h.services.db, s.token, new Date(start.getTime() + SESSION_ABSOLUTE_MS + 1000))).toBeNull()
      const idle = await login(anon(), { email: user.email, password: TEST_PASSWORD })
      expect(await validateSessionToken(h.services.db, idle.token, new Date(start.getTime() + SESSION_IDLE_MS + 1000))).toBeNull()
    } finally {
      h.setNow(new Date())
    }
  })

  test('changing the password ends every other session and rotates the current one', async () => {
    const user = await makeUser(h.services.db, orgId)
    const other = await web.signIn(user.email, TEST_PASSWORD)
    const current = await login(anon(), { email: user.email, password: TEST_PASSWORD })
    const acting = await h.acting(user.id)
    const rotated = await changePassword(acting, { currentPassword: TEST_PASSWORD, newPassword: 'a much longer new passphrase', confirm: 'a much longer new passphrase' }, { userAgent: null })
    expect(await validateSessionToken(h.services.db, tokenOf(other), new Date())).toBeNull()
    expect(await validateSessionToken(h.services.db, current.token, new Date())).toBeNull()
    expect(await validateSessionToken(h.services.db, rotated.token, new Date())).not.toBeNull()
  })

  test('a password change needs the current password and refuses weak new ones', async () => {
    const user = await makeUser(h.services.db, orgId)
    const acting = await h.acting(user.id)
    const attempt = (currentPassword: string, newPassword: string) =>
      changePassword(acting, { currentPassword, newPassword, confirm: newPassword }, { userAgent: null }).then(
        () => null,
        (e: DomainError) => e.details.fieldErrors,
      )
    expect(await attempt('wrong', 'a much longer new passphrase')).toEqual({ currentPassword: ['auth.currentPasswordWrong'] })
    expect(await attempt(TEST_PASSWORD, 'short')).toEqual({ newPassword: ['validation.passwordTooShort'] })
    expect(await attempt(TEST_PASSWORD, 'password1234')).toEqual({ newPassword: ['validation.passwordCommon'] })
    expect(await attempt(TEST_PASSWORD, 'x'.repeat(128))).toEqual({ newPassword: ['validation.passwordCommon'] })
    expect(await attempt(TEST_PASSWORD, `${'long passphrase '.repeat(8)}`)).toBeNull()
  })

  test('passwords are stored as argon2id with at least OWASP parameters', async () => {
    const stored = await hashPassword('some passphrase here')
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=1\$/)
    const [, m, t] = /m=(\d+),t=(\d+)/.exec(stored)!
    expect(Number(m)).toBeGreaterThanOrEqual(19456)
    expect(Number(t)).toBeGreaterThanOrEqual(2)
  })

  test('a deactivated user cannot sign in and loses open sessions', async () => {
    const user = await makeUser(h.services.db, orgId)
    const cookie = await web.signIn(user.email, TEST_PASSWORD)
    await h.services.db.update(users).set({ status: 'deactivated' }).where(eq(users.id, user.id))
    expect((await web.request('/api/v1/me', { cookie })).status).toBe(401)
    await expect(login(anon(), { email: user.email, password: TEST_PASSWORD })).rejects.toMatchObject({ code: 'unauthenticated' })
  })
})

describe('throttling failed sign-ins', () => {
  test('after five failures an account is slowed down with a clear message, then recovers', async () => {
    const user = await makeUser(h.services.db, orgId)
    const start = new Date('2026-05-01T08:00:00Z')
    h.setNow(start)
    try {
      for (let i = 0; i < 5; i++) {
        await expect(login(anon(`192.0.2.${i + 1}`), { email: user.email, password: 'wrong' })).rejects.toMatchObject({ code: 'unauthenticated' })
      }
      // Even the right password waits now (from any address): the attacker gains nothing by guessing on.
      const blocked = await login(anon('192.0.2.99'), { email: user.email, password: TEST_PASSWORD }).catch((e: DomainError) => e)
      expect(blocked).toMatchObject({ code: 'rate_limited', messageKey: 'auth.tooManyAttempts' })
      expect((blocked as DomainError).details.retryAfterSeconds).toBeGreaterThan(0)
      // A minute later the real user gets in.
      h.setNow(new Date(start.getTime() + 61_000))
      await expect(login(anon('192.0.2.99'), { email: user.email, password: TEST_PASSWORD })).resolves.toHaveProperty('token')
    } finally {
      h.setNow(new Date())
    }
  })

  test('one address spraying many accounts is blocked for a while', async () => {
    const ip = '192.0.2.200'
    for (let i = 0; i < 30; i++) {
      await login(anon(ip), { email: `nobody${i}@example.test`, password: 'guess' }).catch(() => null)
    }
    const user = await makeUser(h.services.db, orgId)
    await expect(login(anon(ip), { email: user.email, password: TEST_PASSWORD })).rejects.toMatchObject({ code: 'rate_limited' })
    await expect(login(anon('192.0.2.201'), { email: user.email, password: TEST_PASSWORD })).resolves.toHaveProperty('token')
  })

  test('the sign-in page answers a throttled attempt with 429 and Retry-After', async () => {
    const user = await makeUser(h.services.db, orgId)
    for (let i = 0; i < 6; i++) await web.postForm('/login', { email: user.email, password: 'wrong' })
    const res = await web.postForm('/login', { email: user.email, password: 'wrong' })
    expect(res.status).toBe(429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await res.text()).toMatch(/Quá nhiều lần đăng nhập sai|Too many failed sign-ins/)
  })

  test('failed sign-ins are audited with the address tried, never the password', async () => {
    const user = await makeUser(h.services.db, orgId)
    await login(anon(), { email: user.email, password: 'secret-guess-123' }).catch(() => null)
    const entries = await h.services.db.select().from(auditLog).where(eq(auditLog.objectId, user.id))
    const failed = entries.find((e) => e.action === 'auth.login_failed')!
    expect(failed.sourceIp).toBe('198.51.100.7')
    expect(JSON.stringify(failed)).not.toContain('secret-guess-123')
  })

  test('a spoofed X-Forwarded-For does not change the address used, unless a proxy is trusted', async () => {
    const user = await makeUser(h.services.db, orgId)
    await web.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ email: user.email, password: 'wrong' }),
      headers: { 'x-forwarded-for': '203.0.113.77' },
    })
    const entries = await h.services.db.select().from(auditLog).where(eq(auditLog.objectId, user.id))
    expect(entries.map((e) => e.sourceIp)).not.toContain('203.0.113.77')
  })
})
