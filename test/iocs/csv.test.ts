import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { indicatorImports, indicators } from '../../db/schema/index.ts'
import { createI18n } from '../../app/i18n/i18n.ts'
import { parseIndicatorCsv } from '../../app/iocs/csv.ts'
import type { ImportEntry } from '../../app/iocs/import-entries.ts'
import { createImportDraft, getImport, parseImport, queueImport, runImport } from '../../app/iocs/imports.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { incidentCast, type IncidentCast } from '../incidents/core-fixtures.ts'

// CSV files of indicators (issue 5): RFC 4180 as csv-parse reads it, a header naming the
// columns, one entry per row with its line in the file, the row's own sharing where it gives
// one, and a clear reason — never an exception — for every row or file that cannot be read.

const entries = (text: string): ImportEntry[] => {
  const parsed = parseIndicatorCsv(text)
  if (!Array.isArray(parsed)) throw new Error(`expected entries, got ${parsed.error}`)
  return parsed
}
/** An entry in one comparable line: "2 ipv4 103.97.1.2", "3 invalid domain_syntax", "4 skipped csv_no_value". */
const brief = (e: ImportEntry) => {
  if ('skipped' in e) return `${e.line} skipped ${e.skipped}`
  return e.result.ok ? `${e.line} ${e.result.type} ${e.result.value}` : `${e.line} invalid ${e.result.reason}`
}

