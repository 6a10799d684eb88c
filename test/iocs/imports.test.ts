import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog, indicatorCorrelations, indicatorImports, indicators, users } from '../../db/schema/index.ts'
import { createApiToken, revokeApiToken } from '../../app/api-tokens/tokens.server.ts'
import { createImportDraft, detectFormat, discardImport, getImport, IMPORT_CHUNK, listImports, queueImport, runImport } from '../../app/iocs/imports.server.ts'
import { stixBundle, stixIdentity, stixIndicator, TLP_MARKING_DEFINITIONS } from '../../app/iocs/stix.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { expectDomainError, incidentCast, type IncidentCast } from '../incidents/core-fixtures.ts'

// Large imports (issue 5): a draft previewed from its stored input, confirmed, then saved by the
// worker a chunk per transaction with progress and a summary; resumable, idempotent, and seen
// only by the organisation that made it.

let h: Harness
let web: TestApp
let cast: IncidentCast

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  cast = await incidentCast(h)
})
afterAll(() => h.close())

/** `n` distinct defanged public addresses (on no warninglist), one per line. */
function addresses(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => `103[.]97[.]${Math.floor((from + i) / 250)}[.]${((from + i) % 250) + 1}`)
}

async function importRow(id: string) {
  const [row] = await h.services.db.select().from(indicatorImports).where(eq(indicatorImports.id, id))
  return row!
}

describe('a large import', () => {
  const lines = [...addresses(IMPORT_CHUNK + 2_000), 'not-an-address.999', '10.0.0.7', '103[.]97[.]0[.]1', 'evil-import[.]example[.]vn']
  let id: string

  test('is kept as a draft whose preview counts every entry and saves nothing', async () => {
    const acting = await cast.as('ownResponder')
    ;({ id } = await createImportDraft(acting, { content: lines.join('\n'), fileName: 'report.txt', tlp: 'GREEN', tags: 'T1071' }))
    const { import: state, preview } = await getImport(acting, id)
    expect(state).toMatchObject({ status: 'draft', format: 'text', total: lines.length, processed: 0, tlp: 'GREEN', mayManage: true })
    // "not-an-address.999" is a domain with a numeric top-level label: invalid, with its reason.
    expect(preview!.counts).toEqual({ valid: IMPORT_CHUNK + 2_001, duplicate: 1, warninglisted: 1, invalid: 1, skipped: 0 })
    expect(preview!.lines).toHaveLength(500)
    expect(await h.services.db.select().from(indicators).where(eq(indicators.sourceOrganisationId, cast.ownerOrgId))).toEqual([])
  })

  test("another organisation's staff are told it does not exist, a reporter may not import", async () => {
    for (const person of ['siblingResponder', 'leadResponder', 'analyst'] as const) {
      await expectDomainError(getImport(await cast.as(person), id), 'not_found')
      await expectDomainError(queueImport(await cast.as(person), id), 'not_found')
    }
    await expectDomainError(createImportDraft(await cast.as('creator'), { content: '198.18.0.1' }), 'forbidden')
    expect(await listImports(await cast.as('siblingResponder'))).toEqual([])
  })

  test("the organisation's admin may confirm it; its reporters, who share no indicators, do not see it", async () => {
    expect((await getImport(await cast.as('ownAdmin'), id)).import.mayManage).toBe(true)
    await expectDomainError(getImport(await cast.as('colleague'), id), 'not_found')
    expect((await listImports(await cast.as('ownAdmin'))).map((i) => i.id)).toContain(id)
  })

  test('once confirmed the worker saves it a chunk per transaction, resuming where it stopped', async () => {
    const acting = await cast.as('ownResponder')
    await queueImport(acting, id)
    await expectDomainError(queueImport(acting, id), 'conflict')
    expect(await importRow(id)).toMatchObject({ status: 'queued' })

    await runImport(h.services, id, { chunks: 1 })
    const halfway = await importRow(id)
    expect(halfway).toMatchObject({ status: 'running', processed: IMPORT_CHUNK })
    expect(halfway.summary.created).toBe(IMPORT_CHUNK)

    // The rest, as a worker that restarted would: nothing of the first chunk is saved again.
    await runImport(h.services, id)
    const done = await importRow(id)
    expect(done).toMatchObject({ status: 'done', processed: lines.length, content: '' })
    expect(done.summary).toEqual({ created: IMPORT_CHUNK + 2_000 + 2, duplicate: 1, warninglisted: 1, invalid: 1, skipped: 0 })
    const saved = await h.services.db.select().from(indicators).where(eq(indicators.sourceOrganisationId, cast.ownerOrgId))
    expect(saved).toHaveLength(IMPORT_CHUNK + 2_000 + 2)
    expect(saved.every((r) => r.tlp === 'GREEN' && r.tags.includes('T1071'))).toBe(true)
    const [audit] = await h.services.db.select().from(auditLog).where(and(eq(auditLog.action, 'indicator.imported'), eq(auditLog.actorUserId, cast.users.ownResponder.id)))
    expect(audit!.details).toMatchObject({ created: IMPORT_CHUNK + 2_002, source: 'text', importId: id })

    // A finished import is not run again.
    await runImport(h.services, id)
    expect((await importRow(id)).summary.created).toBe(IMPORT_CHUNK + 2_002)
  })

  test('importing the same input again creates nothing: every line is a duplicate', async () => {
    const acting = await cast.as('ownAdmin')
    const { id: again } = await createImportDraft(acting, { content: addresses(300).join('\n') })
    await queueImport(acting, again)
    await runImport(h.services, again)
    expect((await importRow(again)).summary).toEqual({ created: 0, duplicate: 300, warninglisted: 0, invalid: 0, skipped: 0 })
  })

  test('a value another organisation holds is correlated', async () => {
    const sibling = await cast.as('siblingResponder')
    const { id: theirs } = await createImportDraft(sibling, { content: 'evil-import[.]example[.]vn\n103.97.0.2' })
    await queueImport(sibling, theirs)
    await runImport(h.services, theirs)
    expect((await importRow(theirs)).summary.created).toBe(2)
    const [mine] = await h.services.db.select().from(indicators).where(and(eq(indicators.value, 'evil-import.example.vn'), eq(indicators.sourceOrganisationId, cast.ownerOrgId)))
    const pairs = await h.services.db.select().from(indicatorCorrelations)
    expect(pairs.some((p) => p.indicatorId === mine!.id || p.relatedIndicatorId === mine!.id)).toBe(true)
  })
})

