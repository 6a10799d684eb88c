import { createHash, randomUUID } from 'node:crypto'
import { TLP_LABELS, type TlpLabel } from '../policy/actor.ts'
import type { EntryOverrides, ImportEntry } from './import-entries.ts'
import { MAX_VALUE_LENGTH, normalise } from './normalise.ts'
import { SharingSchema } from './schemas.ts'
import type { IndicatorType } from './types.ts'

// STIX 2.1 (OASIS, ../shared/domain.md §5) out and in: our indicators as STIX objects for bundles
// and TAXII, and a STIX bundle read back into import entries (import-entries.ts). Only what an
// indicator row can say is written, and only what one of our indicators can hold is read: one
// simple comparison of one observable property. Pure, but server-only (node:crypto for ids). The
// OASIS JSON schemas are the oracle of the tests (test/support/stix-oracle.ts).

const SPEC_VERSION = '2.1'

// ---------------------------------------------------------------------------------------------
// TLP 2.0 markings: the marking-definition objects published by the OASIS CTI TC
// (oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0), with their
// fixed ids, so that every consumer recognises them without reading our bundle's copy.

export const TLP_EXTENSION_DEFINITION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d'

const TLP_MARKING_IDS: Record<TlpLabel, string> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
}

/** TLP 1.0 markings defined by the STIX 2.1 specification itself, still what many producers emit. */
const TLP_1_MARKING_IDS: Record<string, TlpLabel> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR', // TLP:WHITE
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
}

export interface StixMarkingDefinition {
  type: 'marking-definition'
  spec_version: '2.1'
  id: string
  created: string
  name: string
  extensions: Record<string, { extension_type: 'property-extension'; tlp_2_0: string }>
}

const tlpMarkingDefinition = (tlp: TlpLabel): StixMarkingDefinition => ({
  type: 'marking-definition',
  spec_version: SPEC_VERSION,
  id: TLP_MARKING_IDS[tlp],
  created: '2022-10-01T00:00:00.000Z',
  name: `TLP:${tlp}`,
  extensions: { [TLP_EXTENSION_DEFINITION_ID]: { extension_type: 'property-extension', tlp_2_0: tlp.toLowerCase() } },
})

export const TLP_MARKING_DEFINITIONS: Readonly<Record<TlpLabel, StixMarkingDefinition>> = {
  CLEAR: tlpMarkingDefinition('CLEAR'),
  GREEN: tlpMarkingDefinition('GREEN'),
  AMBER: tlpMarkingDefinition('AMBER'),
  'AMBER+STRICT': tlpMarkingDefinition('AMBER+STRICT'),
  RED: tlpMarkingDefinition('RED'),
}

/** The id an object's object_marking_refs names for its TLP. */
export function tlpMarkingRef(tlp: TlpLabel): string {
  return TLP_MARKING_IDS[tlp]
}

/** The TLP of a marking id, TLP 2.0 or 1.0; any other marking (a statement, PAP …) has none. */
const TLP_OF_MARKING_REF = new Map<string, TlpLabel>([
  ...(Object.entries(TLP_MARKING_IDS) as [TlpLabel, string][]).map(([tlp, id]): [string, TlpLabel] => [id, tlp]),
  ...Object.entries(TLP_1_MARKING_IDS),
])

// ---------------------------------------------------------------------------------------------
// Identities: the organisation that shares an indicator is its created_by_ref.

export interface StixOrganisation {
  id: string
  name: string
  createdAt?: Date
  updatedAt?: Date
}

export interface StixIdentity {
  type: 'identity'
  spec_version: '2.1'
  id: string
  created: string
  modified: string
  name: string
  identity_class: 'organization'
}

// Our namespace for name-based (v5) STIX ids, so that an organisation is the same identity in every
// bundle and every TAXII page. STIX 2.1 asks SDOs for v4 ids but allows others from a namespace that
// cannot collide with anyone else's: this one is ours alone.
const CSIRT_NET_NAMESPACE = 'c5a1f3e2-8d4b-4f6a-9b7e-2d0c6a1e5f38'

