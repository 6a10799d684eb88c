import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { clusterMembers, incidents } from '../../db/schema/index.ts'
import { loadIncidentFacts } from '../../app/incidents/access.server.ts'
import { decodeCursor, encodeCursor, listIncidents } from '../../app/incidents/search.server.ts'
import { INCIDENT_SORTS, PAGE_SIZE } from '../../app/incidents/finding.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import type { Actor } from '../../app/policy/actor.ts'
import { canSeeIncident } from '../../app/policy/policy.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeCluster, makeOrganisation, makeUser, TEST_PASSWORD } from '../support/factories.ts'
import { buildMatrix, expectSameIds, idOf, insertIncident, SPOT_CHECKS, TLPS, VIEWERS, type Matrix, type Viewer } from './fixtures-search.ts'

let h: Harness
let m: Matrix
const acting = {} as Record<Viewer, ActingContext>

beforeAll(async () => {
  h = await createHarness()
  m = await buildMatrix(h)
  for (const v of VIEWERS) acting[v] = await h.acting(m.users[v].id)
})
afterAll(() => h.close())

type Input = Record<string, unknown>

/** Every page of a query, following the next cursors; the ids in order and the count shown. */
async function allPages(who: ActingContext, input: Input = {}) {
  const ids: string[] = []
  const pages: string[][] = []
  const cursors: (string | undefined)[] = []
  let cursor: string | undefined
  let total = -1
  for (let i = 0; i < 200; i++) {
    const page = await listIncidents(who, { ...input, cursor })
    if (total < 0) total = page.total
    else expect(page.total, 'the count does not change from page to page').toBe(total)
    expect(page.rows.length).toBeLessThanOrEqual(PAGE_SIZE)
    pages.push(page.rows.map((r) => r.id))
    cursors.push(cursor)
    ids.push(...page.rows.map((r) => r.id))
    if (!page.nextCursor) break
    cursor = page.nextCursor
  }
  return { ids, total, pages, cursors }
}

/** Every returned incident passes the policy's object check, loaded fresh from the database. */
async function expectAllVisible(actor: Actor, ids: string[], context: string) {
  for (const id of ids) {
    const loaded = await loadIncidentFacts(h.services.db, id)
    expect(loaded && canSeeIncident(actor, loaded.facts), `${context}: ${loaded?.row.title ?? id} must not appear`).toBe(true)
  }
}

const matrixIds = () => new Set(m.incidents.map((i) => i.row.id))
const inMatrix = (ids: string[]) => ids.filter((id) => matrixIds().has(id))

describe('who sees which incidents in the list, the search and the counts', () => {
  test('the expected table holds for the matrix, cell by cell', () => {
    for (const [viewer, label, allowed] of SPOT_CHECKS) {
      expect(m.expectedFor(viewer).has(idOf(m, label)), `${viewer} / ${label}`).toBe(allowed)
    }
  })

  for (const viewer of VIEWERS) {
    test(`${viewer}: the list shows exactly the incidents the policy lets them see, each once, and counts only those`, async () => {
      const { ids, total } = await allPages(acting[viewer])
      await expectAllVisible(m.actors[viewer], ids, viewer)
      expectSameIds(inMatrix(ids), m.expectedFor(viewer), viewer)
      expect(total).toBe(ids.length)
    })

    test(`${viewer}: searching "ma doc", filtering by each TLP label and by status never reveals an invisible incident`, async () => {
      const expected = m.expectedFor(viewer)
      const searched = await allPages(acting[viewer], { q: 'ma doc' })
      await expectAllVisible(m.actors[viewer], searched.ids, `${viewer} q`)
      expectSameIds(inMatrix(searched.ids), expected, `${viewer} q`)
      expect(searched.total).toBe(searched.ids.length)
      for (const tlp of TLPS) {
        const filtered = await allPages(acting[viewer], { tlp, q: 'Mã độc' })
        await expectAllVisible(m.actors[viewer], filtered.ids, `${viewer} ${tlp}`)
        const want = new Set(m.incidents.filter((i) => i.row.tlp === tlp && expected.has(i.row.id)).map((i) => i.row.id))
        expectSameIds(inMatrix(filtered.ids), want, `${viewer} ${tlp}`)
      }
      const drafts = await allPages(acting[viewer], { status: ['draft'] })
      await expectAllVisible(m.actors[viewer], drafts.ids, `${viewer} drafts`)
      const filters = await allPages(acting[viewer], { organisationId: m.org.owner, clusterId: m.clusterId, category: 'malware', severity: 'medium' })
      await expectAllVisible(m.actors[viewer], filters.ids, `${viewer} filters`)
    })
  }

  test('a cursor made from an incident the viewer cannot see only positions the page: it shows nothing of it', async () => {
    const red = m.incidents.find((i) => i.label === 'RED')!.row
    const key = [red.createdAt.toISOString().replace('Z', '000Z'), red.id]
    const cursor = encodeCursor({ sort: 'newest', direction: 'before', key })
    const page = await listIncidents(acting.siblingResponder, { cursor })
    await expectAllVisible(m.actors.siblingResponder, page.rows.map((r) => r.id), 'cursor')
    expect(page.rows.map((r) => r.id)).not.toContain(red.id)
  })
})