describe('the worker acts as the author is now', () => {
  test('an author deactivated before the run imports nothing and the import says why', async () => {
    const colleague = await cast.as('ownAdmin')
    const { id } = await createImportDraft(await cast.as('ownResponder'), { content: '198.19.1.1' })
    await queueImport(colleague, id)
    await h.services.db.update(users).set({ status: 'deactivated' }).where(eq(users.id, cast.users.ownResponder.id))
    try {
      await runImport(h.services, id)
      expect(await importRow(id)).toMatchObject({ status: 'failed', error: 'iocs.import.errors.noLongerAllowed', summary: { created: 0 } })
      expect(await h.services.db.select().from(indicators).where(eq(indicators.value, '198.19.1.1'))).toEqual([])
    } finally {
      await h.services.db.update(users).set({ status: 'active' }).where(eq(users.id, cast.users.ownResponder.id))
    }
  })

  test('a draft can be discarded by its author, and then is gone', async () => {
    const acting = await cast.as('ownResponder')
    const { id } = await createImportDraft(acting, { content: '198.19.2.2' })
    await discardImport(acting, id)
    await expectDomainError(getImport(acting, id), 'not_found')
  })

  test('bad input is a field error, not a failure', async () => {
    const acting = await cast.as('ownResponder')
    await expectDomainError(createImportDraft(acting, { content: '' }), 'validation')
    await expectDomainError(createImportDraft(acting, { content: 'just prose, nothing here' }), 'validation')
    await expectDomainError(createImportDraft(acting, { content: '198.18.0.1', tlp: 'PURPLE' }), 'validation')
  })

  test('the format is what was chosen, else the extension, else what the content looks like', () => {
    expect(detectFormat('auto', 'feed.csv', '')).toBe('csv')
    expect(detectFormat('auto', 'bundle.json', '')).toBe('stix')
    expect(detectFormat('auto', '', '{ "type": "bundle", "id": "bundle--x" }')).toBe('stix')
    expect(detectFormat('auto', '', 'hxxp://x[.]vn')).toBe('text')
    expect(detectFormat('text', 'x.csv', '')).toBe('text')
  })
})

