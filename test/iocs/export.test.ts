import { and, eq } from 'drizzle-orm'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog } from '../../db/schema/index.ts'
import { createApiToken } from '../../app/api-tokens/tokens.server.ts'
import { exportIndicatorsCsv, exportIndicatorsStix, INDICATOR_CSV_COLUMNS, indicatorsForExport } from '../../app/iocs/export.server.ts'
import { stixIdentityId, TLP_MARKING_DEFINITIONS, tlpMarkingRef } from '../../app/iocs/stix.ts'
import { validateStixBundle } from '../support/stix-oracle.ts'
import { createImportDraft, getImport } from '../../app/iocs/imports.server.ts'
import { createIndicator } from '../../app/iocs/indicators.server.ts'
import { parseIndicatorCsv } from '../../app/iocs/csv.ts'
import { TLP_LABELS } from '../../app/policy/actor.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { TEST_PASSWORD } from '../support/factories.ts'
import { expectDomainError, incidentCast, type IncidentCast, type Person } from '../incidents/core-fixtures.ts'

// The indicator export (issue 5) is one more door onto the indicators: it must hold exactly what
// the policy lets the viewer see (docs/decisions/004-visibility-rules.md, TLP 2.0), for people and
// for tokens, through the page and the API; partner text must not become a spreadsheet formula;
// and the file must import again as itself.

let h: Harness
let web: TestApp
let cast: IncidentCast
/** One indicator per TLP label, shared by the owner organisation's responder (Cluster A). */
const owned: Record<string, string> = {}
let siblingStrict: string
let otherAmber: string

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  cast = await incidentCast(h)
  const responder = await cast.as('ownResponder')
  for (const [i, tlp] of TLP_LABELS.entries()) {
    owned[tlp] = (await createIndicator(responder, { type: 'domain', value: `${tlp.replace('+', '-').toLowerCase()}-${i}.export.example.vn`, tlp })).id
  }
  siblingStrict = (await createIndicator(await cast.as('siblingResponder'), { type: 'ipv4', value: '103.97.20.1', tlp: 'AMBER+STRICT' })).id
  // Cluster B's member, AMBER: for its own organisation, the national CERT and Cluster B's officers.
  otherAmber = (await createIndicator(await cast.as('otherClusterResponder'), { type: 'ipv4', value: '103.97.20.2', tlp: 'AMBER' })).id
})
afterAll(() => h.close())

const exportedIds = async (person: Person, input: unknown = {}) => (await indicatorsForExport(await cast.as(person), input)).rows.map((r) => r.indicator.id)

describe('who sees what in an export', () => {
  // Rows: who; columns: the owner's indicator of each label (true = in the export).
  const matrix: [Person, Record<(typeof TLP_LABELS)[number], boolean>][] = [
    ['ownResponder', { CLEAR: true, GREEN: true, AMBER: true, 'AMBER+STRICT': true, RED: true }],
    // TLP:RED is for named people: the creator, not their organisation's admin.
    ['ownAdmin', { CLEAR: true, GREEN: true, AMBER: true, 'AMBER+STRICT': true, RED: false }],
    ['creator', { CLEAR: true, GREEN: true, AMBER: true, 'AMBER+STRICT': true, RED: false }],
    // Cluster A's lead coordinates the owner: AMBER, not AMBER+STRICT.
    ['leadResponder', { CLEAR: true, GREEN: true, AMBER: true, 'AMBER+STRICT': false, RED: false }],
    // A member of the same cluster that coordinates nobody.
    ['siblingResponder', { CLEAR: true, GREEN: true, AMBER: false, 'AMBER+STRICT': false, RED: false }],
    // Cluster B's member: the network-wide labels only.
    ['otherClusterResponder', { CLEAR: true, GREEN: true, AMBER: false, 'AMBER+STRICT': false, RED: false }],
    // The national CERT's analysts see AMBER network-wide.
    ['analyst', { CLEAR: true, GREEN: true, AMBER: true, 'AMBER+STRICT': false, RED: false }],
    ['sysadmin', { CLEAR: true, GREEN: true, AMBER: false, 'AMBER+STRICT': false, RED: false }],
  ]
  test.each(matrix)('%s', async (person, expected) => {
    const ids = await exportedIds(person)
    const seen = Object.fromEntries(TLP_LABELS.map((tlp) => [tlp, ids.includes(owned[tlp]!)]))
    expect(seen).toEqual(expected)
  })

  test("an AMBER indicator of a Cluster B member is not in a Cluster A member's export, and the other way round", async () => {
    expect(await exportedIds('siblingResponder')).not.toContain(otherAmber)
    expect(await exportedIds('otherClusterResponder')).not.toContain(owned.AMBER)
    expect(await exportedIds('otherClusterResponder')).toContain(otherAmber)
    expect(await exportedIds('analyst')).toContain(otherAmber)
  })

  test('RED never leaves the one who holds it: no other person, organisation or the national CERT', async () => {
    for (const person of ['ownAdmin', 'creator', 'colleague', 'leadResponder', 'siblingResponder', 'otherClusterResponder', 'analyst', 'sysadmin'] as const) {
      expect(await exportedIds(person)).not.toContain(owned.RED)
    }
  })

  test('the export is the list: the same policy, newest first, and the source organisation with each row', async () => {
    const { rows, truncated } = await indicatorsForExport(await cast.as('ownResponder'), {})
    expect(truncated).toBe(false)
    const times = rows.map((r) => r.indicator.createdAt.getTime())
    expect([...times].sort((a, b) => b - a)).toEqual(times)
    const own = rows.find((r) => r.indicator.id === owned.GREEN)!
    expect(own.source).toMatchObject({ id: cast.ownerOrgId, name: expect.any(String), createdAt: expect.any(Date) })
  })

  test('filters narrow it, a limit cuts it and says so, bad filters are field errors', async () => {
    const responder = await cast.as('ownResponder')
    expect((await indicatorsForExport(responder, { type: 'ipv4' })).rows.every((r) => r.indicator.type === 'ipv4')).toBe(true)
    expect(await exportedIds('ownResponder', { since: '2999-01-01' })).toEqual([])
    expect(await indicatorsForExport(responder, {}, { limit: 2 })).toMatchObject({ rows: [{}, {}], truncated: true })
    const error = await expectDomainError(indicatorsForExport(responder, { type: 'md4', since: 'yesterday' }), 'validation')
    expect(Object.keys(error.details.fieldErrors ?? {}).sort()).toEqual(['since', 'type'])
  })
})