describe('full-text search without diacritics', () => {
  let orgId: string
  let who: ActingContext
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    const db = h.services.db
    orgId = (await makeOrganisation(db)).id
    const responder = await makeUser(db, orgId, 'responder')
    who = await h.acting(responder.id)
    const add = async (key: string, title: string, extra: Record<string, unknown> = {}) => {
      ids[key] = (await insertIncident(db, { reportingOrganisationId: orgId, createdBy: responder.id, title, ...extra })).id
    }
    await add('malware', 'Phát hiện Mã độc trên máy chủ thư điện tử')
    await add('danang', 'Tấn công từ chối dịch vụ cổng thông tin Đà Nẵng', { category: 'ddos' })
    await add('ransomware', 'Máy trạm nhiễm ransomware LockBit', { category: 'ransomware' })
    await add('phishing', 'Thư lừa đảo giả mạo ngân hàng', { category: 'phishing', description: 'Người dùng nhận thư giả mạo' })
    await add('ip', 'Quét cổng bất thường', { systemName: 'máy chủ 192.168.10.5' })
  })

  const search = async (q: string) => (await allPages(who, { q, organisationId: orgId })).ids

  test('"ma doc" finds "Mã độc", and so do "Mã độc" and "MÃ ĐỘC"', async () => {
    for (const q of ['ma doc', 'Mã độc', 'MÃ ĐỘC', 'doc ma']) expect(await search(q), q).toEqual([ids.malware])
  })

  test('"Đà Nẵng" and "da nang" both find the incident in Đà Nẵng', async () => {
    expect(await search('Đà Nẵng')).toEqual([ids.danang])
    expect(await search('da nang')).toEqual([ids.danang])
    expect(await search('đà nẵng')).toEqual([ids.danang])
  })

  test('a word prefix matches ("ransom" finds "ransomware"), the middle of a word does not', async () => {
    expect(await search('ransom')).toEqual([ids.ransomware])
    expect(await search('lockb')).toEqual([ids.ransomware])
    expect(await search('somware')).toEqual([])
  })

  test('the description, an IP address and the reference are searchable too', async () => {
    expect(await search('nguoi dung nhan thu')).toEqual([ids.phishing])
    expect(await search('192.168.10.5')).toEqual([ids.ip])
    const [row] = await h.services.db.select({ reference: incidents.reference }).from(incidents).where(eq(incidents.id, ids.danang!))
    expect(await search(row!.reference)).toEqual([ids.danang])
    expect(await search(row!.reference.toLowerCase())).toEqual([ids.danang])
  })

  test('every word must match', async () => {
    expect(await search('ma doc ngan hang')).toEqual([])
  })

  test('text-search operators and quotes in the query are only text, never a 500', async () => {
    for (const q of ["ma & doc | !x:* (')", "'; drop table incidents; --", ':*', '&&&', '!', '\\', '"unterminated', '<->', 'a:*b']) {
      const page = await listIncidents(who, { q, organisationId: orgId })
      expect(Array.isArray(page.rows), q).toBe(true)
    }
    expect(await search('ma & doc')).toEqual([ids.malware])
    const [{ n }] = (await h.services.db.select({ n: sql<number>`count(*)::int` }).from(incidents)) as [{ n: number }]
    expect(n).toBeGreaterThan(0)
  })

  test('a query of only punctuation filters nothing', async () => {
    expect((await search('...!!!')).length).toBe(5)
  })

  test('a query longer than 200 characters is a validation error', async () => {
    await expect(listIncidents(who, { q: 'a'.repeat(201) })).rejects.toMatchObject({ code: 'validation', details: { fieldErrors: { q: ['validation.tooLong'] } } })
  })
})