describe('reading a CSV file', () => {
  test.each([
    ['a plain file', 'type,value\nipv4,103.97.1.2\ndomain,evil.example.vn\n', ['2 ipv4 103.97.1.2', '3 domain evil.example.vn']],
    ['headers in any case and order, unknown columns ignored', 'Note,VALUE,Type\nhello,103.97.1.2,IPv4\n', ['2 ipv4 103.97.1.2']],
    ['quoted fields with the delimiter and doubled quotes', 'type,value,description\nurl,"hxxp://evil.example.vn/a,b?q=1","said ""hi"", left"\n', ['2 url http://evil.example.vn/a,b?q=1']],
    ['a BOM and CRLF line ends', '\uFEFFtype,value\r\nipv4,103.97.1.2\r\nipv4,103.97.1.3\r\n', ['2 ipv4 103.97.1.2', '3 ipv4 103.97.1.3']],
    ['a quoted line break keeps the next rows on their own lines', 'type,value,description\r\nipv4,103.97.1.2,"two\r\nlines"\r\nipv4,103.97.1.3,\r\n', ['2 ipv4 103.97.1.2', '4 ipv4 103.97.1.3']],
    ['empty lines and rows of bare delimiters are not entries, but count as lines', 'type,value\n\nipv4,103.97.1.2\n,,\n\nipv4,103.97.1.3', ['3 ipv4 103.97.1.2', '6 ipv4 103.97.1.3']],
    ['defanged values are refanged', 'type,value\nurl,hxxps://evil[.]example[.]vn/x\nemail,alice[at]evil[.]example[.]vn\nipv4,103[.]97[.]1[.]2\n', ['2 url https://evil.example.vn/x', '3 email alice@evil.example.vn', '4 ipv4 103.97.1.2']],
    ['whitespace around delimiters and inside quotes', 'type , value\n ipv4 , " 103.97.1.2 " \n', ['2 ipv4 103.97.1.2']],
    ['semicolons, as a Vietnamese Excel saves', 'type;value;tlp\nipv4;103.97.1.2;GREEN\n', ['2 ipv4 103.97.1.2']],
    ['tabs', 'type\tvalue\nipv4\t103.97.1.2\n', ['2 ipv4 103.97.1.2']],
    ['semicolons under blank lines', '\n\ntype;value\nipv4;103.97.1.2\n', ['4 ipv4 103.97.1.2']],
    ['one column of values: each is classified', 'value\n103.97.1.2\nevil.example.vn\nCVE-2021-44228\n', ['2 ipv4 103.97.1.2', '3 domain evil.example.vn', '4 cve CVE-2021-44228']],
    ['one column headed "indicator"', 'Indicator\n103.97.1.2\n', ['2 ipv4 103.97.1.2']],
    ['an empty type cell: the value is classified', 'type,value\n,103.97.1.2\n', ['2 ipv4 103.97.1.2']],
    ['an empty value is skipped', 'type,value,tlp\nipv4,,GREEN\nipv4,103.97.1.2,\n', ['2 skipped csv_no_value', '3 ipv4 103.97.1.2']],
    ['a short row has empty cells', 'type,value,tlp\nipv4\n', ['2 skipped csv_no_value']],
    ['an unknown type is skipped', 'type,value\nmd4,0123\nip-dst,103.97.1.2\n', ['2 skipped csv_unknown_type', '3 skipped csv_unknown_type']],
    ['a value not of its type is invalid with the reason', 'type,value\nipv4,103.97.1.256\nsha256,xyz\n', ['2 invalid ipv4_octet_range', '3 invalid hash_characters']],
    ['a header only', 'type,value\n', []],
    ['nothing at all', '', []],
  ])('%s', (_name, text, expected) => {
    expect(entries(text).map(brief)).toEqual(expected)
  })

  test('a row gives its own TLP, confidence, dates, tags and description; empty cells leave the form’s', () => {
    const [first, second] = entries(
      'type,value,tlp,confidence,first_seen,last_seen,valid_until,tags,description\n' +
        'ipv4,103.97.1.2,tlp:amber+strict,80,2026-11-01,2026-11-30T08:30:00+07:00,2027-01-01,"T1566.001, phishing",Máy chủ điều khiển\n' +
        'ipv4,103.97.1.3,,,,,,,\n',
    )
    expect(first).toMatchObject({
      overrides: {
        tlp: 'AMBER+STRICT',
        confidence: 80,
        firstSeenAt: new Date('2026-11-01T00:00:00Z'),
        lastSeenAt: new Date('2026-11-30T01:30:00Z'),
        validUntil: new Date('2027-01-01T00:00:00Z'),
        tags: ['T1566.001', 'phishing'],
        description: 'Máy chủ điều khiển',
      },
    })
    expect(second).not.toHaveProperty('overrides')
  })

  test.each([
    ['TLP:WHITE', { tlp: 'CLEAR' }],
    ['red', { tlp: 'RED' }],
    [' Green ', { tlp: 'GREEN' }],
  ])('TLP %j is read as a TLP 2.0 label', (cell, overrides) => {
    expect(entries(`value,tlp\n103.97.1.2,${cell}\n`)[0]).toMatchObject({ overrides })
  })

  test.each([
    ['tlp', 'PURPLE', 'csv_tlp'],
    ['confidence', '101', 'csv_confidence'],
    ['confidence', 'high', 'csv_confidence'],
    ['first_seen', '01/11/2026', 'csv_date'],
    ['valid_until', '2026-13-45', 'csv_date'],
    ['tags', 'x'.repeat(65), 'csv_tags'],
  ])('a %s cell %j that cannot be read makes the row invalid (%s), not the file', (column, cell, reason) => {
    const rows = entries(`type,value,${column}\nipv4,103.97.1.2,${cell}\nipv4,103.97.1.3,\n`)
    expect(rows.map(brief)).toEqual([`2 invalid ${reason}`, '3 ipv4 103.97.1.3'])
  })

  test('formula-looking cells are data: a value is checked like any other, a description kept as text', () => {
    const rows = entries('type,value,description\nurl,"=HYPERLINK(""http://evil.example.vn"")",x\nipv4,103.97.1.2,"=cmd|\' /C calc\'!A0"\n,+1-2,\n')
    expect(rows.map(brief)).toEqual(['2 invalid url_syntax', '3 ipv4 103.97.1.2', '4 invalid unrecognised'])
    expect(rows[1]).toMatchObject({ overrides: { description: "=cmd|' /C calc'!A0" } })
  })

  test('the apostrophe the export puts before a formula-looking cell is taken off again', () => {
    const [row] = entries('\uFEFF"type","value","description"\r\n"filename","\'-rf.exe","\'=SUM(A1)"\r\n')
    expect(row).toMatchObject({ result: { ok: true, type: 'filename', value: '-rf.exe' }, overrides: { description: '=SUM(A1)' } })
  })

  test.each([
    ['an unclosed quote', 'type,value\nipv4,"103.97.1.2\n', 'iocs.csv.errors.malformed'],
    ['a quote inside an unquoted field', 'type,value\nipv4,103."97".1.2\n', 'iocs.csv.errors.malformed'],
    ['text after a closing quote', 'type,value\nipv4,"103.97.1.2"x\n', 'iocs.csv.errors.malformed'],
    ['no value column', 'type,address\nipv4,103.97.1.2\n', 'iocs.csv.errors.noValueColumn'],
    ['no header (a bare list)', '103.97.1.2\n103.97.1.3\n', 'iocs.csv.errors.noValueColumn'],
  ])('%s is an error for the whole file, never an exception', (_name, text, error) => {
    expect(parseIndicatorCsv(text)).toEqual({ error })
    expect(parseImport('csv', text)).toEqual({ ok: false, error })
  })

  test.each(['vi', 'en'] as const)('the file errors have words in %s', (lang) => {
    const { exists } = createI18n(lang)
    expect(exists('iocs.csv.errors.malformed')).toBe(true)
    expect(exists('iocs.csv.errors.noValueColumn')).toBe(true)
  })
})

