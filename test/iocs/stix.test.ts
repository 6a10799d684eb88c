import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { TLP_LABELS, type TlpLabel } from '../../app/policy/actor.ts'
import type { ImportEntry, SkipReason } from '../../app/iocs/import-entries.ts'
import { detectFormat, parseImport } from '../../app/iocs/imports.server.ts'
import { MAX_VALUE_LENGTH, normalise, type IndicatorType } from '../../app/iocs/normalise.ts'
import {
  parseStixBundle,
  parseStixPattern,
  stixBundle,
  stixIdentity,
  stixIdentityId,
  stixIndicator,
  stixPattern,
  stixString,
  TLP_EXTENSION_DEFINITION_ID,
  TLP_MARKING_DEFINITIONS,
  tlpMarkingRef,
  type StixIndicator,
  type StixIndicatorRow,
} from '../../app/iocs/stix.ts'
import type { indicators } from '../../db/schema/index.ts'
import { validateStixBundle, validateStixObject } from '../support/stix-oracle.ts'

// STIX 2.1 out and in (../shared/domain.md §5), judged by the official OASIS JSON schemas
// (test/oracles/stix2.1) rather than by our own reading of the specification.

const source = { id: randomUUID(), name: 'VNCERT/CC', createdAt: new Date('2025-01-02T03:04:05.000Z'), updatedAt: new Date('2025-06-01T00:00:00.000Z') }

function indicatorRow(type: IndicatorType, value: string, extra: Partial<StixIndicatorRow> = {}): StixIndicatorRow {
  return {
    id: randomUUID(),
    type,
    value,
    tlp: 'AMBER',
    confidence: 70,
    firstSeenAt: new Date('2026-03-01T08:00:00.000Z'),
    validUntil: null,
    tags: ['phishing', 'T1566.001'],
    description: 'Seen in a phishing campaign against ministries.',
    createdAt: new Date('2026-03-02T09:30:00.123Z'),
    updatedAt: new Date('2026-03-05T10:00:00.000Z'),
    ...extra,
  }
}

/** One canonical value of every type, the pattern it must become, and tricky ones with quotes and unicode. */
const SAMPLES: Array<[IndicatorType, string, string]> = [
  ['ipv4', '203.0.113.7', "[ipv4-addr:value = '203.0.113.7']"],
  ['ipv6', '2001:db8::1', "[ipv6-addr:value = '2001:db8::1']"],
  ['cidr', '198.51.100.0/24', "[ipv4-addr:value = '198.51.100.0/24']"],
  ['cidr', '2001:db8::/32', "[ipv6-addr:value = '2001:db8::/32']"],
  ['domain', 'evil.example.vn', "[domain-name:value = 'evil.example.vn']"],
  ['domain', 'xn--bcher-kva.example', "[domain-name:value = 'xn--bcher-kva.example']"],
  ['url', 'http://evil.example.vn/login.php?next=/a', "[url:value = 'http://evil.example.vn/login.php?next=/a']"],
  ['url', "https://evil.example.vn/it's", "[url:value = 'https://evil.example.vn/it\\'s']"],
  ['email', 'attacker@evil.example.vn', "[email-addr:value = 'attacker@evil.example.vn']"],
  ['email', "o'brien@evil.example.vn", "[email-addr:value = 'o\\'brien@evil.example.vn']"],
  ['md5', 'd41d8cd98f00b204e9800998ecf8427e', "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']"],
  ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']"],
  [
    'sha256',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
  ],
  ['filename', 'invoice.pdf.exe', "[file:name = 'invoice.pdf.exe']"],
  ['filename', "Hóa đơn tháng 3 'gấp'.docm", "[file:name = 'Hóa đơn tháng 3 \\'gấp\\'.docm']"],
]

const TRICKY_TEXT = `He said "it's" C:\\Temp\\x — Hóa đơn 🧾 \u0000 end`