describe('the CSV file', () => {
  test('has the import’s columns, a BOM and CRLF, formula-looking cells neutralised; the export is audited', async () => {
    const responder = await cast.as('ownResponder')
    const { id } = await createIndicator(responder, { type: 'filename', value: '=1+2.exe', tlp: 'GREEN', description: "=cmd|' /C calc'!A0", tags: '@team, +x' })
    const csv = await exportIndicatorsCsv(responder, { type: 'filename' })
    expect(csv.body.startsWith('\uFEFF"type","value","tlp"')).toBe(true)
    expect(csv.body.endsWith('\r\n')).toBe(true)
    expect(csv.filename).toMatch(/^indicators-\d{4}-\d{2}-\d{2}\.csv$/)
    const [header, row] = parse(csv.body.slice(1), { relax_column_count: false }) as string[][]
    expect(header).toEqual([...INDICATOR_CSV_COLUMNS])
    expect(row).toEqual(['filename', "'=1+2.exe", 'GREEN', '50', '', '', '', "'@team,+x", "'=cmd|' /C calc'!A0", expect.any(String), id])
    const entries = await h.services.db.select().from(auditLog).where(and(eq(auditLog.action, 'indicator.exported'), eq(auditLog.actorUserId, cast.users.ownResponder.id)))
    expect(entries.at(-1)).toMatchObject({ objectType: 'indicator', details: { format: 'csv', filters: { type: 'filename', since: null }, rowCount: 1, truncated: false } })
  })

  test('an export imports again as itself: every line a duplicate of what the organisation holds', async () => {
    const later = new Date(Date.now() + 24 * 3600_000)
    h.setNow(later)
    try {
      const responder = await cast.as('ownResponder')
      const shared = [
        { type: 'url', value: 'hxxps://evil[.]example[.]vn/login?next=/a,b', tlp: 'AMBER', confidence: '70', tags: 'T1566.002, phishing', description: 'Trang giả mạo, "đăng nhập"\nhai dòng' },
        { type: 'ipv6', value: '2001:DB8:0:0::1', tlp: 'AMBER+STRICT', firstSeenAt: '2026-11-01', lastSeenAt: '2026-11-30T08:30:00+07:00', validUntil: '2027-01-01T00:00:00Z' },
        { type: 'filename', value: '-rf.exe', tlp: 'RED', description: '@mention +1 -1 =1' },
        { type: 'cve', value: 'cve-2021-44228', tlp: 'CLEAR' },
        { type: 'email', value: 'Alice@Evil.example.vn', tlp: 'GREEN', confidence: '0' },
      ]
      // The first is the newest, so the first row of the file is the one with a line break.
      for (const [i, s] of shared.entries()) {
        h.setNow(new Date(later.getTime() + (shared.length - i) * 1000))
        await createIndicator(responder, s)
      }
      const csv = await exportIndicatorsCsv(responder, { since: later.toISOString() })
      expect(csv.rowCount).toBe(shared.length)

      // The file as the parser reads it: each row's sharing is what was stored.
      const parsed = parseIndicatorCsv(csv.body)
      if (!Array.isArray(parsed)) throw new Error(parsed.error)
      const { rows } = await indicatorsForExport(responder, { since: later.toISOString() })
      expect(parsed.map((e) => ('result' in e && e.result.ok ? [e.result.type, e.result.value, e.overrides?.tlp, e.overrides?.confidence, e.overrides?.description ?? '', e.overrides?.tags ?? []] : e))).toEqual(
        rows.map(({ indicator: i }) => [i.type, i.value, i.tlp, i.confidence, i.description, i.tags]),
      )
      const dated = parsed.find((e) => 'result' in e && e.result.ok && e.result.type === 'ipv6')!
      expect(dated).toMatchObject({ overrides: { firstSeenAt: new Date('2026-11-01T00:00:00Z'), lastSeenAt: new Date('2026-11-30T01:30:00Z'), validUntil: new Date('2027-01-01T00:00:00Z') } })

      // And through the import path: nothing new.
      const { id } = await createImportDraft(responder, { content: csv.body, fileName: csv.filename })
      const { import: state, preview } = await getImport(responder, id)
      expect(state.format).toBe('csv')
      expect(preview!.counts).toEqual({ valid: 0, duplicate: shared.length, warninglisted: 0, invalid: 0, skipped: 0 })
      expect(preview!.lines.map((l) => l.duplicateOf)).toEqual(shared.map(() => 'organisation'))
      // Line numbers are the file's: the description's quoted line break makes the first row two lines.
      expect(preview!.lines.map((l) => l.line)).toEqual([2, 4, 5, 6, 7])
    } finally {
      h.setNow(null as unknown as Date)
    }
  })
})

