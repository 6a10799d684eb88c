import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeUser, TEST_PASSWORD } from '../support/factories.ts'

let h: Harness
let web: TestApp
let email: string

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  email = (await makeUser(h.services.db, h.orgIds.get('so-tttt-quang-ninh')!, 'reporter')).email
})
afterAll(() => h.close())

describe('signing in', () => {
  test('the right password opens a session whose cookie holds only an opaque token', async () => {
    const res = await web.postForm('/login', { email, password: TEST_PASSWORD, redirectTo: '/' })
    expect(res.status).toBe(302)
    const cookie = res.headers.get('set-cookie')!
    expect(cookie).toMatch(/^csirtnet_session=[a-z2-7]{32}; Path=\/; HttpOnly; SameSite=Lax/)
    const home = await web.request('/', { cookie: cookie.split(';')[0] })
    expect(await home.text()).toContain('data-testid="current-user"')
  })

  test('a wrong password re-renders the form with the address kept and a generic message', async () => {
    const res = await web.postForm('/login', { email, password: 'not the password', redirectTo: '/' })
    expect(res.status).toBe(401)
    const html = await res.text()
    expect(html).toContain(`value="${email}"`)
    expect(html).toContain('role="alert"')
    expect(html).not.toContain('not the password')
  })
})