describe('the oracle', () => {
  test('accepts the OASIS example bundles', () => {
    const examples = ['indicator-for-c2-ip-address', 'indicators-for-C2-with-COA', 'malicious-email-indicator-with-attachment', 'threat-reports/apt1', 'threat-reports/poisonivy']
    for (const name of examples) {
      const bundle: unknown = JSON.parse(readFileSync(new URL(`../oracles/stix2.1/examples/${name}.json`, import.meta.url), 'utf8'))
      expect({ name, errors: validateStixBundle(bundle) }).toEqual({ name, errors: [] })
    }
  })

  test('rejects an indicator missing or breaking what the specification requires', () => {
    const row = indicatorRow('ipv4', '203.0.113.7')
    const good = stixIndicator(row, { source })
    expect(validateStixObject(good)).toEqual([])
    const { pattern: _pattern, ...withoutPattern } = good as StixIndicator
    expect(validateStixObject(withoutPattern)).not.toEqual([])
    expect(validateStixObject({ ...good, valid_from: '2026-03-01 08:00:00' })).not.toEqual([])
    expect(validateStixObject({ ...good, id: 'indicator--not-a-uuid' })).not.toEqual([])
    expect(validateStixObject({ ...good, pattern_type: undefined })).not.toEqual([])
    expect(validateStixObject({ ...good, confidence: 101 })).not.toEqual([])
    expect(validateStixObject({ type: 'x-unknown' })).not.toEqual([])
  })

  test('rejects a bundle holding a broken indicator, even though bundle.json alone would take it for a custom object', () => {
    const broken = { ...stixIndicator(indicatorRow('domain', 'evil.example.vn'), { source }), created: 'yesterday' }
    expect(validateStixBundle(stixBundle([broken]))).not.toEqual([])
    expect(validateStixBundle({ type: 'bundle', id: 'bundle--1', objects: [] })).not.toEqual([])
  })
})

describe('TLP 2.0 markings', () => {
  test.each(TLP_LABELS)('TLP:%s is the official marking-definition, valid STIX', (tlp) => {
    const marking = TLP_MARKING_DEFINITIONS[tlp]
    expect(marking.id).toBe(tlpMarkingRef(tlp))
    expect(marking).toMatchObject({ type: 'marking-definition', spec_version: '2.1', name: `TLP:${tlp}`, created: '2022-10-01T00:00:00.000Z' })
    expect(marking.extensions[TLP_EXTENSION_DEFINITION_ID]).toEqual({ extension_type: 'property-extension', tlp_2_0: tlp.toLowerCase() })
    expect(validateStixObject(marking)).toEqual([])
  })

  test('carry the ids the TLP 2.0 extension publishes', () => {
    expect(Object.fromEntries(TLP_LABELS.map((tlp) => [tlp, tlpMarkingRef(tlp)]))).toEqual({
      CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
      GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
      AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
      'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
      RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
    })
    expect(TLP_EXTENSION_DEFINITION_ID).toBe('extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d')
  })
})