describe('through the page and the API', () => {
  let readToken: string
  let writeToken: string
  beforeAll(async () => {
    const admin = await cast.as('ownAdmin')
    readToken = (await createApiToken(admin, { name: 'SIEM export', scopes: ['indicators:read'], lifetimeDays: '30' })).token
    writeToken = (await createApiToken(admin, { name: 'SIEM push', scopes: ['indicators:write'], lifetimeDays: '30' })).token
  })
  const api = (path: string, token: string) => web.app.request(`http://localhost:3000${path}`, { headers: { authorization: `Bearer ${token}` } })
  // Response.text() drops the BOM; the bytes keep it (checked below).
  const idsOf = (body: string) => (parse(body, { bom: true, columns: true }) as { id: string }[]).map((r) => r.id)

  test('a token exports what its organisation may see and nothing more: never RED, not a neighbour’s AMBER+STRICT, not another cluster’s AMBER', async () => {
    const res = await api('/api/v1/indicators/export?format=csv', readToken)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="indicators-\d{4}-\d{2}-\d{2}\.csv"$/)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const ids = idsOf(new TextDecoder().decode(bytes))
    expect(ids).toEqual(expect.arrayContaining([owned.CLEAR, owned.GREEN, owned.AMBER, owned['AMBER+STRICT']]))
    for (const hidden of [owned.RED, siblingStrict, otherAmber]) expect(ids).not.toContain(hidden)
    const [entry] = await h.services.db.select().from(auditLog).where(and(eq(auditLog.action, 'indicator.exported'), eq(auditLog.actorUserId, cast.users.ownAdmin.id)))
    expect(entry).toMatchObject({ details: { format: 'csv', apiTokenId: expect.any(String) } })
  })

  test('the format defaults to CSV; bad input is a 400 problem; without the scope 403', async () => {
    expect((await api('/api/v1/indicators/export?type=ipv4', readToken)).status).toBe(200)
    for (const query of ['format=xml', 'type=md4', 'since=yesterday']) {
      const res = await api(`/api/v1/indicators/export?${query}`, readToken)
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(await res.json()).toMatchObject({ type: 'urn:csirtnet:problem:validation', status: 400 })
    }
    const res = await api('/api/v1/indicators/export', writeToken)
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ type: 'urn:csirtnet:problem:insufficient_scope', scope: 'indicators:read' })
  })

  test('the page links to the download, which holds what the signed-in person may see', async () => {
    const cookie = await web.signIn(cast.users.otherClusterResponder.email, TEST_PASSWORD)
    const page = await web.request('/indicators', { cookie })
    expect(await page.text()).toContain('href="/indicators/export.csv"')
    const res = await web.request('/indicators/export.csv', { cookie })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="indicators-/)
    const ids = idsOf(await res.text())
    expect(ids).toEqual(expect.arrayContaining([owned.CLEAR, owned.GREEN, otherAmber]))
    for (const hidden of [owned.AMBER, owned['AMBER+STRICT'], owned.RED, siblingStrict]) expect(ids).not.toContain(hidden)
    expect((await web.request('/indicators/export.csv?type=nonsense', { cookie })).status).toBe(400)
    expect((await web.request('/indicators/export.csv')).status).toBeGreaterThanOrEqual(300)
  })
})

