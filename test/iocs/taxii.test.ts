import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createApiToken } from '../../app/api-tokens/tokens.server.ts'
import { addSighting, createIndicator } from '../../app/iocs/indicators.server.ts'
import { parseTaxiiObjectsQuery, taxiiObjects } from '../../app/iocs/taxii.server.ts'
import { createApp } from '../../app/server/app.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { makeUser } from '../support/factories.ts'
import { validateStixObject } from '../support/stix-oracle.ts'
import { incidentCast, type IncidentCast } from '../incidents/core-fixtures.ts'

// The TAXII 2.1 server: media type, envelope, headers and paging as the specification has them,
// and the access matrix with real rows — a token reads, in every collection and through every
// filter, id and page, exactly what its organisation may see: never another's AMBER+STRICT,
// AMBER only as the cluster allows, never TLP:RED, never an expired indicator.

const TAXII = 'application/taxii+json;version=2.1'
const ROOT = '/taxii2/feeds'
const COLLECTION = { all: '8f1c6a52-3d0e-4c43-9a57-5b0f6f1e2a01', network: '8f1c6a52-3d0e-4c43-9a57-5b0f6f1e2a02', organisation: '8f1c6a52-3d0e-4c43-9a57-5b0f6f1e2a03', coordinated: '8f1c6a52-3d0e-4c43-9a57-5b0f6f1e2a04' }

let h: Harness
let app: ReturnType<typeof createApp>
let cast: IncidentCast
let memberToken: string
let leadToken: string
let writeOnlyToken: string
const ids: Record<string, string> = {}

interface Envelope {
  more: boolean
  next?: string
  objects: { id: string; type: string; modified: string; pattern?: string; object_marking_refs: string[] }[]
}

async function get(path: string, token: string | null, headers: Record<string, string> = { accept: TAXII }) {
  const res = await app.request(`http://localhost:3000${path}`, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } })
  const text = await res.text()
  return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, body: JSON.parse(text) as Record<string, unknown> }
}
const objects = async (collection: string, token: string, query = '') => {
  const res = await get(`${ROOT}/collections/${collection}/objects/${query}`, token)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return { ...res, envelope: res.body as unknown as Envelope }
}
const stixIds = (e: Envelope) => e.objects.map((o) => o.id).sort()
const indicatorId = (name: string) => `indicator--${ids[name]}`

beforeAll(async () => {
  h = await createHarness()
  app = createApp({ services: h.services })
  cast = await incidentCast(h)
  const leadAdmin = await makeUser(h.services.db, cast.leadOrgId, 'org_admin')
  memberToken = (await createApiToken(await cast.as('ownAdmin'), { name: 'SIEM', scopes: ['indicators:read'], lifetimeDays: '30' })).token
  writeOnlyToken = (await createApiToken(await cast.as('ownAdmin'), { name: 'Writer', scopes: ['indicators:write'], lifetimeDays: '30' })).token
  leadToken = (await createApiToken(await h.acting(leadAdmin.id), { name: 'Cluster SIEM', scopes: ['indicators:read'], lifetimeDays: '30' })).token

  // One second apart, so that the feed's order (date added) is the order below.
  let clock = Date.parse('2026-11-01T00:00:00Z')
  const add = async (name: string, person: Parameters<IncidentCast['as']>[0], input: Record<string, unknown>) => {
    h.setNow(new Date((clock += 1000)))
    ids[name] = (await createIndicator(await cast.as(person), input)).id
  }
  await add('ownAmber', 'ownResponder', { type: 'domain', value: 'own-amber.taxii.example.vn', tlp: 'AMBER' })
  await add('ownStrict', 'ownResponder', { type: 'ipv4', value: '203.0.113.10', tlp: 'AMBER+STRICT' })
  await add('ownRed', 'ownAdmin', { type: 'url', value: "https://own-red.taxii.example.vn/a'b\\c", tlp: 'RED' })
  await add('ownCve', 'ownResponder', { type: 'cve', value: 'CVE-2024-3400', tlp: 'GREEN' })
  await add('ownExpired', 'ownResponder', { type: 'sha256', value: 'a'.repeat(64), tlp: 'GREEN', validUntil: '2026-11-01T00:00:30Z' })
  await add('siblingGreen', 'siblingResponder', { type: 'cidr', value: '198.51.100.0/24', tlp: 'GREEN' })
  await add('siblingAmber', 'siblingResponder', { type: 'email', value: 'phish@sibling.taxii.example.vn', tlp: 'AMBER' })
  await add('siblingStrict', 'siblingResponder', { type: 'md5', value: 'b'.repeat(32), tlp: 'AMBER+STRICT' })
  await add('otherAmber', 'otherClusterResponder', { type: 'domain', value: 'other-amber.taxii.example.vn', tlp: 'AMBER' })
  await add('otherClear', 'otherClusterResponder', { type: 'filename', value: 'invoice.pdf.exe', tlp: 'CLEAR' })
  // The feed is read "now": the expired indicator's valid_until (00:00:30) has passed.
  h.setNow(new Date('2026-11-02T00:00:00Z'))
})
afterAll(() => h.close())