describe('a STIX 2.1 bundle', () => {
  test('is previewed and saved with the sharing its indicators carry, what is not an indicator skipped', async () => {
    const acting = await cast.as('ownResponder')
    const org = { id: cast.ownerOrgId, name: 'Own CSIRT' }
    const now = new Date('2026-03-02T09:30:00.000Z')
    const indicator = stixIndicator(
      {
        id: randomUUID(),
        type: 'domain',
        value: 'stix-import.example.vn',
        tlp: 'RED',
        confidence: 90,
        firstSeenAt: new Date('2026-03-01T00:00:00.000Z'),
        validUntil: new Date('2027-03-01T00:00:00.000Z'),
        tags: ['T1071'],
        description: 'C2 from a partner feed',
        createdAt: now,
        updatedAt: now,
      },
      { source: org },
    )
    const yara = { ...indicator, id: `indicator--${randomUUID()}`, pattern_type: 'yara', pattern: 'rule c2 { condition: true }' }
    const bundle = stixBundle([stixIdentity(org), TLP_MARKING_DEFINITIONS.RED, indicator, yara])
    const { id } = await createImportDraft(acting, { content: JSON.stringify(bundle), fileName: 'partner-feed.json', tlp: 'GREEN', confidence: '40' })
    const { import: state, preview } = await getImport(acting, id)
    expect(state).toMatchObject({ status: 'draft', format: 'stix' })
    expect(preview!.counts).toEqual({ valid: 1, duplicate: 0, warninglisted: 0, invalid: 0, skipped: 3 })
    expect(preview!.lines.map((l) => l.skipReason)).toEqual(['stix_not_indicator', 'stix_not_indicator', null, 'stix_pattern_type'])

    await queueImport(acting, id)
    await runImport(h.services, id)
    expect((await importRow(id)).summary).toEqual({ created: 1, duplicate: 0, warninglisted: 0, invalid: 0, skipped: 3 })
    const [saved] = await h.services.db.select().from(indicators).where(and(eq(indicators.value, 'stix-import.example.vn'), eq(indicators.sourceOrganisationId, cast.ownerOrgId)))
    expect(saved).toMatchObject({
      type: 'domain',
      tlp: 'RED',
      confidence: 90,
      tags: ['T1071'],
      description: 'C2 from a partner feed',
      firstSeenAt: new Date('2026-03-01T00:00:00.000Z'),
      validUntil: new Date('2027-03-01T00:00:00.000Z'),
    })
  })

  test('that is not one is a field error', async () => {
    await expectDomainError(createImportDraft(await cast.as('ownResponder'), { content: '{"type": "indicator"}', format: 'stix' }), 'validation')
  })
})

describe('the API', () => {
  const bearer = (token: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } })
  const post = (token: string, body: unknown) =>
    web.app.request('http://localhost:3000/api/v1/indicators/imports', bearer(token, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }))
  const get = (token: string, id: string) => web.app.request(`http://localhost:3000/api/v1/indicators/imports/${id}`, bearer(token))

  test('a SIEM pushes a feed: 202 with the import, then its progress and summary', async () => {
    const { token } = await createApiToken(await cast.as('ownAdmin'), { name: 'SIEM', scopes: ['indicators:write'], lifetimeDays: '30' })
    const res = await post(token, { format: 'text', content: 'api-import[.]example[.]vn\n198.20.0.1\nbad.999', tlp: 'AMBER' })
    expect(res.status).toBe(202)
    const created = (await res.json()) as { id: string; status: string; total: number }
    expect(created).toMatchObject({ status: 'queued', total: 3 })
    await runImport(h.services, created.id)
    const state = await get(token, created.id)
    expect(state.status).toBe(200)
    expect(await state.json()).toMatchObject({ id: created.id, status: 'done', total: 3, processed: 3, summary: { created: 2, invalid: 1 } })
  })

  test('bad input is a 400 problem; without the scope 403; another token cannot read it', async () => {
    const { token } = await createApiToken(await cast.as('ownAdmin'), { name: 'SIEM 2', scopes: ['indicators:write'], lifetimeDays: '30' })
    const bad = await post(token, { content: '' })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toContain('application/problem+json')
    const { token: readOnly } = await createApiToken(await cast.as('ownAdmin'), { name: 'reader', scopes: ['indicators:read'], lifetimeDays: '30' })
    expect((await post(readOnly, { content: '198.21.0.1' })).status).toBe(403)
    const made = (await (await post(token, { content: '198.21.0.2' })).json()) as { id: string }
    const { token: other, id: otherId } = await createApiToken(await cast.as('ownAdmin'), { name: 'other', scopes: ['indicators:write'], lifetimeDays: '30' })
    expect((await get(other, made.id)).status).toBe(404)
    await revokeApiToken(await cast.as('ownAdmin'), otherId)
    expect((await get(token, 'not-a-uuid')).status).toBe(404)
  })
})