describe('an organisation as a STIX identity', () => {
  test('is valid, and the same identity every time it is exported', () => {
    const identity = stixIdentity(source)
    expect(validateStixObject(identity)).toEqual([])
    expect(identity).toMatchObject({ type: 'identity', identity_class: 'organization', name: 'VNCERT/CC', created: '2025-01-02T03:04:05.000Z', modified: '2025-06-01T00:00:00.000Z' })
    expect(stixIdentity({ id: source.id, name: 'renamed' }).id).toBe(identity.id)
    expect(stixIdentityId(source.id)).toBe(identity.id)
    expect(stixIdentityId(randomUUID())).not.toBe(identity.id)
    // A name-based (v5) uuid, which the OASIS identifier pattern allows beside v4.
    expect(identity.id).toMatch(/^identity--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  test('without timestamps is still valid', () => {
    expect(validateStixObject(stixIdentity({ id: randomUUID(), name: TRICKY_TEXT }))).toEqual([])
  })
})

describe('an indicator as STIX', () => {
  test('is made from an indicator row as the database returns it', () => {
    // Compile-time: a row of db/schema/iocs.ts is a StixIndicatorRow, so an export needs no mapping.
    const fits = (row: typeof indicators.$inferSelect): StixIndicatorRow => row
    expect(typeof fits).toBe('function')
  })

  test.each(SAMPLES)('%s %s becomes the pattern %s, valid STIX', (type, value, pattern) => {
    const row = indicatorRow(type, value)
    const object = stixIndicator(row, { source })
    expect(object).toMatchObject({
      type: 'indicator',
      id: `indicator--${row.id}`,
      spec_version: '2.1',
      name: value,
      pattern,
      pattern_type: 'stix',
      valid_from: '2026-03-01T08:00:00.000Z',
      created: '2026-03-02T09:30:00.123Z',
      modified: '2026-03-05T10:00:00.000Z',
      confidence: 70,
      labels: ['phishing', 'T1566.001'],
      indicator_types: ['malicious-activity'],
      created_by_ref: stixIdentityId(source.id),
      object_marking_refs: [tlpMarkingRef('AMBER')],
    })
    expect(object).not.toHaveProperty('valid_until')
    expect(validateStixObject(object)).toEqual([])
  })

  test.each(TLP_LABELS)('marked TLP:%s is valid STIX and refers to that marking', (tlp) => {
    const object = stixIndicator(indicatorRow('domain', 'evil.example.vn', { tlp }), { source })
    expect(object.object_marking_refs).toEqual([TLP_MARKING_DEFINITIONS[tlp].id])
    expect(validateStixObject(object)).toEqual([])
  })

  test('with an expiry has valid_until after valid_from', () => {
    const object = stixIndicator(indicatorRow('ipv4', '203.0.113.7', { validUntil: new Date('2026-06-01T00:00:00.000Z') }), { source }) as StixIndicator
    expect(object).toMatchObject({ valid_from: '2026-03-01T08:00:00.000Z', valid_until: '2026-06-01T00:00:00.000Z' })
    expect(validateStixObject(object)).toEqual([])
  })

  test('whose expiry is not after its first sighting keeps the expiry and starts just before it', () => {
    for (const validUntil of [new Date('2026-03-01T08:00:00.000Z'), new Date('2026-01-01T00:00:00.000Z')]) {
      const object = stixIndicator(indicatorRow('ipv4', '203.0.113.7', { validUntil }), { source }) as StixIndicator
      expect(object.valid_until).toBe(validUntil.toISOString())
      expect(Date.parse(object.valid_until!)).toBeGreaterThan(Date.parse(object.valid_from))
      expect(validateStixObject(object)).toEqual([])
    }
  })

  test('never seen is valid from its creation; without description or tags it has neither property', () => {
    const object = stixIndicator(indicatorRow('url', 'https://evil.example.vn/', { firstSeenAt: null, description: '', tags: [] }), { source })
    expect(object).toMatchObject({ valid_from: '2026-03-02T09:30:00.123Z' })
    expect(object).not.toHaveProperty('description')
    expect(object).not.toHaveProperty('labels')
    expect(validateStixObject(object)).toEqual([])
  })

  test('with quotes, backslashes, control characters and unicode in its text is valid STIX', () => {
    const object = stixIndicator(indicatorRow('filename', "Hóa đơn 'gấp' 🧾.exe", { description: TRICKY_TEXT, tags: [`it's`, 'a\\b', 'tiếng-việt'], confidence: 0 }), { source })
    expect(object).toMatchObject({ description: TRICKY_TEXT, confidence: 0 })
    expect(validateStixObject(object)).toEqual([])
    expect(validateStixObject(JSON.parse(JSON.stringify(object)))).toEqual([])
  })

  test('that is a CVE becomes a vulnerability with its CVE reference', () => {
    const row = indicatorRow('cve', 'CVE-2024-3400', { tlp: 'CLEAR', validUntil: new Date('2027-01-01T00:00:00.000Z') })
    const object = stixIndicator(row, { source })
    expect(object).toMatchObject({
      type: 'vulnerability',
      id: `vulnerability--${row.id}`,
      name: 'CVE-2024-3400',
      external_references: [{ source_name: 'cve', external_id: 'CVE-2024-3400' }],
      object_marking_refs: [tlpMarkingRef('CLEAR')],
    })
    expect(object).not.toHaveProperty('pattern')
    expect(validateStixObject(object)).toEqual([])
  })

  test('in a bundle with its identity and markings is a valid STIX bundle', () => {
    const objects = [
      stixIdentity(source),
      ...TLP_LABELS.map((tlp) => TLP_MARKING_DEFINITIONS[tlp]),
      ...SAMPLES.map(([type, value], i) =>
        stixIndicator(indicatorRow(type, value, { tlp: TLP_LABELS[i % TLP_LABELS.length], validUntil: i % 2 ? new Date('2027-01-01T00:00:00.000Z') : null }), { source }),
      ),
      stixIndicator(indicatorRow('cve', 'CVE-2021-44228'), { source }),
    ]
    const bundle = stixBundle(objects)
    expect(bundle.id).toMatch(/^bundle--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(stixBundle(objects).id).not.toBe(bundle.id)
    expect(validateStixBundle(JSON.parse(JSON.stringify(bundle)))).toEqual([])
  })
})

describe('STIX patterns', () => {
  test('escape backslash and quote and nothing else', () => {
    expect(stixString(`a'b\\c"d`)).toBe(`'a\\'b\\\\c"d'`)
    expect(stixString('')).toBe(`''`)
  })

  test.each(SAMPLES)('%s %s reads back from its own pattern', (type, value) => {
    const object = stixIndicator(indicatorRow(type, value), { source }) as StixIndicator
    expect(parseStixPattern(object.pattern)).toEqual({ type, value })
  })

  test('any string survives the round trip through a pattern', () => {
    fc.assert(
      // Quotes, backslashes and brackets often, so escaping is exercised, among any code points.
      fc.property(fc.string({ maxLength: 200, unit: fc.oneof(fc.constantFrom("'", '\\', ']', "\\'"), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }), (value) => {
        expect(parseStixPattern(stixPattern('filename', value))).toEqual({ type: 'filename', value })
        expect(parseStixPattern(stixPattern('url', value))).toEqual({ type: 'url', value })
      }),
    )
  })

  test.each([
    ["[ipv4-addr:value='203.0.113.7']", { type: 'ipv4', value: '203.0.113.7' }],
    ["  [ ipv4-addr:value   =   '203.0.113.7' ]  ", { type: 'ipv4', value: '203.0.113.7' }],
    ["[ipv4-addr:value = '10.0.0.0/8']", { type: 'cidr', value: '10.0.0.0/8' }],
    ["[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']", { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' }],
    ["[file:hashes.SHA256 = 'abc']", { type: 'sha256', value: 'abc' }],
    ["[file:hashes.'sha-1' = 'abc']", { type: 'sha1', value: 'abc' }],
    ["[file:name = 'a\\\\b\\'c']", { type: 'filename', value: "a\\b'c" }],
  ] as const)('%s is read as %o', (pattern, expected) => {
    expect(parseStixPattern(pattern)).toEqual(expected)
  })

  test.each([
    "[ipv4-addr:value = '203.0.113.7'] AND [domain-name:value = 'evil.example.vn']",
    "[ipv4-addr:value = '203.0.113.7' OR ipv4-addr:value = '203.0.113.8']",
    "[ipv4-addr:value = '203.0.113.7' AND ipv4-addr:value = '203.0.113.8']",
    "[ipv4-addr:value = '203.0.113.7'] FOLLOWEDBY [ipv4-addr:value = '203.0.113.8']",
    "[ipv4-addr:value = '203.0.113.7'] WITHIN 300 SECONDS",
    "([ipv4-addr:value = '203.0.113.7'])",
    "[ipv4-addr:value != '203.0.113.7']",
    "[ipv4-addr:value ISSUBSET '203.0.113.0/24']",
    "[domain-name:value LIKE '%.example.vn']",
    "[url:value MATCHES '^https?://']",
    "[ipv4-addr:value IN ('203.0.113.7', '203.0.113.8')]",
    "[file:size = '1024']",
    "[file:hashes.'SHA-512' = 'abc']",
    "[network-traffic:dst_ref.value = '203.0.113.7']",
    "[email-message:from_ref.value = 'a@example.vn']",
    "[ipv4-addr:value = 203.0.113.7]",
    "[ipv4-addr:value = '203.0.113.7'",
    "[file:name = 'bad\\nescape']",
    "[file:name = 'unescaped ' quote']",
    "ipv4-addr:value = '203.0.113.7'",
    '',
    `[file:name = '${'a'.repeat(10 * MAX_VALUE_LENGTH)}']`,
  ])('%s is not one simple comparison we support', (pattern) => {
    expect(parseStixPattern(pattern)).toBeNull()
  })
})

// ---------------------------------------------------------------------------------------------
// Bundles in.

const stixIndicatorObject = (props: Record<string, unknown>) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--${randomUUID()}`,
  created: '2026-03-02T09:30:00.000Z',
  modified: '2026-03-02T09:30:00.000Z',
  pattern: "[ipv4-addr:value = '203.0.113.7']",
  pattern_type: 'stix',
  valid_from: '2026-03-01T08:00:00Z',
  ...props,
})

const entriesOf = (objects: unknown[]): ImportEntry[] => {
  const entries = parseStixBundle(JSON.stringify({ type: 'bundle', id: `bundle--${randomUUID()}`, objects }))
  if (!Array.isArray(entries)) throw new Error(`expected entries, got ${entries.error}`)
  return entries
}

describe('a STIX bundle read for import', () => {
  test('gives back what we export, with its sharing as overrides', () => {
    const rows = SAMPLES.map(([type, value], i) =>
      indicatorRow(type, value, { tlp: TLP_LABELS[i % TLP_LABELS.length], validUntil: new Date('2027-01-01T00:00:00.000Z'), confidence: i * 5 }),
    )
    const bundle = stixBundle([stixIdentity(source), ...rows.map((row) => stixIndicator(row, { source }))])
    const entries = parseStixBundle(JSON.stringify(bundle))
    expect(entries).toHaveLength(rows.length + 1)
    expect((entries as ImportEntry[])[0]).toEqual({ line: 1, raw: bundle.objects[0]!.id, skipped: 'stix_not_indicator' })
    rows.forEach((row, i) => {
      expect((entries as ImportEntry[])[i + 1]).toEqual({
        line: i + 2,
        raw: (bundle.objects[i + 1] as StixIndicator).pattern,
        result: { ok: true, type: row.type, value: row.value },
        overrides: {
          tlp: row.tlp,
          confidence: row.confidence,
          firstSeenAt: row.firstSeenAt,
          validUntil: row.validUntil,
          description: row.description,
          tags: row.tags,
        },
      })
    })
  })

  test.each<[string, unknown, SkipReason]>([
    ['an identity', stixIdentity(source), 'stix_not_indicator'],
    ['a marking definition', TLP_MARKING_DEFINITIONS.GREEN, 'stix_not_indicator'],
    ['a relationship', { type: 'relationship', id: `relationship--${randomUUID()}` }, 'stix_not_indicator'],
    ['a vulnerability without a CVE reference', { type: 'vulnerability', spec_version: '2.1', id: `vulnerability--${randomUUID()}`, name: 'Log4Shell' }, 'stix_not_indicator'],
    ['a string', 'indicator', 'stix_not_indicator'],
    ['null', null, 'stix_not_indicator'],
    ['an array', [stixIndicatorObject({})], 'stix_not_indicator'],
    ['a Snort indicator', stixIndicatorObject({ pattern_type: 'snort', pattern: 'alert tcp any any -> any any' }), 'stix_pattern_type'],
    ['a YARA indicator', stixIndicatorObject({ pattern_type: 'yara', pattern: 'rule x { condition: true }' }), 'stix_pattern_type'],
    ['an indicator without pattern_type', stixIndicatorObject({ pattern_type: undefined }), 'stix_pattern_type'],
    ['a compound pattern', stixIndicatorObject({ pattern: "[ipv4-addr:value = '203.0.113.7'] OR [ipv4-addr:value = '203.0.113.8']" }), 'stix_pattern_unsupported'],
    ['an unsupported path', stixIndicatorObject({ pattern: "[process:name = 'evil.exe']" }), 'stix_pattern_unsupported'],
    ['a pattern that is not a string', stixIndicatorObject({ pattern: 42 }), 'stix_pattern_unsupported'],
    ['an indicator without a pattern', stixIndicatorObject({ pattern: undefined }), 'stix_pattern_unsupported'],
  ])('skips %s (%s)', (_what, object, reason) => {
    expect(entriesOf([object])).toEqual([{ line: 1, raw: expect.any(String), skipped: reason }])
  })

  test('reads a vulnerability with a CVE reference (as CVEs are exported) back as that CVE, with its sharing', () => {
    const exported = stixIndicator({ ...indicatorRow('cve', 'CVE-2024-3400'), tlp: 'GREEN', confidence: 80 }, { source })
    const [entry] = entriesOf([exported, TLP_MARKING_DEFINITIONS.GREEN])
    expect(entry).toMatchObject({ line: 1, raw: 'CVE-2024-3400', result: { ok: true, type: 'cve', value: 'CVE-2024-3400' }, overrides: { tlp: 'GREEN', confidence: 80 } })
  })

  test('names an object by its id, an indicator by its pattern', () => {
    const identity = stixIdentity(source)
    const yara = stixIndicatorObject({ pattern_type: 'yara', pattern: 'rule x { condition: true }' })
    const noPattern = stixIndicatorObject({ pattern: undefined })
    expect(entriesOf([identity, yara, noPattern]).map((e) => e.raw)).toEqual([identity.id, 'rule x { condition: true }', noPattern.id])
  })

  test('reports a value that is not one of its type as invalid, with the reason', () => {
    const [entry] = entriesOf([stixIndicatorObject({ pattern: "[ipv4-addr:value = '203.0.113.999']" })])
    expect(entry).toMatchObject({ line: 1, result: { ok: false, type: 'ipv4', reason: 'ipv4_octet_range' } })
  })

  test('normalises values the way a paste does', () => {
    const [entry] = entriesOf([stixIndicatorObject({ pattern: "[domain-name:value = 'Evil.Example.VN.']" })])
    expect(entry).toMatchObject({ result: normalise('domain', 'evil.example.vn') })
  })

  test.each<[string, string[], TlpLabel | undefined]>([
    ...TLP_LABELS.map((tlp): [string, string[], TlpLabel] => [`TLP 2.0 ${tlp}`, [tlpMarkingRef(tlp)], tlp]),
    ['TLP 1.0 WHITE', ['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9'], 'CLEAR'],
    ['TLP 1.0 GREEN', ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'], 'GREEN'],
    ['TLP 1.0 AMBER', ['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82'], 'AMBER'],
    ['TLP 1.0 RED', ['marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed'], 'RED'],
    ['two TLP markings, the stricter', [tlpMarkingRef('GREEN'), 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', tlpMarkingRef('AMBER')], 'RED'],
    ['a statement marking and a TLP', [`marking-definition--${randomUUID()}`, tlpMarkingRef('AMBER+STRICT')], 'AMBER+STRICT'],
    ['a marking of our own only', [`marking-definition--${randomUUID()}`], undefined],
    ['no marking', [], undefined],
  ])('reads %s as the TLP', (_what, refs, tlp) => {
    const [entry] = entriesOf([stixIndicatorObject({ object_marking_refs: refs })])
    expect((entry as { overrides?: { tlp?: TlpLabel } }).overrides?.tlp).toBe(tlp)
  })

  test('leaves out sharing properties that break the import form’s rules, keeping the value', () => {
    const [entry] = entriesOf([
      stixIndicatorObject({
        confidence: 150,
        valid_from: 'last Tuesday',
        valid_until: '2027-01-01',
        description: 'x'.repeat(20_000),
        labels: Array.from({ length: 40 }, (_, i) => `tag${i}`),
        object_marking_refs: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
      }),
    ])
    expect(entry).toEqual({ line: 1, raw: "[ipv4-addr:value = '203.0.113.7']", result: { ok: true, type: 'ipv4', value: '203.0.113.7' } })
    const [fractional] = entriesOf([stixIndicatorObject({ confidence: 12.5, labels: ['ok', 7, null, 'nul\u0000'], description: '  ' })])
    expect(fractional).toMatchObject({ overrides: { firstSeenAt: new Date('2026-03-01T08:00:00Z'), tags: ['ok'] } })
    expect(fractional).not.toHaveProperty('overrides.confidence')
    expect(fractional).not.toHaveProperty('overrides.description')
    const [withNul] = entriesOf([stixIndicatorObject({ description: 'before\u0000after' })])
    expect(withNul).not.toHaveProperty('overrides.description')
  })

  test.each([
    ['', 'iocs.stix.errors.badJson'],
    ['{"type": "bundle", ', 'iocs.stix.errors.badJson'],
    ['203.0.113.7\nevil.example.vn', 'iocs.stix.errors.badJson'],
    ['[]', 'iocs.stix.errors.notStix'],
    ['null', 'iocs.stix.errors.notStix'],
    ['"bundle"', 'iocs.stix.errors.notStix'],
    [JSON.stringify(stixIndicatorObject({})), 'iocs.stix.errors.notStix'],
    ['{"type": "Bundle", "objects": []}', 'iocs.stix.errors.notStix'],
    ['{"type": "bundle", "objects": {"0": {}}}', 'iocs.stix.errors.notStix'],
    ['{"type": "bundle", "objects": "indicator"}', 'iocs.stix.errors.notStix'],
  ])('refuses %j: %s', (text, error) => {
    expect(parseStixBundle(text)).toEqual({ error })
  })

  test('without objects holds nothing', () => {
    expect(parseStixBundle(JSON.stringify({ type: 'bundle', id: `bundle--${randomUUID()}` }))).toEqual([])
  })

  test('never throws on hostile input: it gives entries or an error', () => {
    const anyObject = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          type: fc.oneof(fc.constant('indicator'), fc.string()),
          pattern_type: fc.oneof(fc.constant('stix'), fc.jsonValue()),
          pattern: fc.oneof(fc.constantFrom(...SAMPLES.map(([, , p]) => p)), fc.string(), fc.jsonValue()),
          confidence: fc.jsonValue(),
          valid_from: fc.oneof(fc.constant('2026-03-01T08:00:00Z'), fc.jsonValue()),
          valid_until: fc.jsonValue(),
          description: fc.jsonValue(),
          labels: fc.jsonValue(),
          object_marking_refs: fc.oneof(fc.constant([tlpMarkingRef('RED')]), fc.jsonValue()),
        },
        { requiredKeys: [] },
      ),
    )
    const anyInput = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ type: fc.constant('bundle'), objects: fc.oneof(fc.array(anyObject), fc.jsonValue()) }).map((b) => JSON.stringify(b)),
    )
    fc.assert(
      fc.property(anyInput, (text) => {
        const parsed = parseStixBundle(text)
        if (Array.isArray(parsed)) {
          parsed.forEach((entry, i) => {
            expect(entry.line).toBe(i + 1)
            expect(typeof entry.raw).toBe('string')
          })
        } else {
          expect(['iocs.stix.errors.badJson', 'iocs.stix.errors.notStix']).toContain(parsed.error)
        }
      }),
      { numRuns: 500 },
    )
  })

  test('copes with a huge pattern and a huge bundle', () => {
    const huge = stixIndicatorObject({ pattern: `[file:name = '${"\\'".repeat(500_000)}']`, description: 'd'.repeat(1_000_000) })
    expect(entriesOf([huge])).toEqual([{ line: 1, raw: huge.pattern, skipped: 'stix_pattern_unsupported' }])
    const many = Array.from({ length: 20_000 }, (_, i) => stixIndicatorObject({ pattern: `[ipv4-addr:value = '10.${i >> 8}.${i & 255}.1']` }))
    expect(entriesOf(many)).toHaveLength(20_000)
  })
})

describe('an import of a STIX bundle', () => {
  test('is recognised as STIX and parsed into entries', () => {
    const bundle = JSON.stringify(stixBundle([stixIdentity(source), stixIndicator(indicatorRow('domain', 'evil.example.vn', { tlp: 'GREEN' }), { source })]), null, 2)
    expect(detectFormat('auto', '', bundle)).toBe('stix')
    expect(parseImport('stix', bundle)).toEqual({
      ok: true,
      entries: [
        { line: 1, raw: expect.stringMatching(/^identity--/), skipped: 'stix_not_indicator' },
        expect.objectContaining({ line: 2, result: { ok: true, type: 'domain', value: 'evil.example.vn' }, overrides: expect.objectContaining({ tlp: 'GREEN' }) }),
      ],
    })
  })

  test('of something that is not a bundle is refused with the reason', () => {
    expect(parseImport('stix', 'not json')).toEqual({ ok: false, error: 'iocs.stix.errors.badJson' })
    expect(parseImport('stix', '{"type": "indicator"}')).toEqual({ ok: false, error: 'iocs.stix.errors.notStix' })
  })
})