describe('media type, envelope and errors', () => {
  test('discovery, the API root and the collections answer application/taxii+json;version=2.1', async () => {
    const discovery = await get('/taxii2/', memberToken)
    expect(discovery.status).toBe(200)
    expect(discovery.type).toBe(TAXII)
    expect(discovery.body).toMatchObject({ title: expect.any(String), api_roots: [`http://localhost:3000${ROOT}/`], default: `http://localhost:3000${ROOT}/` })
    const root = await get(`${ROOT}/`, memberToken)
    expect(root.type).toBe(TAXII)
    expect(root.body).toMatchObject({ versions: [TAXII] })
    const collections = await get(`${ROOT}/collections/`, memberToken)
    expect(collections.type).toBe(TAXII)
    const list = collections.body.collections as { id: string; can_read: boolean; can_write: boolean; media_types: string[] }[]
    expect(list.map((c) => c.id)).toEqual([COLLECTION.all, COLLECTION.network, COLLECTION.organisation])
    for (const c of list) expect(c).toMatchObject({ can_read: true, can_write: false, media_types: ['application/stix+json;version=2.1'] })
    // Without the trailing slash too.
    expect((await get(`${ROOT}/collections/${COLLECTION.all}`, memberToken)).body).toMatchObject({ id: COLLECTION.all })
  })

  test('an unacceptable Accept is 406; a missing or bad token 401, a token without indicators:read 403, all as TAXII errors', async () => {
    for (const accept of ['application/json', 'application/taxii+json;version=2.0', 'text/html']) {
      const res = await get(`${ROOT}/collections/`, memberToken, { accept })
      expect(res.status, accept).toBe(406)
      expect(res.type).toBe(TAXII)
      expect(res.body).toMatchObject({ http_status: '406', title: expect.any(String) })
    }
    expect((await get(`${ROOT}/collections/`, memberToken, { accept: 'application/taxii+json' })).status).toBe(200)
    expect((await get(`${ROOT}/collections/`, memberToken, { accept: 'text/html, */*;q=0.1' })).status).toBe(200)
    const anonymous = await get(`${ROOT}/collections/`, null)
    expect(anonymous.status).toBe(401)
    expect(anonymous.type).toBe(TAXII)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect((await get(`${ROOT}/collections/`, 'csn_not-a-real-token')).status).toBe(401)
    const writer = await get(`${ROOT}/collections/`, writeOnlyToken)
    expect(writer.status).toBe(403)
    expect(writer.body).toMatchObject({ http_status: '403' })
  })

  test('bad paging and filter values are 400 TAXII errors naming the parameter, never a 500', async () => {
    for (const query of ['?limit=0', '?limit=-1', '?limit=abc', '?added_after=yesterday', '?next=garbage!', `?next=${Buffer.from('2026-01-01T00:00:00Z|x').toString('base64url')}`, '?match[version]=bogus']) {
      const res = await get(`${ROOT}/collections/${COLLECTION.all}/objects/${query}`, memberToken)
      expect(res.status, query).toBe(400)
      expect(res.type).toBe(TAXII)
      expect(res.body).toMatchObject({ http_status: '400' })
    }
    expect((await get(`${ROOT}/collections/not-a-collection/objects/`, memberToken)).status).toBe(404)
    const post = await app.request(`http://localhost:3000${ROOT}/collections/${COLLECTION.all}/objects/`, {
      method: 'POST',
      headers: { accept: TAXII, authorization: `Bearer ${memberToken}`, 'content-type': TAXII },
      body: '{"objects":[]}',
    })
    expect(post.status).toBe(403)
  })
})

