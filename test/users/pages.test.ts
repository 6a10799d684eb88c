import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { users } from '../../db/schema/index.ts'
import { changeUserRole } from '../../app/users/users.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeUser, TEST_PASSWORD } from '../support/factories.ts'

// The user-administration pages over the real HTTP app: status codes, kept input, 404 for
// what the viewer may not see, and sessions that end when privileges change.

let h: Harness
let web: TestApp
let quangNinh: string
let namDinh: string
let vncert: string
let orgAdmin: { id: string; email: string }
let qnUser: { id: string; email: string }
let ndUser: { id: string; email: string }
let adminCookie: string
let sysadminCookie: string

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  const db = h.services.db
  quangNinh = h.orgIds.get('so-tttt-quang-ninh')!
  namDinh = h.orgIds.get('so-tttt-nam-dinh')!
  vncert = h.orgIds.get('vncert')!
  orgAdmin = await makeUser(db, quangNinh, 'org_admin', { name: 'Quản trị Quảng Ninh' })
  qnUser = await makeUser(db, quangNinh, 'reporter', { name: 'Người dùng Quảng Ninh' })
  ndUser = await makeUser(db, namDinh, 'reporter', { name: 'Người dùng Nam Định' })
  adminCookie = await web.signIn(orgAdmin.email, TEST_PASSWORD)
  sysadminCookie = await web.signIn((await makeUser(db, vncert, 'sysadmin')).email, TEST_PASSWORD)
})
afterAll(() => h.close())

const inviteFields = (over: Record<string, string> = {}) => ({
  email: `moi-${Math.random().toString(36).slice(2, 8)}@invite.test`,
  name: 'Đặng Thị Hương',
  title: 'Chuyên viên an toàn thông tin',
  organisationId: quangNinh,
  role: 'responder',
  ...over,
})

describe('the users list', () => {
  test('an organisation admin sees their own organisation’s users only', async () => {
    const res = await web.request('/admin/users', { cookie: adminCookie })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(qnUser.email)
    expect(html).not.toContain(ndUser.email)
    // Their organisation is fixed in the invitation form: no organisation picker to tamper with.
    expect(html).toContain(`type="hidden" name="organisationId" value="${quangNinh}"`)
    expect(html).not.toContain('value="sysadmin"')
  })

  test('a sysadmin sees everyone and filters by organisation', async () => {
    const all = await (await web.request('/admin/users', { cookie: sysadminCookie })).text()
    expect(all).toContain(qnUser.email)
    expect(all).toContain(ndUser.email)
    const filtered = await (await web.request(`/admin/users?organisation=${namDinh}`, { cookie: sysadminCookie })).text()
    expect(filtered).toContain(ndUser.email)
    expect(filtered).not.toContain(qnUser.email)
  })

  test('a reporter gets 403', async () => {
    const cookie = await web.signIn((await makeUser(h.services.db, quangNinh, 'reporter')).email, TEST_PASSWORD)
    expect((await web.request('/admin/users', { cookie })).status).toBe(403)
  })

  test('a bad filter value re-renders with a field error, not a 500', async () => {
    const res = await web.request('/admin/users?organisation=not-an-id', { cookie: sysadminCookie })
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('id="field-organisation-error"')
  })
})

describe('the invitation form', () => {
  test('a valid invitation shows the one-time link to the admin', async () => {
    const fields = inviteFields()
    const res = await web.postForm('/admin/users', fields, adminCookie)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toMatch(new RegExp(`value="${h.services.env.APP_URL}/invite/[a-z2-7]{32}"`))
    const [row] = await h.services.db.select().from(users).where(eq(users.email, fields.email))
    expect(row).toMatchObject({ status: 'invited', organisationId: quangNinh, role: 'responder' })
  })

  test('a bad email re-renders with 400, the error tied to the field and the input kept', async () => {
    const res = await web.postForm('/admin/users', inviteFields({ email: 'not-an-email' }), adminCookie)
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('value="not-an-email"')
    expect(html).toContain('value="Đặng Thị Hương"')
    expect(html).toContain('value="Chuyên viên an toàn thông tin"')
    expect(html).toMatch(/aria-invalid="true"[^>]*aria-describedby="field-email-error"/)
    expect(html).toContain('role="alert"')
  })

  test('an address already in use answers 409 with the input kept', async () => {
    const res = await web.postForm('/admin/users', inviteFields({ email: qnUser.email.toUpperCase(), name: 'Trùng địa chỉ' }), adminCookie)
    expect(res.status).toBe(409)
    const html = await res.text()
    expect(html).toContain(`value="${qnUser.email.toUpperCase()}"`)
    expect(html).toContain('value="Trùng địa chỉ"')
    expect(html).toContain('id="field-email-error"')
  })

  test('an organisation admin forging another organisation into the form gets 403 and creates nobody', async () => {
    const fields = inviteFields({ organisationId: namDinh })
    expect((await web.postForm('/admin/users', fields, adminCookie)).status).toBe(403)
    expect(await h.services.db.select().from(users).where(eq(users.email, fields.email))).toEqual([])
  })

  test('a national-CERT role for a member organisation is a field error on the role', async () => {
    const res = await web.postForm('/admin/users', inviteFields({ role: 'cert_analyst' }), sysadminCookie)
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('id="field-role-error"')
  })
})

