import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createHarness, createTestApp, TEST_ORIGIN, type Harness, type TestApp } from '../support/harness.ts'
import { makeUser, TEST_PASSWORD } from '../support/factories.ts'
import { safeRedirect } from '../../app/lib/route.server.ts'

let h: Harness
let web: TestApp
let cookie: string

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  const user = await makeUser(h.services.db, h.orgIds.get('so-tttt-quang-ninh')!, 'reporter')
  cookie = await web.signIn(user.email, TEST_PASSWORD)
})
afterAll(() => h.close())

describe('cross-site request forgery', () => {
  const bodies: [string, BodyInit, string | null][] = [
    ['a form', new URLSearchParams({ locale: 'en', redirectTo: '/' }).toString(), 'application/x-www-form-urlencoded'],
    ['text/plain', 'locale=en', 'text/plain'],
    ['an odd-case content type', 'locale=en', 'Application/X-WWW-Form-URLencoded'],
    ['no content type', 'locale=en', null],
    ['JSON', JSON.stringify({ locale: 'en' }), 'application/json'],
  ]
  for (const [what, body, type] of bodies) {
    test(`a cross-origin POST with ${what} is refused with 403`, async () => {
      const headers: Record<string, string> = { origin: 'https://evil.example' }
      if (type) headers['content-type'] = type
      const res = await web.request('/language', { method: 'POST', body, headers, cookie })
      expect(res.status).toBe(403)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
    })
  }

  test('a POST without any Origin header is refused', async () => {
    const res = await web.app.request(`${TEST_ORIGIN}/logout`, { method: 'POST', headers: { cookie, host: 'localhost:3000' } })
    expect(res.status).toBe(403)
  })

  test('the same POST from our own origin goes through', async () => {
    const res = await web.postForm('/language', { locale: 'en', redirectTo: '/' }, cookie)
    expect(res.status).toBe(302)
  })

  test('cross-origin API writes are refused as well', async () => {
    const res = await web.request('/api/v1/organisations', {
      method: 'POST',
      body: '{}',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      cookie,
    })
    expect(res.status).toBe(403)
  })

  test('the JSON API refuses bodies that are not JSON (415)', async () => {
    const res = await web.request('/api/v1/organisations', { method: 'POST', body: 'a=b', headers: { 'content-type': 'text/plain' }, cookie })
    expect(res.status).toBe(415)
  })

  test('GET never changes state: signing out by GET leaves the session alive', async () => {
    await web.request('/logout', { cookie })
    const me = await web.request('/api/v1/me', { cookie })
    expect(me.status).toBe(200)
  })
})

describe('security headers', () => {
  test('pages carry a nonce-based CSP, framing denial, nosniff and a referrer policy', async () => {
    const res = await web.request('/login')
    const csp = res.headers.get('content-security-policy')!
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeTruthy()
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("base-uri 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
    const html = await res.text()
    // Every inline script carries the nonce; none runs without it.
    const scripts = html.match(/<script\b[^>]*>/g) ?? []
    expect(scripts.length).toBeGreaterThan(0)
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`)
  })

  test('API errors and probes carry the headers too', async () => {
    const res = await web.request('/api/v1/nothing-here')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  })

  test('authenticated responses are not cacheable', async () => {
    const res = await web.request('/', { cookie })
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  test('production adds HSTS for at least a year', async () => {
    const prod = await createHarness({ env: { APP_ENV: 'production', DATABASE_URL: 'postgres://unused/db' } })
    try {
      const prodWeb = await createTestApp(prod)
      const res = await prodWeb.request('/login')
      const hsts = res.headers.get('strict-transport-security')!
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31536000)
    } finally {
      await prod.close()
    }
  })
})

describe('the API answers in JSON problem bodies', () => {
  test('an unknown API route is a JSON 404, not a page', async () => {
    const res = await web.request('/api/v1/nothing-here')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(await res.json()).toMatchObject({ status: 404, type: 'urn:csirtnet:problem:not_found' })
  })

  test('an API call without a session is a 401 problem', async () => {
    const res = await web.request('/api/v1/organisations')
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ status: 401 })
  })

  test('the organisations API answers a signed-in member', async () => {
    const res = await web.request('/api/v1/organisations?limit=5', { cookie })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { organisations: unknown[] }
    expect(body.organisations).toHaveLength(5)
  })

  test('a nonsense limit does not break the API', async () => {
    const res = await web.request('/api/v1/organisations?limit=abc', { cookie })
    expect(res.status).toBe(200)
  })
})

describe('probes', () => {
  test('/healthz answers while the process lives; /readyz checks the database and migrations', async () => {
    expect((await web.request('/healthz')).status).toBe(200)
    const ready = await web.request('/readyz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
  })
})

describe('redirect targets stay on this site', () => {
  for (const evil of ['//evil.example', '/\\evil.example', 'javascript:alert(1)', 'https://evil.example/', '/\t/evil.example', '']) {
    test(`${JSON.stringify(evil)} falls back to /`, () => {
      expect(safeRedirect(evil)).toBe('/')
    })
  }
  test('a local path is kept', () => {
    expect(safeRedirect('/organisations?q=x')).toBe('/organisations?q=x')
  })
  test('signing in with a hostile redirectTo lands on the home page', async () => {
    const user = await makeUser(h.services.db, h.orgIds.get('so-tttt-quang-ninh')!, 'reporter')
    const res = await web.postForm('/login', { email: user.email, password: TEST_PASSWORD, redirectTo: '//evil.example' })
    expect(res.headers.get('location')).toBe('/')
  })
})

describe('pages need a session', () => {
  test('an anonymous visit to a private page is sent to sign in, with the way back kept', async () => {
    const res = await web.request('/account')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/login?redirectTo=%2Faccount')
  })
})