describe('a CSV file through the import path', () => {
  let h: Harness
  let cast: IncidentCast
  beforeAll(async () => {
    h = await createHarness()
    cast = await incidentCast(h)
  })
  afterAll(() => h.close())

  const file = [
    'type,value,tlp,confidence,tags,description,source_organisation,id',
    'ipv4,103[.]97[.]9[.]1,GREEN,90,T1071,"C2, seen twice",ignored,ignored',
    'domain,evil-csv.example.vn,,,,,,',
    'md4,abc,,,,,,',
    'ipv4,,,,,,,',
    'ipv4,103.97.9.300,,,,,,',
    'ipv4,103.97.9.2,PURPLE,,,,,',
    'ipv4,103.97.9.1,,,,,,',
  ].join('\r\n')

  test('is previewed line by line, then saved with each row’s sharing over the form’s', async () => {
    const acting = await cast.as('ownResponder')
    const { id } = await createImportDraft(acting, { content: file, fileName: 'feed.csv', tlp: 'AMBER', confidence: '40' })
    const { import: state, preview } = await getImport(acting, id)
    expect(state).toMatchObject({ format: 'csv', total: 7 })
    expect(preview!.counts).toEqual({ valid: 2, duplicate: 1, warninglisted: 0, invalid: 2, skipped: 2 })
    expect(preview!.lines.map((l) => [l.line, l.status, l.reason ?? l.skipReason ?? l.duplicateOf])).toEqual([
      [2, 'valid', null],
      [3, 'valid', null],
      [4, 'skipped', 'csv_unknown_type'],
      [5, 'skipped', 'csv_no_value'],
      [6, 'invalid', 'ipv4_octet_range'],
      [7, 'invalid', 'csv_tlp'],
      [8, 'duplicate', 'paste'],
    ])

    await queueImport(acting, id)
    await runImport(h.services, id)
    const [row] = await h.services.db.select().from(indicatorImports).where(eq(indicatorImports.id, id))
    expect(row!.summary).toEqual({ created: 2, duplicate: 1, warninglisted: 0, invalid: 2, skipped: 2 })
    const saved = await h.services.db.select().from(indicators).where(and(eq(indicators.sourceOrganisationId, cast.ownerOrgId)))
    const byValue = Object.fromEntries(saved.map((r) => [r.value, r]))
    expect(byValue['103.97.9.1']).toMatchObject({ tlp: 'GREEN', confidence: 90, tags: ['T1071'], description: 'C2, seen twice' })
    expect(byValue['evil-csv.example.vn']).toMatchObject({ tlp: 'AMBER', confidence: 40, tags: [], description: '' })
    expect(byValue['103.97.9.2']).toBeUndefined()
  })

  test('a malformed file is a field error on the content, not a failure', async () => {
    const acting = await cast.as('ownResponder')
    await expect(createImportDraft(acting, { content: 'type,value\nipv4,"103.97.1.2\n', format: 'csv' })).rejects.toMatchObject({
      code: 'validation',
      details: { fieldErrors: { content: ['iocs.csv.errors.malformed'] } },
    })
  })
})