describe('sorting and keyset pagination', () => {
  let orgId: string
  let who: ActingContext
  let all: string[]

  beforeAll(async () => {
    const db = h.services.db
    orgId = (await makeOrganisation(db)).id
    const responder = await makeUser(db, orgId, 'responder')
    who = await h.acting(responder.id)
    all = []
    const severities = ['low', 'medium', 'high', 'critical'] as const
    for (let i = 0; i < 61; i++) {
      const row = await insertIncident(db, {
        reportingOrganisationId: orgId,
        createdBy: responder.id,
        severity: severities[i % 4],
        tlp: i % 5 === 0 ? 'AMBER' : 'GREEN',
        status: i % 9 === 0 ? 'draft' : 'new',
        detectedAt: i % 6 === 0 ? null : new Date(Date.UTC(2026, 0, 1 + (i % 10))),
      })
      all.push(row.id)
      // Many rows share one millisecond and differ only in microseconds, and some are equal:
      // a cursor that rounded to milliseconds, or that ignored the id, would skip or repeat rows.
      await db.execute(sql`update incidents set created_at = '2026-02-01T08:00:00.123000Z'::timestamptz + (${i % 7} * interval '1 microsecond') where id = ${row.id}`)
    }
  })

  for (const sort of INCIDENT_SORTS) {
    test(`sorted by ${sort}, paging forward returns every visible row exactly once, in order`, async () => {
      const { ids, pages, total } = await allPages(who, { organisationId: orgId, sort })
      expectSameIds(ids, new Set(all), sort)
      expect(total).toBe(61)
      expect(pages.length).toBe(3)
      const rows = await h.services.db.select().from(incidents).where(eq(incidents.reportingOrganisationId, orgId))
      const byId = new Map(rows.map((r) => [r.id, r]))
      const rank = { low: 0, medium: 1, high: 2, critical: 3 }
      for (let i = 1; i < ids.length; i++) {
        const a = byId.get(ids[i - 1]!)!
        const b = byId.get(ids[i]!)!
        if (sort === 'severity') expect(rank[a.severity]).toBeGreaterThanOrEqual(rank[b.severity])
        if (sort === 'detectedAt') expect((a.detectedAt ?? a.createdAt).getTime()).toBeGreaterThanOrEqual((b.detectedAt ?? b.createdAt).getTime())
      }
    })

    test(`sorted by ${sort}, paging back from the last page returns the earlier pages unchanged`, async () => {
      const forward = await allPages(who, { organisationId: orgId, sort })
      const last = await listIncidents(who, { organisationId: orgId, sort, cursor: forward.cursors[forward.cursors.length - 1] })
      expect(last.rows.map((r) => r.id)).toEqual(forward.pages[forward.pages.length - 1])
      let cursor: string | null = last.previousCursor
      const back: string[][] = []
      while (cursor) {
        const page = await listIncidents(who, { organisationId: orgId, sort, cursor })
        back.unshift(page.rows.map((r) => r.id))
        cursor = page.previousCursor
      }
      expect(back.flat()).toEqual(forward.pages.slice(0, -1).flat())
    })
  }

  test('the first page has no previous link and the last has no next link', async () => {
    const first = await listIncidents(who, { organisationId: orgId })
    expect(first.previousCursor).toBeNull()
    expect(first.nextCursor).not.toBeNull()
    const second = await listIncidents(who, { organisationId: orgId, cursor: first.nextCursor })
    const third = await listIncidents(who, { organisationId: orgId, cursor: second.nextCursor })
    expect(third.rows.length).toBe(11)
    expect(third.nextCursor).toBeNull()
    expect(third.previousCursor).not.toBeNull()
  })

  test('a sort outside the allowlist ("created_at;drop table incidents") falls back to newest first and harms nothing', async () => {
    const injected = await listIncidents(who, { organisationId: orgId, sort: 'created_at;drop table incidents' })
    const newest = await listIncidents(who, { organisationId: orgId, sort: 'newest' })
    expect(injected.query.sort).toBe('newest')
    expect(injected.rows.map((r) => r.id)).toEqual(newest.rows.map((r) => r.id))
    for (const sort of ['title', 'id desc', '1', "severity'--", ['newest', 'oldest'], { sort: 'newest' }]) {
      expect((await listIncidents(who, { organisationId: orgId, sort })).query.sort).toBe('newest')
    }
    expect((await h.services.db.select({ id: incidents.id }).from(incidents).limit(1)).length).toBe(1)
  })

  test('a tampered, foreign or malformed cursor is a 400 validation error on the cursor', async () => {
    const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
    const uuid = all[0]!
    const bad = [
      'not a cursor',
      '%%%',
      b64('not json'),
      b64([1, 2]),
      b64({ s: 'newest', d: 'a', k: ['2026-02-30T00:00:00.000000Z', uuid] }),
      b64({ s: 'newest', d: 'a', k: ["2026-01-01T00:00:00.000000Z'); drop table incidents; --", uuid] }),
      b64({ s: 'newest', d: 'a', k: ['2026-01-01T00:00:00.000000Z', 'x'] }),
      b64({ s: 'newest', d: 'a', k: ['2026-01-01T00:00:00.000000Z'] }),
      b64({ s: 'newest', d: 'sideways', k: ['2026-01-01T00:00:00.000000Z', uuid] }),
      b64({ s: 'severity', d: 'a', k: ['urgent', '2026-01-01T00:00:00.000000Z', uuid] }),
      'a'.repeat(600),
    ]
    for (const cursor of bad) {
      await expect(listIncidents(who, { cursor }), cursor.slice(0, 40)).rejects.toMatchObject({ code: 'validation', status: 400 })
    }
    // A genuine cursor of one sort does not page another.
    const first = await listIncidents(who, { organisationId: orgId, sort: 'oldest' })
    await expect(listIncidents(who, { organisationId: orgId, sort: 'severity', cursor: first.nextCursor })).rejects.toMatchObject({
      code: 'validation',
      details: { fieldErrors: { cursor: ['incidentList.errors.cursor'] } },
    })
  })

  test('cursors round-trip and keep microseconds', () => {
    const cursor = { sort: 'newest' as const, direction: 'after' as const, key: ['2026-02-01T08:00:00.123456Z', all[0]!] }
    expect(decodeCursor(encodeCursor(cursor), 'newest')).toEqual(cursor)
  })
})

