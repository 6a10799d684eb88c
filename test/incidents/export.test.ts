import { and, desc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog } from '../../db/schema/index.ts'
import { csvCell, exportIncidentsCsv, isoInZone } from '../../app/incidents/export.server.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeOrganisation, makeUser, TEST_PASSWORD } from '../support/factories.ts'
import { buildMatrix, insertIncident, TLPS, VIEWERS, type Matrix, type Viewer } from './fixtures-search.ts'

let h: Harness
let m: Matrix
const acting = {} as Record<Viewer, ActingContext>

beforeAll(async () => {
  h = await createHarness()
  m = await buildMatrix(h)
  for (const v of VIEWERS) acting[v] = await h.acting(m.users[v].id)
})
afterAll(() => h.close())

/** A small RFC 4180 reader, enough to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else cell += c
  }
  if (cell || row.length) rows.push([...row, cell])
  return rows
}

const referencesIn = (body: string) => new Set(parseCsv(body.replace(/^\uFEFF/, '')).slice(1).map((r) => r[0]!))
const referencesOf = (ids: Set<string>) => new Set(m.incidents.filter((i) => ids.has(i.row.id)).map((i) => i.row.reference))
const matrixReferences = () => new Set(m.incidents.map((i) => i.row.reference))
const inMatrix = (refs: Set<string>) => new Set([...refs].filter((r) => matrixReferences().has(r)))

describe('what the export contains', () => {
  for (const viewer of VIEWERS) {
    test(`${viewer}: the CSV holds exactly the incidents the policy lets them see, with or without a search or a filter`, async () => {
      const expected = m.expectedFor(viewer)
      const plain = await exportIncidentsCsv(acting[viewer], {})
      expect(inMatrix(referencesIn(plain.body))).toEqual(referencesOf(expected))
      expect(plain.rowCount).toBe(referencesIn(plain.body).size)
      const searched = await exportIncidentsCsv(acting[viewer], { q: 'ma doc', sort: 'oldest' })
      expect(inMatrix(referencesIn(searched.body))).toEqual(referencesOf(expected))
      for (const tlp of TLPS) {
        const filtered = await exportIncidentsCsv(acting[viewer], { tlp, status: ['new', 'draft'] })
        const want = new Set(m.incidents.filter((i) => i.row.tlp === tlp && expected.has(i.row.id)).map((i) => i.row.id))
        expect(inMatrix(referencesIn(filtered.body)), `${viewer} ${tlp}`).toEqual(referencesOf(want))
      }
      // A cursor narrows a page, never an export: it is ignored, whatever it says.
      const withCursor = await exportIncidentsCsv(acting[viewer], { cursor: 'whatever' })
      expect(inMatrix(referencesIn(withCursor.body))).toEqual(referencesOf(expected))
    })
  }
})

describe('the file itself', () => {
  let orgId: string
  let who: ActingContext

  beforeAll(async () => {
    const db = h.services.db
    orgId = (await makeOrganisation(db)).id
    const responder = await makeUser(db, orgId, 'responder')
    who = await h.acting(responder.id)
    await insertIncident(db, {
      reportingOrganisationId: orgId,
      createdBy: responder.id,
      title: "=cmd|' /C calc'!A0",
      detectedAt: new Date('2026-03-01T17:30:00Z'),
      submittedAt: new Date('2026-03-01T18:00:00Z'),
      escalatedAt: new Date('2026-03-02T01:00:00Z'),
      triageStatus: 'pending',
      category: 'ransomware',
      severity: 'critical',
      tlp: 'AMBER',
    })
    for (const title of ['+SUM(1,2)', '-2+3', '@SUM(A1)', '\tTab', '\rCarriage', 'Mã độc "Đà Nẵng", lần 2\nhai dòng']) {
      await insertIncident(db, { reportingOrganisationId: orgId, createdBy: responder.id, title })
    }
  })

  test('starts with a UTF-8 BOM and a header row in the viewer’s language', async () => {
    const vi = await exportIncidentsCsv(who, { organisationId: orgId })
    expect(vi.body.startsWith('\uFEFF"Mã sự cố","Tiêu đề","Trạng thái","Loại sự cố","RSIT"')).toBe(true)
    const en = await exportIncidentsCsv(who, { organisationId: orgId }, { locale: 'en' })
    const header = parseCsv(en.body.slice(1))[0]
    expect(header).toEqual([
      'Reference',
      'Title',
      'Status',
      'Category',
      'RSIT',
      'Severity',
      'TLP',
      'Reporting organisation',
      'Detected at',
      'Submitted at',
      'Acknowledged at',
      'Resolved at',
      'Closed at',
      'Escalated to VNCERT/CC',
      'Triage status',
    ])
    expect(en.body.endsWith('\r\n')).toBe(true)
  })

  test('neutralises formulas: =cmd|\' /C calc\'!A0 and cells starting with + - @ tab or CR get a leading apostrophe', async () => {
    const { body } = await exportIncidentsCsv(who, { organisationId: orgId, sort: 'oldest' })
    expect(body).toContain(`"'=cmd|' /C calc'!A0"`)
    const titles = parseCsv(body.slice(1))
      .slice(1)
      .map((r) => r[1])
    expect(titles).toEqual(["'=cmd|' /C calc'!A0", "'+SUM(1,2)", "'-2+3", "'@SUM(A1)", "'\tTab", "'\rCarriage", 'Mã độc "Đà Nẵng", lần 2\nhai dòng'])
    for (const title of titles) expect(title).not.toMatch(/^[=+\-@\t\r]/)
  })

  test('quotes every field, doubles quotes, keeps Vietnamese, and writes times in ISO 8601 in the viewer’s zone', async () => {
    const { body } = await exportIncidentsCsv(who, { organisationId: orgId, severity: 'critical' })
    const [, row] = parseCsv(body.slice(1))
    expect(row).toEqual([
      expect.stringMatching(/^IR-\d{4}-\d{6}$/),
      "'=cmd|' /C calc'!A0",
      'Mới',
      'Mã hóa phần mềm, dữ liệu (ransomware)',
      'malicious-code/infected-system',
      'Rất cao',
      'AMBER',
      expect.any(String),
      '2026-03-02T00:30:00+07:00',
      '2026-03-02T01:00:00+07:00',
      '',
      '',
      '',
      'Có',
      'Chờ phân loại',
    ])
    const all = await exportIncidentsCsv(who, { organisationId: orgId })
    expect(all.body).toContain('"Mã độc ""Đà Nẵng"", lần 2\nhai dòng"')
    const utc = await exportIncidentsCsv(who, { organisationId: orgId, severity: 'critical' }, { timeZone: 'UTC' })
    expect(utc.body).toContain('"2026-03-01T17:30:00+00:00"')
  })

  test('every export is audited with its filters and row count', async () => {
    const csv = await exportIncidentsCsv(who, { organisationId: orgId, q: 'ma doc', sort: 'severity', cursor: 'ignored' })
    expect(csv.rowCount).toBe(1)
    const [entry] = await h.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'incident.exported'), eq(auditLog.actorUserId, who.actor.userId)))
      .orderBy(desc(auditLog.id))
      .limit(1)
    expect(entry).toMatchObject({ objectType: 'incident', actorOrganisationId: orgId, sourceIp: '203.0.113.10' })
    expect(entry!.details).toEqual({ format: 'csv', filters: { q: 'ma doc', organisationId: orgId, sort: 'severity' }, rowCount: 1, truncated: false })
  })

  test('bad filters are refused before anything is read or audited', async () => {
    const before = await h.services.db.select().from(auditLog).where(eq(auditLog.action, 'incident.exported'))
    await expect(exportIncidentsCsv(who, { status: 'bogus' })).rejects.toMatchObject({ code: 'validation' })
    await expect(exportIncidentsCsv(who, { from: '2026-13-01' })).rejects.toMatchObject({ code: 'validation' })
    const after = await h.services.db.select().from(auditLog).where(eq(auditLog.action, 'incident.exported'))
    expect(after.length).toBe(before.length)
  })
})

describe('the cell and time helpers', () => {
  test('csvCell quotes, doubles quotes and neutralises formula starts only', () => {
    expect(csvCell('plain')).toBe('"plain"')
    expect(csvCell('a"b')).toBe('"a""b"')
    expect(csvCell('=1+1')).toBe(`"'=1+1"`)
    expect(csvCell('IR-2026-000001')).toBe('"IR-2026-000001"')
    expect(csvCell('1-2')).toBe('"1-2"')
    expect(csvCell(null)).toBe('""')
  })

  test('isoInZone writes the offset of the zone', () => {
    const at = new Date('2026-03-01T17:30:05Z')
    expect(isoInZone(at, 'Asia/Ho_Chi_Minh')).toBe('2026-03-02T00:30:05+07:00')
    expect(isoInZone(at, 'UTC')).toBe('2026-03-01T17:30:05+00:00')
    expect(isoInZone(at, 'America/St_Johns')).toBe('2026-03-01T14:00:05-03:30')
    expect(isoInZone(null, 'UTC')).toBe('')
  })
})

describe('GET /incidents/export.csv', () => {
  let web: TestApp
  let cookie: string

  beforeAll(async () => {
    web = await createTestApp(h)
    cookie = await web.signIn(m.users.leadResponder.email, TEST_PASSWORD)
  })

  test('answers an attachment, UTF-8 with BOM, not cached, with only the visible rows, and audits it', async () => {
    const before = await h.services.db.select().from(auditLog).where(eq(auditLog.action, 'incident.exported'))
    const res = await web.request('/incidents/export.csv?q=ma+doc&status=new&status=draft', { cookie })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="incidents-\d{4}-\d{2}-\d{2}\.csv"$/)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const body = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
    expect(inMatrix(referencesIn(body))).toEqual(referencesOf(m.expectedFor('leadResponder')))
    const after = await h.services.db.select().from(auditLog).where(eq(auditLog.action, 'incident.exported'))
    expect(after.length).toBe(before.length + 1)
  })

  test('a bad filter is a 400, not a file and not a 500', async () => {
    const res = await web.request('/incidents/export.csv?tlp=WHITE', { cookie })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-disposition')).toBeNull()
  })

  test('an injected sort is ignored', async () => {
    const res = await web.request('/incidents/export.csv?sort=created_at%3Bdrop%20table%20incidents', { cookie })
    expect(res.status).toBe(200)
  })

  test('signed-out visitors are sent to sign in', async () => {
    const res = await web.request('/incidents/export.csv')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toMatch(/^\/login\?redirectTo=/)
  })
})