describe('the STIX 2.1 bundle', () => {
  interface Bundle {
    type: string
    objects: { type: string; id: string; created_by_ref?: string; object_marking_refs?: string[] }[]
  }
  const bundleOf = (body: string) => JSON.parse(body) as Bundle

  test('validates against the OASIS schemas and resolves every reference it makes: markings and source identities included', async () => {
    const lead = await cast.as('leadResponder')
    const file = await exportIndicatorsStix(lead, {})
    expect(file.filename).toMatch(/^indicators-\d{4}-\d{2}-\d{2}\.stix\.json$/)
    const bundle = bundleOf(file.body)
    expect(validateStixBundle(bundle)).toEqual([])
    const ids = new Set(bundle.objects.map((o) => o.id))
    const sdos = bundle.objects.filter((o) => o.type === 'indicator' || o.type === 'vulnerability')
    expect(sdos).toHaveLength(file.rowCount)
    for (const o of sdos) {
      expect(ids.has(o.created_by_ref!), o.id).toBe(true)
      for (const ref of o.object_marking_refs ?? []) expect(ids.has(ref), ref).toBe(true)
    }
    // The official TLP 2.0 objects, as OASIS publishes them.
    const marking = bundle.objects.find((o) => o.id === tlpMarkingRef('AMBER'))
    expect(marking).toEqual(TLP_MARKING_DEFINITIONS.AMBER)
    expect(ids.has(stixIdentityId(cast.ownerOrgId))).toBe(true)
  })

  test('holds what the reader may see and nothing more, like the CSV; through the API a token never gets RED', async () => {
    const other = bundleOf((await exportIndicatorsStix(await cast.as('otherClusterResponder'), {})).body)
    const otherIds = other.objects.map((o) => o.id)
    expect(otherIds).toEqual(expect.arrayContaining([`indicator--${owned.CLEAR}`, `indicator--${owned.GREEN}`, `indicator--${otherAmber}`]))
    for (const hidden of [owned.AMBER, owned['AMBER+STRICT'], owned.RED, siblingStrict]) expect(otherIds).not.toContain(`indicator--${hidden}`)
    // No marking or identity of what was left out either: RED's marking is absent when no RED row is in.
    expect(otherIds).not.toContain(tlpMarkingRef('RED'))

    const token = (await createApiToken(await cast.as('ownAdmin'), { name: 'SIEM STIX', scopes: ['indicators:read'], lifetimeDays: '30' })).token
    const res = await web.app.request('http://localhost:3000/api/v1/indicators/export?format=stix', { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/stix+json;version=2.1')
    const viaToken = bundleOf(await res.text())
    expect(validateStixBundle(viaToken)).toEqual([])
    const tokenIds = viaToken.objects.map((o) => o.id)
    expect(tokenIds).toEqual(expect.arrayContaining([`indicator--${owned.AMBER}`, `indicator--${owned['AMBER+STRICT']}`]))
    for (const hidden of [owned.RED, siblingStrict, otherAmber]) expect(tokenIds).not.toContain(`indicator--${hidden}`)
    const [entry] = await h.services.db.select().from(auditLog).where(and(eq(auditLog.action, 'indicator.exported'), eq(auditLog.actorUserId, cast.users.ownAdmin.id)))
    expect(entry).toBeDefined()
  })

  test('a bundle imports again as itself: every indicator a duplicate, the markings and identities skipped', async () => {
    const responder = await cast.as('ownResponder')
    const file = await exportIndicatorsStix(responder, {})
    const bundle = bundleOf(file.body)
    const { id } = await createImportDraft(responder, { content: file.body, fileName: file.filename })
    const { import: state, preview } = await getImport(responder, id)
    expect(state.format).toBe('stix')
    // Indicators and CVEs (vulnerabilities) come back as what the organisation holds; the
    // marking definitions and identities are no indicators.
    const sdos = bundle.objects.filter((o) => o.type === 'indicator' || o.type === 'vulnerability').length
    expect(bundle.objects.some((o) => o.type === 'vulnerability')).toBe(true)
    expect(preview!.counts).toEqual({ valid: 0, duplicate: sdos, warninglisted: 0, invalid: 0, skipped: bundle.objects.length - sdos })
  })

  test('the page links to the bundle download', async () => {
    const cookie = await web.signIn(cast.users.siblingResponder.email, TEST_PASSWORD)
    expect(await (await web.request('/indicators', { cookie })).text()).toContain('href="/indicators/export.json"')
    const res = await web.request('/indicators/export.json', { cookie })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/stix+json;version=2.1')
    const ids = bundleOf(await res.text()).objects.map((o) => o.id)
    expect(ids).toContain(`indicator--${siblingStrict}`)
    expect(ids).not.toContain(`indicator--${owned.AMBER}`)
  })
})