describe('filters', () => {
  let orgId: string
  let who: ActingContext
  const ids: Record<string, string> = {}
  const HOUR = 3600_000
  const DAY = 24 * HOUR

  beforeAll(async () => {
    const db = h.services.db
    orgId = (await makeOrganisation(db)).id
    const responder = await makeUser(db, orgId, 'responder')
    who = await h.acting(responder.id)
    const now = Date.now()
    const add = async (key: string, seed: Record<string, unknown>) => {
      ids[key] = (await insertIncident(db, { reportingOrganisationId: orgId, createdBy: responder.id, ...seed })).id
    }
    await add('lateDraft', { status: 'draft', detectedAt: new Date(now - 6 * DAY), submittedAt: null })
    await add('freshDraft', { status: 'draft', detectedAt: new Date(now - 4 * DAY), submittedAt: null })
    await add('unacknowledged', { status: 'new', submittedAt: new Date(now - 25 * HOUR), detectedAt: new Date(now - 2 * DAY) })
    await add('justFiled', { status: 'new', submittedAt: new Date(now - 23 * HOUR), detectedAt: new Date(now - 2 * DAY) })
    await add('investigatingNoAck', { status: 'investigating', submittedAt: new Date(now - 10 * DAY), detectedAt: new Date(now - 10 * DAY) })
    await add('closureLate', { status: 'resolved', resolvedAt: new Date(now - 6 * DAY), detectedAt: new Date(now - 20 * DAY), severity: 'critical', category: 'ddos' })
    await add('closureDone', { status: 'resolved', resolvedAt: new Date(now - 6 * DAY), closureSubmittedAt: new Date(now - 5 * DAY), tlp: 'CLEAR' })
    await add('escalated', { status: 'acknowledged', acknowledgedAt: new Date(), escalatedAt: new Date(), triageStatus: 'pending', severity: 'high' })
    // 2026-03-02 00:30 and 23:59:59 in Hà Nội (UTC+7), and the next local midnight.
    const acknowledged = { status: 'acknowledged', acknowledgedAt: new Date() }
    await add('earlyLocal', { ...acknowledged, detectedAt: new Date('2026-03-01T17:30:00Z') })
    await add('lateLocal', { ...acknowledged, detectedAt: new Date('2026-03-02T16:59:59Z') })
    await add('nextDay', { ...acknowledged, detectedAt: new Date('2026-03-02T17:00:00Z') })
  })

  const find = async (input: Input) => new Set((await allPages(who, { organisationId: orgId, ...input })).ids)
  const only = (...keys: string[]) => new Set(keys.map((k) => ids[k]!))

  test('overdue only: notification, acknowledgement and closure report deadlines, each only while it is awaited', async () => {
    expect(await find({ overdue: 'on' })).toEqual(only('lateDraft', 'unacknowledged', 'closureLate'))
    const page = await listIncidents(who, { organisationId: orgId, overdue: 'on' })
    const flags = Object.fromEntries(page.rows.map((r) => [r.id, [r.overdueNotification, r.overdueAcknowledgement, r.overdueClosureReport]]))
    expect(flags[ids.lateDraft!]).toEqual([true, false, false])
    expect(flags[ids.unacknowledged!]).toEqual([false, true, false])
    expect(flags[ids.closureLate!]).toEqual([false, false, true])
  })

  test('overdue follows the clock: a day later the fresh draft is late too', async () => {
    h.setNow(new Date(Date.now() + 1.5 * DAY))
    try {
      expect(await find({ overdue: 'on' })).toEqual(only('lateDraft', 'freshDraft', 'unacknowledged', 'justFiled', 'closureLate'))
    } finally {
      h.setNow(new Date())
    }
  })

  test('escalated only, status (several), category, severity and TLP', async () => {
    expect(await find({ escalated: 'on' })).toEqual(only('escalated'))
    expect(await find({ status: ['resolved', 'acknowledged'] })).toEqual(only('closureLate', 'closureDone', 'escalated', 'earlyLocal', 'lateLocal', 'nextDay'))
    expect(await find({ status: 'draft' })).toEqual(only('lateDraft', 'freshDraft'))
    expect(await find({ category: 'ddos' })).toEqual(only('closureLate'))
    expect(await find({ severity: 'critical' })).toEqual(only('closureLate'))
    expect(await find({ tlp: 'CLEAR' })).toEqual(only('closureDone'))
  })

  test('the detection date range is read in the viewer’s time zone, "to" inclusive', async () => {
    expect(await find({ from: '2026-03-02', to: '2026-03-02' })).toEqual(only('earlyLocal', 'lateLocal'))
    const inUtc = await listIncidents(who, { organisationId: orgId, from: '2026-03-02', to: '2026-03-02' }, { timeZone: 'UTC' })
    expect(new Set(inUtc.rows.map((r) => r.id))).toEqual(only('lateLocal', 'nextDay'))
    expect(await find({ from: '2026-03-03', to: '2026-03-03' })).toEqual(only('nextDay'))
    expect(await find({ to: '2026-03-01' })).toEqual(new Set())
  })

  test('the cluster filter takes the organisations that are members today', async () => {
    const analyst = acting.analyst
    const inCluster = new Set(inMatrix((await allPages(analyst, { clusterId: m.clusterId })).ids))
    const expected = new Set(m.incidents.filter((i) => i.row.reportingOrganisationId === m.org.owner && m.expectedFor('analyst').has(i.row.id)).map((i) => i.row.id))
    expect(inCluster).toEqual(expected)
    const other = new Set(inMatrix((await allPages(analyst, { clusterId: m.otherClusterId })).ids))
    expect(other).toEqual(new Set([idOf(m, 'AMBER of another cluster')]))
    // An organisation that left the cluster yesterday no longer counts.
    const db = h.services.db
    const leaver = await makeOrganisation(db)
    const leaverUser = await makeUser(db, leaver.id, 'reporter')
    const cluster = await makeCluster(db, { members: [leaver.id] })
    const leaverIncident = await insertIncident(db, { reportingOrganisationId: leaver.id, createdBy: leaverUser.id, tlp: 'GREEN' })
    expect((await allPages(analyst, { clusterId: cluster.id })).ids).toEqual([leaverIncident.id])
    await db.update(clusterMembers).set({ until: '2020-12-31' }).where(eq(clusterMembers.clusterId, cluster.id))
    expect((await allPages(analyst, { clusterId: cluster.id })).ids).toEqual([])
  })

  test('bad filter values are validation errors on their fields, never database errors', async () => {
    const cases: [Input, string][] = [
      [{ status: ['new', 'bogus'] }, 'status'],
      [{ category: 'everything' }, 'category'],
      [{ severity: 'extreme' }, 'severity'],
      [{ tlp: 'WHITE' }, 'tlp'],
      [{ organisationId: "1' or '1'='1" }, 'organisationId'],
      [{ clusterId: 'cum-3' }, 'clusterId'],
      [{ from: '2026-02-30' }, 'from'],
      [{ to: '03/02/2026' }, 'to'],
      [{ from: '2026-03-05', to: '2026-03-01' }, 'to'],
      [{ overdue: 'yes please' }, 'overdue'],
    ]
    for (const [input, field] of cases) {
      const error = await listIncidents(who, input).then(
        () => null,
        (e: unknown) => e as { code: string; details: { fieldErrors: Record<string, string[]> } },
      )
      expect(error?.code, JSON.stringify(input)).toBe('validation')
      expect(Object.keys(error!.details.fieldErrors), JSON.stringify(input)).toContain(field)
    }
  })
})

