import { eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { users } from '../../db/schema/index.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import { INVITATION_TTL_MS, getUser, inviteUser, resendInvitation } from '../../app/users/users.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeUser, TEST_PASSWORD } from '../support/factories.ts'

// An invitation link, from the admin's page to the invited person's first sign-in: it works
// once, dies after a week, and a re-sent invitation kills the earlier link.

let h: Harness
let web: TestApp
let admin: ActingContext
let adminCookie: string
let quangNinh: string
const NEW_PASSWORD = 'mây trắng bay qua đỉnh núi 2026'

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  quangNinh = h.orgIds.get('so-tttt-quang-ninh')!
  const orgAdmin = await makeUser(h.services.db, quangNinh, 'org_admin')
  admin = await h.acting(orgAdmin.id)
  adminCookie = await web.signIn(orgAdmin.email, TEST_PASSWORD)
})
afterEach(() => h.setNow(new Date()))
afterAll(() => h.close())

let n = 0
const invite = () =>
  inviteUser(admin, { email: `invitee-${++n}@invite.test`, name: 'Người được mời', organisationId: quangNinh, role: 'reporter' })
const pathOf = (link: string) => new URL(link).pathname
const accept = (link: string) => web.postForm(pathOf(link), { password: NEW_PASSWORD, confirm: NEW_PASSWORD })

describe('invitation links', () => {
  test('the link shown on the page opens the set-password page, signs the person in, and works only once', async () => {
    const email = `from-page-${++n}@invite.test`
    const page = await web.postForm('/admin/users', { email, name: 'Lý Thị Mai', organisationId: quangNinh, role: 'responder' }, adminCookie)
    const link = /value="(http[^"]+\/invite\/[a-z2-7]{32})"/.exec(await page.text())?.[1]
    expect(link).toBeDefined()
    expect((await web.request(pathOf(link!))).status).toBe(200)

    const first = await accept(link!)
    expect(first.status).toBe(302)
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!
    expect((await web.request('/account', { cookie })).status).toBe(200)
    const [row] = await h.services.db.select().from(users).where(eq(users.email, email))
    expect(row!.status).toBe('active')

    expect((await web.request(pathOf(link!))).status).toBe(404)
    expect((await accept(link!)).status).toBe(404)
  })

  test('a link past its seven days no longer works', async () => {
    const { link } = await invite()
    h.setNow(new Date(Date.now() + INVITATION_TTL_MS + 60_000))
    expect((await web.request(pathOf(link))).status).toBe(404)
    expect((await accept(link)).status).toBe(404)
  })

  test('a link still works on its last day', async () => {
    const { link } = await invite()
    h.setNow(new Date(Date.now() + INVITATION_TTL_MS - 60 * 60_000))
    expect((await web.request(pathOf(link))).status).toBe(200)
  })

  test('re-sending an invitation kills the earlier link and the new one works', async () => {
    const { link: old, user } = await invite()
    const resent = await resendInvitation(admin, user.id)
    expect(resent.link).not.toBe(old)
    expect((await web.request(pathOf(old))).status).toBe(404)
    expect((await accept(resent.link)).status).toBe(302)
    expect((await getUser(admin, user.id)).user.status).toBe('active')
  })

  test('re-sending from the user’s page shows the new link once', async () => {
    const { user } = await invite()
    const res = await web.postForm(`/admin/users/${user.id}`, { intent: 'resend' }, adminCookie)
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/value="http[^"]+\/invite\/[a-z2-7]{32}"/)
    const again = await web.request(`/admin/users/${user.id}`, { cookie: adminCookie })
    expect(await again.text()).not.toMatch(/\/invite\/[a-z2-7]{32}/)
  })

  test('deactivating an invited person kills their link', async () => {
    const { link, user } = await invite()
    expect((await web.postForm(`/admin/users/${user.id}`, { intent: 'deactivate' }, adminCookie)).status).toBe(200)
    expect((await web.request(pathOf(link))).status).toBe(404)
  })
})