describe('one user’s page', () => {
  test('an unknown user id answers 404, and so does a malformed one', async () => {
    expect((await web.request(`/admin/users/${crypto.randomUUID()}`, { cookie: sysadminCookie })).status).toBe(404)
    expect((await web.request('/admin/users/1%20or%201=1', { cookie: sysadminCookie })).status).toBe(404)
  })

  test('another organisation’s user is 404 for an organisation admin, to look at or to act on', async () => {
    expect((await web.request(`/admin/users/${ndUser.id}`, { cookie: adminCookie })).status).toBe(404)
    expect((await web.postForm(`/admin/users/${ndUser.id}`, { intent: 'deactivate' }, adminCookie)).status).toBe(404)
    const [row] = await h.services.db.select().from(users).where(eq(users.id, ndUser.id))
    expect(row!.status).toBe('active')
  })

  test('an admin’s own page offers no way to manage themselves, and a forged request is refused', async () => {
    const res = await web.request(`/admin/users/${orgAdmin.id}`, { cookie: adminCookie })
    expect(res.status).toBe(200)
    expect(await res.text()).not.toContain('name="intent" value="deactivate"')
    expect((await web.postForm(`/admin/users/${orgAdmin.id}`, { intent: 'deactivate' }, adminCookie)).status).toBe(403)
  })

  test('changing a role ends the user’s sessions: the old cookie no longer works', async () => {
    const user = await makeUser(h.services.db, quangNinh, 'reporter')
    const cookie = await web.signIn(user.email, TEST_PASSWORD)
    expect((await web.request('/account', { cookie })).status).toBe(200)
    const res = await web.postForm(`/admin/users/${user.id}`, { intent: 'role', role: 'org_admin' }, adminCookie)
    expect(res.status).toBe(200)
    const after = await web.request('/account', { cookie })
    expect(after.status).toBe(302)
    expect(after.headers.get('location')).toMatch(/^\/login/)
    // Signing in again gives the new privileges.
    const again = await web.signIn(user.email, TEST_PASSWORD)
    expect((await web.request('/admin/users', { cookie: again })).status).toBe(200)
  })

  test('changing a role through the domain ends sessions too', async () => {
    const user = await makeUser(h.services.db, quangNinh, 'responder')
    const cookie = await web.signIn(user.email, TEST_PASSWORD)
    await changeUserRole(await h.acting(orgAdmin.id), user.id, { role: 'reporter' })
    expect((await web.request('/account', { cookie })).status).toBe(302)
  })

  test('deactivation ends the user’s sessions and stops them signing in', async () => {
    const user = await makeUser(h.services.db, quangNinh, 'responder')
    const cookie = await web.signIn(user.email, TEST_PASSWORD)
    const res = await web.postForm(`/admin/users/${user.id}`, { intent: 'deactivate' }, adminCookie)
    expect(res.status).toBe(200)
    expect((await web.request('/account', { cookie })).status).toBe(302)
    const login = await web.postForm('/login', { email: user.email, password: TEST_PASSWORD, redirectTo: '/' })
    expect(login.status).toBe(401)
  })

  test('a role the organisation cannot hold re-renders the role form with a field error', async () => {
    const res = await web.postForm(`/admin/users/${qnUser.id}`, { intent: 'role', role: 'cert_analyst' }, sysadminCookie)
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('id="field-role-error"')
  })

  test('an unknown intent is a 400, not a 500', async () => {
    expect((await web.postForm(`/admin/users/${qnUser.id}`, { intent: 'explode' }, adminCookie)).status).toBe(400)
  })
})