describe('the /incidents page', () => {
  let web: TestApp
  const cookies = {} as Record<Viewer, string>

  beforeAll(async () => {
    web = await createTestApp(h)
    for (const v of VIEWERS) cookies[v] = await web.signIn(m.users[v].email, TEST_PASSWORD)
  })

  const get = (path: string, viewer: Viewer) => web.request(path, { cookie: cookies[viewer] })

  test('for every role, the page lists the visible incidents and never names an invisible one, searched or not', async () => {
    for (const viewer of VIEWERS) {
      const expected = m.expectedFor(viewer)
      for (const path of ['/incidents', '/incidents?q=ma+doc', '/incidents?q=M%C3%A3+%C4%91%E1%BB%99c&sort=oldest&status=new&status=draft']) {
        const res = await get(path, viewer)
        expect(res.status, `${viewer} ${path}`).toBe(200)
        const html = await res.text()
        for (const i of m.incidents) {
          if (!expected.has(i.row.id)) expect(html, `${viewer} ${path} ${i.label}`).not.toContain(i.row.reference)
        }
        if (path === '/incidents') for (const id of expected) expect(html, `${viewer} sees ${id}`).toContain(`/incidents/${id}`)
      }
    }
  })

  test('rows show the reference link, the TLP badge and the status; the filters keep their values', async () => {
    const amber = m.incidents.find((i) => i.label === 'AMBER')!.row
    const listed = await (await get('/incidents?q=ma+doc&status=new&tlp=AMBER', 'analyst')).text()
    expect(listed).toContain(`href="/incidents/${amber.id}"`)
    expect(listed).toContain(amber.reference)
    expect(listed).toContain('class="tlp tlp--AMBER"')
    expect(listed).toContain('>Mới<')
    const html = await (await get('/incidents?q=ma+doc&status=new&tlp=AMBER&overdue=on', 'analyst')).text()
    expect(html).toContain('value="ma doc"')
    expect(html).toMatch(/name="status" checked="" value="new"/)
    expect(html).toMatch(/<option value="AMBER" selected="">/)
    expect(html).toMatch(/name="overdue" type="checkbox" checked=""/)
    expect(html).toContain('href="/incidents/export.csv?q=ma+doc&amp;status=new&amp;tlp=AMBER&amp;overdue=on"')
  })

  test('an overdue incident carries the overdue badge', async () => {
    const db = h.services.db
    const late = await insertIncident(db, {
      reportingOrganisationId: m.org.owner,
      createdBy: m.users.creator.id,
      title: 'Chưa xác nhận',
      submittedAt: new Date(Date.now() - 30 * 3600_000),
    })
    const html = await (await get(`/incidents?q=${encodeURIComponent(late.reference)}`, 'ownerResponder')).text()
    expect(html).toContain(late.reference)
    expect(html).toContain('data-overdue="true"')
    expect(html).toContain('Quá hạn xác nhận đã nhận (24 giờ)')
  })

  test('the "New report" button is offered to member staff, not to the system administrator', async () => {
    expect(await (await get('/incidents', 'creator')).text()).toContain('href="/incidents/new"')
    expect(await (await get('/incidents', 'sysadmin')).text()).not.toContain('href="/incidents/new"')
  })

  test('an injected sort is harmless and a tampered cursor answers 400 with the form', async () => {
    const injected = await get('/incidents?sort=created_at%3Bdrop%20table%20incidents', 'analyst')
    expect(injected.status).toBe(200)
    const tampered = await get('/incidents?cursor=eyJzIjoibmV3ZXN0IiwiZCI6ImEiLCJrIjpbIngiLCJ5Il19', 'analyst')
    expect(tampered.status).toBe(400)
    const html = await tampered.text()
    expect(html).toContain('Liên kết phân trang không hợp lệ')
    expect((await get('/incidents?from=2026-02-30', 'analyst')).status).toBe(400)
  })

  test('next and previous links page through the list', async () => {
    const db = h.services.db
    const org = await makeOrganisation(db)
    const reporter = await makeUser(db, org.id, 'reporter')
    for (let i = 0; i < PAGE_SIZE + 1; i++) await insertIncident(db, { reportingOrganisationId: org.id, createdBy: reporter.id, tlp: 'GREEN' })
    const first = await (await get('/incidents', 'analyst')).text()
    const next = /<a rel="next"[^>]*href="(\/incidents\?[^"]*cursor=[^"]+)"/.exec(first)
    expect(next, 'the analyst sees more than one page').not.toBeNull()
    const second = await get(next![1]!.replace(/&amp;/g, '&'), 'analyst')
    expect(second.status).toBe(200)
    const html = await second.text()
    expect(html).toMatch(/<a rel="prev"[^>]*href="\/incidents\?[^"]*cursor=/)
    expect(html).toContain('href="/incidents">Về trang đầu</a>')
  })

  test('signed-out visitors are sent to sign in', async () => {
    const res = await web.request('/incidents')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toMatch(/^\/login\?redirectTo=/)
  })

  test('partner text is escaped, in both languages', async () => {
    const db = h.services.db
    const evil = await insertIncident(db, { reportingOrganisationId: m.org.owner, createdBy: m.users.creator.id, title: '<script>alert("x")</script> mã độc' })
    const vi = await (await get(`/incidents?q=${encodeURIComponent(evil.reference)}`, 'ownerResponder')).text()
    expect(vi).not.toContain('<script>alert')
    expect(vi).toContain('&lt;script&gt;')
    const english = await makeUser(db, m.org.owner, 'responder', { locale: 'en' })
    const cookie = await web.signIn(english.email, TEST_PASSWORD)
    const en = await (await web.request(`/incidents?q=${encodeURIComponent(evil.reference)}`, { cookie })).text()
    expect(en).toContain('Incidents')
    expect(en).toContain('Export CSV')
    expect(en).not.toContain('<script>alert')
  })
})
