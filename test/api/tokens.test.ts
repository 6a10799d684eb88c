import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { apiTokens, auditLog, users } from '../../db/schema/index.ts'
import { createApiToken, listApiTokens, revokeApiToken } from '../../app/api-tokens/tokens.server.ts'
import { createIndicator } from '../../app/iocs/indicators.server.ts'
import { createApiRouter } from '../../app/server/api.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { TEST_PASSWORD } from '../support/factories.ts'
import { expectDomainError, incidentCast, type IncidentCast } from '../incidents/core-fixtures.ts'

// API tokens and the REST API they open: who may make them, that only the hash is kept, that a
// token reads exactly what its organisation may see (never TLP:RED), that scopes, expiry,
// revocation and the creator's deactivation each shut it, and that bad input is a 4xx problem.

let h: Harness
let web: TestApp
let cast: IncidentCast

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  cast = await incidentCast(h)
})
afterAll(() => h.close())

const DAY = 24 * 3600_000
const bearer = (token: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } })
const getJson = async (path: string, token: string) => {
  const res = await web.app.request(`http://localhost:3000${path}`, bearer(token))
  return { status: res.status, type: res.headers.get('content-type'), auth: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, unknown> }
}
const postJson = (path: string, token: string, body: unknown, type = 'application/json') =>
  web.app.request(`http://localhost:3000${path}`, bearer(token, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': type } }))

async function tokenFor(scopes: string[], lifetimeDays = '90') {
  return (await createApiToken(await cast.as('ownAdmin'), { name: `SIEM ${scopes.join('+')}`, scopes, lifetimeDays })).token
}

describe('making tokens', () => {
  test('only an organisation admin, for their own organisation; the token is shown once and only its hash is kept', async () => {
    for (const person of ['creator', 'ownResponder', 'analyst', 'sysadmin'] as const) {
      await expectDomainError(createApiToken(await cast.as(person), { name: 'x', scopes: ['indicators:read'], lifetimeDays: '30' }), 'forbidden')
    }
    const made = await createApiToken(await cast.as('ownAdmin'), { name: 'SIEM tỉnh', scopes: ['indicators:read'], lifetimeDays: '30' })
    expect(made.token).toMatch(/^csn_[a-z2-7]{32}$/)
    const [row] = await h.services.db.select().from(apiTokens).where(eq(apiTokens.id, made.id))
    expect(JSON.stringify(row)).not.toContain(made.token)
    expect(row!.tokenHash).toMatch(/^[0-9a-f]{64}$/)
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(30 * DAY)
    const [audit] = await h.services.db.select().from(auditLog).where(eq(auditLog.objectId, made.id))
    expect(audit).toMatchObject({ action: 'api_token.created' })
    expect(JSON.stringify(audit)).not.toContain(made.token)
    // Another organisation's admin neither lists nor revokes it.
    const list = await listApiTokens(await cast.as('ownAdmin'))
    expect(list.map((t) => t.id)).toContain(made.id)
    expect(JSON.stringify(list)).not.toContain(made.token)
  })

  test('bad input is a field error', async () => {
    const admin = await cast.as('ownAdmin')
    const error = await expectDomainError(createApiToken(admin, { name: '', scopes: ['everything'], lifetimeDays: '9999' }), 'validation')
    expect(Object.keys(error.details.fieldErrors ?? {}).sort()).toEqual(['lifetimeDays', 'name', 'scopes'])
    await expectDomainError(revokeApiToken(admin, 'not-a-uuid'), 'not_found')
  })
})

describe('reading with a token', () => {
  test('a token sees what its organisation may see: its own AMBER+STRICT, a neighbour’s GREEN, never another’s AMBER+STRICT, never RED', async () => {
    const own = await createIndicator(await cast.as('ownResponder'), { type: 'domain', value: 'strict-own.api.example.vn', tlp: 'AMBER+STRICT' })
    const red = await createIndicator(await cast.as('ownAdmin'), { type: 'domain', value: 'red-admin.api.example.vn', tlp: 'RED' })
    const green = await createIndicator(await cast.as('siblingResponder'), { type: 'domain', value: 'green-sibling.api.example.vn', tlp: 'GREEN' })
    const hidden = await createIndicator(await cast.as('siblingResponder'), { type: 'domain', value: 'strict-sibling.api.example.vn', tlp: 'AMBER+STRICT' })
    const token = await tokenFor(['indicators:read'])
    const res = await getJson('/api/v1/indicators?limit=200', token)
    expect(res.status).toBe(200)
    const ids = (res.body.indicators as { id: string }[]).map((i) => i.id)
    expect(ids).toEqual(expect.arrayContaining([own.id, green.id]))
    expect(ids).not.toContain(hidden.id)
    // The admin who made the token reads their own RED indicator in the browser; the machine does not.
    expect(ids).not.toContain(red.id)
    expect((await getJson(`/api/v1/indicators/${red.id}`, token)).status).toBe(404)
    expect((await getJson(`/api/v1/indicators/${hidden.id}`, token)).status).toBe(404)
    const lookup = await getJson(`/api/v1/indicators/lookup?q=${encodeURIComponent('api.example.vn')}`, token)
    const found = (lookup.body.matches as { id: string }[]).map((m) => m.id)
    expect(found).toEqual(expect.arrayContaining([own.id, green.id]))
    expect(found).not.toContain(hidden.id)
    expect(found).not.toContain(red.id)
    const cookie = await web.signIn(cast.users.ownAdmin.email, TEST_PASSWORD)
    const asPerson = await web.request('/api/v1/indicators?limit=200', { cookie })
    expect(((await asPerson.json()) as { indicators: { id: string }[] }).indicators.map((i) => i.id)).toContain(red.id)
  })

  test('use is recorded; a token without the scope gets 403 insufficient_scope; incidents need incidents:read', async () => {
    const token = await tokenFor(['indicators:read'])
    await getJson('/api/v1/indicators', token)
    const [row] = await h.services.db.select().from(apiTokens).where(eq(apiTokens.prefix, token.slice(0, 10)))
    expect(row!.lastUsedAt).not.toBeNull()
    const denied = await getJson('/api/v1/incidents', token)
    expect(denied).toMatchObject({ status: 403, type: 'application/problem+json', body: { type: 'urn:csirtnet:problem:insufficient_scope', scope: 'incidents:read' } })
    expect(denied.auth).toContain('insufficient_scope')
    expect((await postJson('/api/v1/indicators', token, { type: 'domain', value: 'x.example.vn' })).status).toBe(403)
    const incidents = await getJson('/api/v1/incidents', await tokenFor(['incidents:read']))
    expect(incidents.status).toBe(200)
    expect(Array.isArray(incidents.body.incidents)).toBe(true)
  })

  test('unknown, revoked, expired tokens and tokens of a deactivated admin are 401 with WWW-Authenticate', async () => {
    expect(await getJson('/api/v1/indicators', 'csn_nottherealtoken')).toMatchObject({ status: 401, body: { type: 'urn:csirtnet:problem:invalid_token' } })
    expect((await web.app.request('http://localhost:3000/api/v1/indicators', { headers: { authorization: 'Basic abc' } })).status).toBe(401)

    const revoked = await createApiToken(await cast.as('ownAdmin'), { name: 'to revoke', scopes: ['indicators:read'], lifetimeDays: '30' })
    expect((await getJson('/api/v1/indicators', revoked.token)).status).toBe(200)
    expect(await revokeApiToken(await cast.as('ownAdmin'), revoked.id)).toEqual({ id: revoked.id, revoked: true })
    const afterRevoke = await getJson('/api/v1/indicators', revoked.token)
    expect(afterRevoke.status).toBe(401)
    expect(afterRevoke.auth).toContain('invalid_token')

    const expiring = await tokenFor(['indicators:read'], '30')
    h.setNow(new Date(Date.now() + 31 * DAY))
    expect((await getJson('/api/v1/indicators', expiring)).status).toBe(401)
    h.setNow(new Date())

    const other = await tokenFor(['indicators:read'])
    await h.services.db.update(users).set({ status: 'deactivated' }).where(eq(users.id, cast.users.ownAdmin.id))
    try {
      expect((await getJson('/api/v1/indicators', other)).status).toBe(401)
    } finally {
      await h.services.db.update(users).set({ status: 'active' }).where(eq(users.id, cast.users.ownAdmin.id))
    }
  })
})

describe('writing with a token', () => {
  test('indicators:write shares an indicator as the organisation: 201, then 200 for the same value; bad input is a 4xx problem', async () => {
    const token = await tokenFor(['indicators:read', 'indicators:write'])
    const first = await postJson('/api/v1/indicators', token, { type: 'url', value: 'hxxps://api-write[.]example[.]vn/x', tlp: 'GREEN' })
    expect(first.status).toBe(201)
    const made = (await first.json()) as { id: string; created: boolean }
    const again = await postJson('/api/v1/indicators', token, { type: 'url', value: 'https://api-write.example.vn/x', tlp: 'GREEN' })
    expect(again.status).toBe(200)
    expect(((await again.json()) as { id: string }).id).toBe(made.id)
    const page = await getJson(`/api/v1/indicators/${made.id}`, token)
    expect(page.body.indicator).toMatchObject({ sourceOrganisationId: cast.ownerOrgId, value: 'https://api-write.example.vn/x' })

    const invalid = await postJson('/api/v1/indicators', token, { type: 'ipv4', value: '300.0.0.1' })
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toMatchObject({ type: 'urn:csirtnet:problem:validation', errors: { value: ['iocs.validation.ipv4_octet_range'] } })
    expect((await postJson('/api/v1/indicators', token, '{not json')).status).toBe(400)
    expect((await postJson('/api/v1/indicators', token, 'type=domain', 'application/x-www-form-urlencoded')).status).toBe(415)
    expect((await getJson('/api/v1/indicators/lookup?q=', token)).status).toBe(400)
    expect((await getJson('/api/v1/indicators/lookup?q=999.1.1.1', token)).status).toBe(400)
  })
})

describe('the token page and the API description', () => {
  test('an organisation admin makes a token on the page and sees it once; a responder gets 403', async () => {
    const cookie = await web.signIn(cast.users.ownAdmin.email, TEST_PASSWORD)
    expect(await (await web.request('/admin/users', { cookie })).text()).toContain('href="/admin/tokens"')
    const body = new URLSearchParams([
      ['intent', 'create'],
      ['name', 'SIEM trang'],
      ['scopes', 'indicators:read'],
      ['scopes', 'incidents:read'],
      ['lifetimeDays', '90'],
    ])
    const res = await web.request('/admin/tokens', { method: 'POST', body, cookie })
    expect(res.status).toBe(200)
    const page = (await res.text()).replaceAll('\0', '')
    const token = /value="(csn_[a-z2-7]+)"/.exec(page)?.[1]
    expect(token).toBeTruthy()
    expect((await getJson('/api/v1/incidents', token!)).status).toBe(200)
    const later = await (await web.request('/admin/tokens', { cookie })).text()
    expect(later).toContain('SIEM trang')
    expect(later).not.toContain(token!)
    const bad = await web.request('/admin/tokens', { method: 'POST', body: new URLSearchParams({ intent: 'create', name: 'x', lifetimeDays: '90' }), cookie })
    expect(bad.status).toBe(400)
    const responder = await web.signIn(cast.users.ownResponder.email, TEST_PASSWORD)
    expect((await web.request('/admin/tokens', { cookie: responder })).status).toBe(403)
  })

  test('/api/openapi.json describes every /api/v1 route the router answers', async () => {
    const res = await web.app.request('http://localhost:3000/api/openapi.json')
    expect(res.status).toBe(200)
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> }
    expect(doc.openapi).toBe('3.1.0')
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    // What the router really answers under /v1 (Hono lists its routes; middleware is method ALL).
    const answered = createApiRouter(h.services)
      .routes.filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
    expect([...new Set(answered)].sort()).toEqual(described.sort())
    expect(described).toContain('POST /v1/indicators')
  })
})
