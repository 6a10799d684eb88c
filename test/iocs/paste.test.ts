import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog, indicators } from '../../db/schema/index.ts'
import { createIndicator, previewPaste, savePaste } from '../../app/iocs/indicators.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { incidentCast, type IncidentCast } from '../incidents/core-fixtures.ts'

// Bulk paste: a defanged report in, a preview of every line out, then an idempotent save.

let h: Harness
let cast: IncidentCast

beforeAll(async () => {
  h = await createHarness()
  cast = await incidentCast(h)
})
afterAll(() => h.close())

const REPORT = [
  'Máy chủ điều khiển: c2[.]paste-evil[.]vn và hxxp://paste-evil(.)vn:80/gate.php',
  '10.0.0.5',
  'd41d8cd98f00b204e9800998ecf8427e',
  'already[.]shared[.]vn',
  'C2[.]PASTE-EVIL[.]VN',
  '999.1.1.1',
  'cve-2024-3094',
].join('\n')

describe('pasting a report', () => {
  beforeAll(async () => {
    await createIndicator(await cast.as('ownResponder'), { type: 'domain', value: 'already.shared.vn', tlp: 'GREEN' })
  })

  test('the preview says, line by line, what is valid, duplicate, warninglisted or invalid and why', async () => {
    const lines = await previewPaste(await cast.as('ownAdmin'), { text: REPORT })
    expect(lines.map((l) => [l.line, l.status, l.type, l.value ?? l.reason, l.duplicateOf, l.warninglists])).toEqual([
      [1, 'valid', 'domain', 'c2.paste-evil.vn', null, []],
      [1, 'valid', 'url', 'http://paste-evil.vn/gate.php', null, []],
      [2, 'warninglisted', 'ipv4', '10.0.0.5', null, ['private-and-reserved']],
      [3, 'warninglisted', 'md5', 'd41d8cd98f00b204e9800998ecf8427e', null, ['empty-file-hashes']],
      [4, 'duplicate', 'domain', 'already.shared.vn', 'organisation', []],
      [5, 'duplicate', 'domain', 'c2.paste-evil.vn', 'paste', []],
      [6, 'invalid', 'ipv4', 'ipv4_octet_range', null, []],
      [7, 'valid', 'cve', 'CVE-2024-3094', null, []],
    ])
    // A preview saves nothing.
    expect(await h.services.db.select().from(indicators).where(eq(indicators.value, 'c2.paste-evil.vn'))).toEqual([])
  })

  test('saving keeps the valid and the warninglisted lines, once, and saving again adds nothing', async () => {
    const acting = await cast.as('ownAdmin')
    const saved = await savePaste(acting, { text: REPORT, tlp: 'AMBER', tags: 'phishing, t1566.001' })
    expect(saved).toMatchObject({ created: 5, duplicate: 2, warninglisted: 2, invalid: 1 })
    const rows = await h.services.db.select().from(indicators).where(eq(indicators.sourceOrganisationId, cast.ownerOrgId))
    const fromPaste = rows.filter((r) => saved.ids.includes(r.id))
    expect(fromPaste.map((r) => r.value).sort()).toEqual(
      ['10.0.0.5', 'CVE-2024-3094', 'c2.paste-evil.vn', 'd41d8cd98f00b204e9800998ecf8427e', 'http://paste-evil.vn/gate.php'].sort(),
    )
    expect(fromPaste.every((r) => r.tlp === 'AMBER' && r.tags.join(' ') === 'phishing T1566.001')).toBe(true)
    expect(fromPaste.find((r) => r.type === 'ipv4')?.network).toBe('10.0.0.5')

    const again = await savePaste(acting, { text: REPORT, tlp: 'AMBER' })
    expect(again).toMatchObject({ created: 0, duplicate: 7, invalid: 1 })
    const audits = await h.services.db.select().from(auditLog).where(and(eq(auditLog.action, 'indicator.imported'), eq(auditLog.actorUserId, cast.users.ownAdmin.id)))
    expect(audits.map((a) => (a.details as { created: number }).created)).toEqual([5, 0])
  })

  test('a reporter may not paste, and an empty paste is a field error', async () => {
    await expect(previewPaste(await cast.as('creator'), { text: REPORT })).rejects.toMatchObject({ code: 'forbidden' })
    await expect(savePaste(await cast.as('ownResponder'), { text: '' })).rejects.toMatchObject({
      code: 'validation',
      details: { fieldErrors: { text: ['validation.required'] } },
    })
  })
})