/** RFC 9562 §5.5: SHA-1 of namespace and name, with the version and variant bits set. */
function uuidV5(name: string, namespace = CSIRT_NET_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The identity id of an organisation, without building the whole object. */
export function stixIdentityId(organisationId: string): string {
  return `identity--${uuidV5(`organisation:${organisationId}`)}`
}

// Objects whose source row has no timestamps (an organisation passed by id and name only) still
// need created/modified; a fixed instant keeps the object identical from one export to the next.
const UNDATED = new Date('2020-01-01T00:00:00.000Z')

export function stixIdentity(org: StixOrganisation): StixIdentity {
  const created = org.createdAt ?? UNDATED
  return {
    type: 'identity',
    spec_version: SPEC_VERSION,
    id: stixIdentityId(org.id),
    created: stixTimestamp(created),
    modified: stixTimestamp(laterOf(created, org.updatedAt ?? created)),
    name: org.name,
    identity_class: 'organization',
  }
}

// ---------------------------------------------------------------------------------------------
// Indicators out.

/** What an indicator row (db/schema/iocs.ts) has that STIX can carry. */
export interface StixIndicatorRow {
  id: string
  type: IndicatorType
  value: string
  tlp: TlpLabel
  confidence: number
  firstSeenAt: Date | null
  validUntil: Date | null
  tags: string[]
  description: string
  createdAt: Date
  updatedAt: Date
}

export interface StixIndicatorOptions {
  /** The organisation that shares the indicator (its sourceOrganisationId). */
  source: StixOrganisation
}

interface StixCommonProperties {
  spec_version: '2.1'
  id: string
  created: string
  modified: string
  created_by_ref: string
  name: string
  description?: string
  confidence: number
  labels?: string[]
  object_marking_refs: string[]
}

export interface StixIndicator extends StixCommonProperties {
  type: 'indicator'
  indicator_types: string[]
  pattern: string
  pattern_type: 'stix'
  valid_from: string
  valid_until?: string
}

export interface StixVulnerability extends StixCommonProperties {
  type: 'vulnerability'
  external_references: [{ source_name: 'cve'; external_id: string }]
}

/** An indicator row as STIX: a CVE is a vulnerability (it has no pattern to match), anything else an indicator. */
export function stixIndicator(row: StixIndicatorRow, opts: StixIndicatorOptions): StixIndicator | StixVulnerability {
  const common: Omit<StixCommonProperties, 'id'> = {
    spec_version: SPEC_VERSION,
    created: stixTimestamp(row.createdAt),
    modified: stixTimestamp(laterOf(row.createdAt, row.updatedAt)),
    created_by_ref: stixIdentityId(opts.source.id),
    name: row.value,
    ...(row.description ? { description: row.description } : {}),
    confidence: row.confidence,
    ...(row.tags.length > 0 ? { labels: row.tags } : {}),
    object_marking_refs: [tlpMarkingRef(row.tlp)],
  }
  if (row.type === 'cve') {
    return {
      type: 'vulnerability',
      id: `vulnerability--${row.id}`,
      ...common,
      external_references: [{ source_name: 'cve', external_id: row.value }],
    }
  }
  const validFrom = row.firstSeenAt ?? row.createdAt
  return {
    type: 'indicator',
    id: `indicator--${row.id}`,
    ...common,
    // Shared here means reported as seen in an attack; the vocabulary has no weaker word for it.
    indicator_types: ['malicious-activity'],
    pattern: stixPattern(row.type, row.value),
    pattern_type: 'stix',
    ...validityWindow(validFrom, row.validUntil),
  }
}

/**
 * STIX 2.1 (indicator): valid_until MUST be later than valid_from. A row whose expiry is not later than
 * its first sighting keeps its expiry (consumers act on it; dropping it would make the indicator
 * valid for ever) and starts one millisecond before it.
 */
function validityWindow(validFrom: Date, validUntil: Date | null): { valid_from: string; valid_until?: string } {
  if (!validUntil) return { valid_from: stixTimestamp(validFrom) }
  const from = validUntil.getTime() > validFrom.getTime() ? validFrom : new Date(validUntil.getTime() - 1)
  return { valid_from: stixTimestamp(from), valid_until: stixTimestamp(validUntil) }
}

/** The object path each type is compared on; a hash name with a hyphen must be quoted in a path. */
const PATTERN_PATHS: Record<Exclude<IndicatorType, 'cve' | 'cidr'>, string> = {
  ipv4: 'ipv4-addr:value',
  ipv6: 'ipv6-addr:value',
  domain: 'domain-name:value',
  url: 'url:value',
  email: 'email-addr:value',
  md5: 'file:hashes.MD5',
  sha1: "file:hashes.'SHA-1'",
  sha256: "file:hashes.'SHA-256'",
  filename: 'file:name',
}

/** The STIX pattern matching one indicator. A network is an address value with its prefix, as ipv4-addr and ipv6-addr allow. */
export function stixPattern(type: Exclude<IndicatorType, 'cve'>, value: string): string {
  const path = type === 'cidr' ? (value.includes(':') ? 'ipv6-addr:value' : 'ipv4-addr:value') : PATTERN_PATHS[type]
  return `[${path} = ${stixString(value)}]`
}

/** A STIX patterning string literal: quoted, with the only two escapes the grammar has, backslash and quote. */
export function stixString(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`
}

// ---------------------------------------------------------------------------------------------
// Bundles.

export type StixObject = StixIndicator | StixVulnerability | StixIdentity | StixMarkingDefinition

export interface StixBundle<T = StixObject> {
  type: 'bundle'
  id: string
  objects: T[]
}

/** A bundle id is a fresh v4 uuid: a bundle is a transport envelope, not an object to track. */
export function stixBundle<T = StixObject>(objects: T[]): StixBundle<T> {
  return { type: 'bundle', id: `bundle--${randomUUID()}`, objects }
}

// ---------------------------------------------------------------------------------------------
// Patterns in.

/** The comparisons we can read back, by object path; hash names are matched without quotes or case. */
function typeOfPath(objectType: string, property: string, value: string): IndicatorType | null {
  switch (`${objectType}:${property}`) {
    case 'ipv4-addr:value':
      return value.includes('/') ? 'cidr' : 'ipv4'
    case 'ipv6-addr:value':
      return value.includes('/') ? 'cidr' : 'ipv6'
    case 'domain-name:value':
      return 'domain'
    case 'url:value':
      return 'url'
    case 'email-addr:value':
      return 'email'
    case 'file:name':
      return 'filename'
  }
  if (objectType !== 'file') return null
  const hash = /^hashes\.(?:'([^']*)'|([A-Za-z0-9_-]+))$/.exec(property)
  if (!hash) return null
  // Producers write the hash-algorithm-ov names ('SHA-256') and, often, the STIX 2.0-era SHA256.
  switch ((hash[1] ?? hash[2]!).toUpperCase()) {
    case 'MD5':
      return 'md5'
    case 'SHA-1':
    case 'SHA1':
      return 'sha1'
    case 'SHA-256':
    case 'SHA256':
      return 'sha256'
  }
  return null
}

// One comparison expression, `[object-type:property = 'literal']`, nothing around it: a pattern
// with AND, OR, FOLLOWEDBY, a qualifier or another operator says more than one indicator can hold.
// The literal's alternatives are disjoint, so the match stays linear on hostile input.
const SIMPLE_COMPARISON = /^\s*\[\s*([a-z0-9][a-z0-9-]*):((?:[A-Za-z0-9_-]+|'[^'\\]*')(?:\.(?:[A-Za-z0-9_-]+|'[^'\\]*'))*)\s*=\s*'((?:[^'\\]|\\[\\'])*)'\s*\]\s*$/

// The longest pattern that could hold one of our values, fully escaped, with the longest path.
const MAX_PATTERN_LENGTH = 2 * MAX_VALUE_LENGTH + 100

/** One simple equality comparison of a supported path, else null. */
export function parseStixPattern(pattern: string): { type: IndicatorType; value: string } | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return null
  const m = SIMPLE_COMPARISON.exec(pattern)
  if (!m) return null
  const value = m[3]!.replace(/\\([\\'])/g, '$1')
  const type = typeOfPath(m[1]!, m[2]!, value)
  return type ? { type, value } : null
}

// ---------------------------------------------------------------------------------------------
// Bundles in.

export type StixParseError = 'iocs.stix.errors.badJson' | 'iocs.stix.errors.notStix'

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Each object of a STIX 2.1 bundle as an import entry, in order; line is its 1-based place in `objects`. */
export function parseStixBundle(jsonText: string): ImportEntry[] | { error: StixParseError } {
  let bundle: unknown
  try {
    bundle = JSON.parse(jsonText)
  } catch {
    return { error: 'iocs.stix.errors.badJson' }
  }
  if (!isRecord(bundle) || bundle.type !== 'bundle') return { error: 'iocs.stix.errors.notStix' }
  // A bundle without objects is valid STIX (only type and id are required) and holds nothing.
  if (bundle.objects === undefined) return []
  if (!Array.isArray(bundle.objects)) return { error: 'iocs.stix.errors.notStix' }
  return bundle.objects.map((obj: unknown, index): ImportEntry => entryOf(obj, index + 1))
}

/** The CVE id a vulnerability names in its external references (how stixIndicator writes a CVE). */
function cveOf(vulnerability: Record<string, unknown>): string | null {
  const refs = Array.isArray(vulnerability.external_references) ? vulnerability.external_references : []
  for (const ref of refs) {
    if (isRecord(ref) && typeof ref.source_name === 'string' && ref.source_name.toLowerCase() === 'cve' && typeof ref.external_id === 'string') return ref.external_id
  }
  return null
}

function entryOf(obj: unknown, line: number): ImportEntry {
  // A vulnerability with a CVE id is a CVE indicator: the export writes CVEs so, and reads them back.
  if (isRecord(obj) && obj.type === 'vulnerability') {
    const cve = cveOf(obj)
    const raw = cve ?? (typeof obj.id === 'string' ? obj.id : '')
    if (!cve) return { line, raw, skipped: 'stix_not_indicator' }
    const overrides = overridesOf(obj)
    return { line, raw, result: normalise('cve', cve), ...(Object.keys(overrides).length > 0 ? { overrides } : {}) }
  }
  if (!isRecord(obj) || obj.type !== 'indicator') {
    const id = isRecord(obj) && typeof obj.id === 'string' ? obj.id : ''
    return { line, raw: id, skipped: 'stix_not_indicator' }
  }
  const pattern = typeof obj.pattern === 'string' ? obj.pattern : ''
  const raw = pattern || (typeof obj.id === 'string' ? obj.id : '')
  if (obj.pattern_type !== 'stix') return { line, raw, skipped: 'stix_pattern_type' }
  const comparison = parseStixPattern(pattern)
  if (!comparison) return { line, raw, skipped: 'stix_pattern_unsupported' }
  const overrides = overridesOf(obj)
  return { line, raw, result: normalise(comparison.type, comparison.value), ...(Object.keys(overrides).length > 0 ? { overrides } : {}) }
}

/**
 * What the indicator itself says about sharing, checked by the same rules as the import form
 * (SharingSchema), since the import path applies overrides as they are: a property that breaks
 * them is left out and the form's value applies.
 */
function overridesOf(indicator: Record<string, unknown>): EntryOverrides {
  const overrides: EntryOverrides = {}
  const { confidence, valid_from, valid_until, description, labels, object_marking_refs } = indicator
  if (typeof confidence === 'number' && Number.isInteger(confidence) && confidence >= 0 && confidence <= 100) {
    overrides.confidence = confidence
  }
  const firstSeenAt = parseStixTimestamp(valid_from)
  if (firstSeenAt) overrides.firstSeenAt = firstSeenAt
  const validUntil = parseStixTimestamp(valid_until)
  if (validUntil) overrides.validUntil = validUntil
  // PostgreSQL text cannot hold U+0000, which JSON can: such a text would fail the whole chunk.
  if (typeof description === 'string' && !description.includes('\u0000')) {
    const parsed = SharingSchema.shape.description.safeParse(description)
    if (parsed.success && parsed.data !== '') overrides.description = parsed.data
  }
  if (Array.isArray(labels)) {
    const parsed = SharingSchema.shape.tags.safeParse(labels.filter((l): l is string => typeof l === 'string' && !l.includes('\u0000')))
    if (parsed.success && parsed.data.length > 0) overrides.tags = parsed.data
  }
  const tlp = Array.isArray(object_marking_refs) ? strictestTlp(object_marking_refs) : null
  if (tlp) overrides.tlp = tlp
  return overrides
}

/** Two TLP markings on one object (a producer's mistake) are read as the stricter one; TLP_LABELS runs from least to most strict. */
function strictestTlp(refs: unknown[]): TlpLabel | null {
  let strictest: TlpLabel | null = null
  for (const ref of refs) {
    const tlp = typeof ref === 'string' ? TLP_OF_MARKING_REF.get(ref) : undefined
    if (tlp && (strictest === null || TLP_LABELS.indexOf(tlp) > TLP_LABELS.indexOf(strictest))) strictest = tlp
  }
  return strictest
}

// ---------------------------------------------------------------------------------------------
// Timestamps: STIX 2.1 §3.2, RFC 3339 in UTC with a "Z".

const STIX_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/

function stixTimestamp(date: Date): string {
  return date.toISOString()
}

function parseStixTimestamp(value: unknown): Date | null {
  if (typeof value !== 'string' || !STIX_TIMESTAMP.test(value)) return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

const laterOf = (a: Date, b: Date) => (b.getTime() > a.getTime() ? b : a)