describe('what each reader gets', () => {
  test("a member's token: its own indicators but RED, network-wide CLEAR/GREEN, nothing expired, no neighbour's AMBER", async () => {
    const { envelope } = await objects(COLLECTION.all, memberToken)
    expect(envelope.more).toBe(false)
    expect(stixIds(envelope)).toEqual(
      [indicatorId('ownAmber'), indicatorId('ownStrict'), `vulnerability--${ids.ownCve}`, indicatorId('siblingGreen'), indicatorId('otherClear')].sort(),
    )
    expect(stixIds((await objects(COLLECTION.network, memberToken)).envelope)).toEqual([`vulnerability--${ids.ownCve}`, indicatorId('siblingGreen'), indicatorId('otherClear')].sort())
    expect(stixIds((await objects(COLLECTION.organisation, memberToken)).envelope)).toEqual([indicatorId('ownAmber'), indicatorId('ownStrict'), `vulnerability--${ids.ownCve}`].sort())
    // The coordinated collection does not exist for a member that coordinates nothing.
    expect((await get(`${ROOT}/collections/${COLLECTION.coordinated}/objects/`, memberToken)).status).toBe(404)
    expect((await get(`${ROOT}/collections/${COLLECTION.coordinated}/`, memberToken)).status).toBe(404)
  })

  test("the cluster lead's token: its members' AMBER in the coordinated collection, never AMBER+STRICT, never another cluster's AMBER", async () => {
    const collections = (await get(`${ROOT}/collections/`, leadToken)).body.collections as { id: string }[]
    expect(collections.map((c) => c.id)).toContain(COLLECTION.coordinated)
    const coordinated = stixIds((await objects(COLLECTION.coordinated, leadToken)).envelope)
    expect(coordinated).toEqual(expect.arrayContaining([indicatorId('ownAmber'), indicatorId('siblingAmber'), indicatorId('siblingGreen')]))
    for (const hidden of ['ownStrict', 'ownRed', 'siblingStrict', 'otherAmber', 'ownExpired']) expect(coordinated).not.toContain(indicatorId(hidden))
    const all = stixIds((await objects(COLLECTION.all, leadToken)).envelope)
    expect(all).not.toContain(indicatorId('otherAmber'))
    expect(all).not.toContain(indicatorId('ownRed'))
  })

  test('match[id] and the object endpoint cannot reach a hidden object; match[type] splits indicators from vulnerabilities', async () => {
    for (const hidden of ['siblingAmber', 'siblingStrict', 'ownRed', 'otherAmber', 'ownExpired']) {
      const { envelope } = await objects(COLLECTION.all, memberToken, `?match[id]=${indicatorId(hidden)}`)
      expect(envelope.objects, hidden).toEqual([])
      expect((await get(`${ROOT}/collections/${COLLECTION.all}/objects/${indicatorId(hidden)}/`, memberToken)).status).toBe(404)
    }
    const mixed = await objects(COLLECTION.all, memberToken, `?match[id]=${indicatorId('siblingAmber')},${indicatorId('siblingGreen')}`)
    expect(stixIds(mixed.envelope)).toEqual([indicatorId('siblingGreen')])
    const one = await get(`${ROOT}/collections/${COLLECTION.all}/objects/${indicatorId('ownAmber')}/`, memberToken)
    expect((one.body as unknown as Envelope).objects.map((o) => o.id)).toEqual([indicatorId('ownAmber')])
    // The wrong STIX type for an id names nothing.
    expect((await objects(COLLECTION.all, memberToken, `?match[id]=vulnerability--${ids.ownAmber}`)).envelope.objects).toEqual([])
    expect(stixIds((await objects(COLLECTION.all, memberToken, '?match[type]=vulnerability')).envelope)).toEqual([`vulnerability--${ids.ownCve}`])
    const indicatorsOnly = (await objects(COLLECTION.all, memberToken, '?match[type]=indicator')).envelope
    expect(indicatorsOnly.objects.every((o) => o.type === 'indicator')).toBe(true)
    expect(indicatorsOnly.objects).toHaveLength(4)
    expect((await objects(COLLECTION.all, memberToken, '?match[type]=malware')).envelope.objects).toEqual([])
    expect((await objects(COLLECTION.all, memberToken, '?match[spec_version]=2.0')).envelope.objects).toEqual([])
  })

  test('paging one object at a time walks exactly the visible set, in date-added order, with the date-added headers', async () => {
    const everything = (await objects(COLLECTION.all, leadToken)).envelope.objects.map((o) => o.id)
    const walked: string[] = []
    let query = '?limit=1'
    for (let pages = 0; pages < 50; pages++) {
      const page = await objects(COLLECTION.all, leadToken, query)
      expect(page.envelope.objects).toHaveLength(1)
      const manifest = await get(`${ROOT}/collections/${COLLECTION.all}/manifest/${query}`, leadToken)
      const entry = (manifest.body.objects as { id: string; date_added: string; version: string }[])[0]!
      expect(entry.id).toBe(page.envelope.objects[0]!.id)
      expect(entry.version).toBe(page.envelope.objects[0]!.modified)
      expect(page.headers.get('x-taxii-date-added-first')).toBe(entry.date_added)
      expect(page.headers.get('x-taxii-date-added-last')).toBe(entry.date_added)
      walked.push(page.envelope.objects[0]!.id)
      if (!page.envelope.more) {
        expect(page.envelope.next).toBeUndefined()
        break
      }
      query = `?limit=1&next=${page.envelope.next}`
    }
    expect(walked).toEqual(everything)
    expect(new Set(walked).size).toBe(walked.length)
    // Oldest first: the first shared is first.
    expect(walked[0]).toBe(indicatorId('ownAmber'))
  })

  test('added_after returns only what was added later; an oversized limit is lowered, not refused', async () => {
    const first = await objects(COLLECTION.all, memberToken, '?limit=2')
    const after = first.headers.get('x-taxii-date-added-last')!
    expect(after).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
    const rest = (await objects(COLLECTION.all, memberToken, `?added_after=${after}`)).envelope
    const all = (await objects(COLLECTION.all, memberToken)).envelope
    expect(rest.objects.map((o) => o.id)).toEqual(all.objects.slice(2).map((o) => o.id))
    expect((await objects(COLLECTION.all, memberToken, '?limit=100000')).envelope.objects).toHaveLength(all.objects.length)
  })

  test('a changed indicator (a sighting moves its last-seen) comes round again for a client polling with added_after', async () => {
    const before = (await objects(COLLECTION.all, memberToken)).headers.get('x-taxii-date-added-last')!
    expect((await objects(COLLECTION.all, memberToken, `?added_after=${before}`)).envelope.objects).toEqual([])
    h.setNow(new Date('2026-11-03T00:00:00Z'))
    await addSighting(await cast.as('siblingResponder'), ids.siblingGreen!, { count: '2' })
    const later = (await objects(COLLECTION.all, memberToken, `?added_after=${before}`)).envelope
    expect(later.objects.map((o) => o.id)).toEqual([indicatorId('siblingGreen')])
    expect(later.objects[0]!.modified).toBe('2026-11-03T00:00:00.000Z')
  })

  test('every object served validates against the OASIS STIX 2.1 schemas', async () => {
    for (const token of [memberToken, leadToken]) {
      const { envelope } = await objects(COLLECTION.all, token)
      expect(envelope.objects.length).toBeGreaterThan(0)
      for (const o of envelope.objects) expect(validateStixObject(o), o.id).toEqual([])
      for (const o of envelope.objects) if (o.type === 'indicator') expect(o.pattern).toMatch(/^\[[a-z0-9-]+:/)
    }
  })

  test('a person reads the feed as a session sees it: the RED they made included, which no token ever gets', async () => {
    const asAdmin = await taxiiObjects(await cast.as('ownAdmin'), COLLECTION.all, parseTaxiiObjectsQuery({}))
    expect(asAdmin.objects.map((o) => o.id)).toContain(indicatorId('ownRed'))
    const asToken = (await objects(COLLECTION.all, memberToken)).envelope
    expect(asToken.objects.map((o) => o.id)).not.toContain(indicatorId('ownRed'))
  })
})
