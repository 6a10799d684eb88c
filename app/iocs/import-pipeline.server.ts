import { eq, ne, sql } from 'drizzle-orm'
import { insertManyIgnoringConflicts } from '../../db/bulk-insert.ts'
import type { Executor } from '../../db/client.ts'
import { indicatorCorrelations, indicators } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { emitEvent } from '../notifications/emit.server.ts'
import type { IndicatorRow } from './access.server.ts'
import type { EntryOverrides, ImportEntry, SkipReason } from './import-entries.ts'
import type { IndicatorType, InvalidReason } from './normalise.ts'
import type { SharingSchema } from './schemas.ts'
import { warninglistsInForce } from './warninglists.server.ts'
import type { z } from 'zod'

// The one path every import takes, whatever its source (a paste, a CSV file, a STIX bundle, the
// API): preview each entry — valid, duplicate, warninglisted, invalid with its reason, or skipped —
// then save what may be saved, set-based so that a 100,000-line import is a few hundred
// statements, not a few hundred thousand. Idempotent on (type, value, source organisation):
// re-running a saved import creates nothing and reports every line a duplicate.

export type Sharing = z.infer<typeof SharingSchema>

export type PreviewStatus = 'valid' | 'duplicate' | 'warninglisted' | 'invalid' | 'skipped'
export interface PreviewLine {
  line: number
  raw: string
  status: PreviewStatus
  type: IndicatorType | null
  value: string | null
  reason: InvalidReason | null
  skipReason: SkipReason | null
  /** Set for 'duplicate': seen earlier in this import, or already shared by this organisation. */
  duplicateOf: 'paste' | 'organisation' | null
  warninglists: string[]
  overrides?: EntryOverrides
}

export interface ImportCounts {
  created: number
  duplicate: number
  warninglisted: number
  invalid: number
  skipped: number
}

const IP_TYPES: readonly IndicatorType[] = ['ipv4', 'ipv6', 'cidr']

// Rows per statement: 1,000 indicators × 16 columns stays well under PostgreSQL's 65,535
// parameters, and the (type, value) lookups below send one JSON parameter per chunk.
const CHUNK = 1000

/** Identifies a canonical indicator across organisations (and within one import). */
export const indicatorKey = (type: string, value: string) => `${type}\u0000${value}`
const key = indicatorKey

/**
 * The join that finds indicators of these (type, value) pairs: one JSON parameter per chunk
 * matched on the (type, value, source) unique index, rather than `value IN (…)`, which cannot use
 * an index that leads with the type and would scan a large table for every chunk.
 */
const wantedPairs = (pairs: readonly { type: string; value: string }[]) =>
  [
    sql`json_to_recordset(${JSON.stringify(pairs.map((p) => ({ type: p.type, value: p.value })))}::json) as wanted(type indicator_type, value text)`,
    sql`wanted.type = ${indicators.type} and wanted.value = ${indicators.value}`,
  ] as const

/** The (type, value) pairs among `pairs` that the organisation already holds. */
async function heldPairs(db: Executor, pairs: { type: string; value: string }[], organisationId: string) {
  const held = new Set<string>()
  for (let i = 0; i < pairs.length; i += CHUNK) {
    const rows = await db
      .select({ type: indicators.type, value: indicators.value })
      .from(indicators)
      .innerJoin(...wantedPairs(pairs.slice(i, i + CHUNK)))
      .where(eq(indicators.sourceOrganisationId, organisationId))
    for (const r of rows) held.add(key(r.type, r.value))
  }
  return held
}

/** Classifies every entry for the preview (and for the save, which never trusts a preview). */
export async function previewEntries(db: Executor, acting: ActingContext, entries: ImportEntry[], earlier: ReadonlySet<string> = new Set()): Promise<PreviewLine[]> {
  const candidates = new Map<string, { type: string; value: string }>()
  for (const e of entries) if ('result' in e && e.result.ok) candidates.set(key(e.result.type, e.result.value), { type: e.result.type, value: e.result.value })
  const held = await heldPairs(db, [...candidates.values()], acting.actor.organisationId)
  const seen = new Set<string>(earlier)
  const { matcher } = await warninglistsInForce(db)
  return entries.map((e): PreviewLine => {
    const blank = { line: e.line, raw: e.raw, type: null, value: null, reason: null, skipReason: null, duplicateOf: null, warninglists: [] }
    if ('skipped' in e) return { ...blank, status: 'skipped', skipReason: e.skipped }
    if (!e.result.ok) return { ...blank, status: 'invalid', type: e.result.type, reason: e.result.reason }
    const { type, value } = e.result
    const k = key(type, value)
    const duplicateOf = held.has(k) ? 'organisation' : seen.has(k) ? 'paste' : null
    seen.add(k)
    const onLists = matcher.match(type, value)
    const status: PreviewStatus = duplicateOf ? 'duplicate' : onLists.length > 0 ? 'warninglisted' : 'valid'
    return { ...blank, status, type, value, duplicateOf, warninglists: onLists, ...(e.overrides ? { overrides: e.overrides } : {}) }
  })
}

/** How many lines of a preview have each status. */
export function countStatuses(lines: readonly PreviewLine[]): Record<PreviewStatus, number> {
  const counts: Record<PreviewStatus, number> = { valid: 0, duplicate: 0, warninglisted: 0, invalid: 0, skipped: 0 }
  for (const l of lines) counts[l.status] += 1
  return counts
}

/** What an import did: the statuses of its lines, `created` standing for the valid ones saved. */
export function countLines(lines: readonly PreviewLine[], created: number): ImportCounts {
  const { valid: _valid, ...rest } = countStatuses(lines)
  return { created, ...rest }
}

function columnsFor(acting: ActingContext, type: IndicatorType, value: string, sharing: Sharing, now: Date) {
  return {
    type,
    value,
    network: IP_TYPES.includes(type) ? value : null,
    tlp: sharing.tlp,
    pap: sharing.pap,
    confidence: sharing.confidence,
    firstSeenAt: sharing.firstSeenAt,
    lastSeenAt: sharing.lastSeenAt,
    validUntil: sharing.validUntil,
    tags: sharing.tags,
    description: sharing.description,
    sourceOrganisationId: acting.actor.organisationId,
    createdBy: acting.actor.userId,
    createdAt: now,
    updatedAt: now,
  }
}

/** The columns of one new indicator, the form's sharing overridden by what the file said of it. */
export function indicatorValues(acting: ActingContext, type: IndicatorType, value: string, sharing: Sharing, now: Date, overrides?: EntryOverrides) {
  return columnsFor(acting, type, value, overrides ? { ...sharing, ...overrides } : sharing, now)
}

/** What the save reads back of each new indicator: enough to correlate it and to name it. */
const CREATED_COLUMNS = { id: indicators.id, type: indicators.type, value: indicators.value, tlp: indicators.tlp, sourceOrganisationId: indicators.sourceOrganisationId }
export type CreatedIndicator = Pick<IndicatorRow, keyof typeof CREATED_COLUMNS>

/**
 * Records that other organisations already hold the same canonical (type, value) as these new
 * rows, once per pair, and raises one "seen by N organisations" event per correlated indicator
 * (recipients.server.ts decides who may hear of it). All rows come from the acting organisation.
 */
export async function correlateRows(tx: Executor, acting: ActingContext, rows: readonly CreatedIndicator[]): Promise<number> {
  let recorded = 0
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK)
    const others = await tx
      .select({ id: indicators.id, type: indicators.type, value: indicators.value, sourceOrganisationId: indicators.sourceOrganisationId })
      .from(indicators)
      .innerJoin(...wantedPairs(chunk))
      .where(ne(indicators.sourceOrganisationId, acting.actor.organisationId))
    if (others.length === 0) continue
    const byKey = new Map<string, typeof others>()
    for (const o of others) byKey.set(key(o.type, o.value), [...(byKey.get(key(o.type, o.value)) ?? []), o])
    const pairs: { indicatorId: string; relatedIndicatorId: string }[] = []
    const correlated: { row: CreatedIndicator; others: typeof others }[] = []
    for (const row of chunk) {
      const same = byKey.get(key(row.type, row.value))
      if (!same) continue
      correlated.push({ row, others: same })
      // uuid order in PostgreSQL is byte order, which is the order of their lower-case hex text.
      for (const o of same) pairs.push(row.id < o.id ? { indicatorId: row.id, relatedIndicatorId: o.id } : { indicatorId: o.id, relatedIndicatorId: row.id })
    }
    const inserted = new Set<string>()
    for (let j = 0; j < pairs.length; j += CHUNK) {
      const done = await tx.insert(indicatorCorrelations).values(pairs.slice(j, j + CHUNK)).onConflictDoNothing().returning({ a: indicatorCorrelations.indicatorId, b: indicatorCorrelations.relatedIndicatorId })
      for (const d of done) inserted.add(d.a).add(d.b)
    }
    for (const { row, others: same } of correlated) {
      if (!inserted.has(row.id)) continue
      recorded += 1
      await emitEvent(tx, acting.services, {
        type: 'indicator.correlated',
        objectType: 'indicator',
        objectId: row.id,
        organisationId: row.sourceOrganisationId,
        actorUserId: acting.actor.userId,
        tlp: row.tlp,
        // Ids only: who may be told, and of what, is decided per recipient by the policy.
        payload: {
          indicatorId: row.id,
          link: `/indicators/${row.id}`,
          relatedIndicatorIds: same.map((o) => o.id),
          organisationIds: [...new Set([row.sourceOrganisationId, ...same.map((o) => o.sourceOrganisationId)])],
        },
      })
    }
  }
  return recorded
}

/**
 * Saves the entries that preview as valid or warninglisted (a warning never blocks) and
 * correlates them, inside the caller's transaction. `earlier` holds the (type, value) keys of
 * entries a previous chunk of the same import already handled.
 */
export async function saveEntries(tx: Executor, acting: ActingContext, entries: ImportEntry[], sharing: Sharing, earlier?: Set<string>) {
  const now = acting.services.now()
  const lines = await previewEntries(tx, acting, entries, earlier)
  const values = lines.flatMap((l) =>
    (l.status === 'valid' || l.status === 'warninglisted') && l.type && l.value ? [indicatorValues(acting, l.type, l.value, sharing, now, l.overrides)] : [],
  )
  const created: CreatedIndicator[] = []
  for (let i = 0; i < values.length; i += CHUNK) {
    // A concurrent import of the same value by the same organisation loses the race quietly.
    created.push(...(await insertManyIgnoringConflicts(tx, indicators, values.slice(i, i + CHUNK), CREATED_COLUMNS)))
  }
  await correlateRows(tx, acting, created)
  if (earlier) for (const l of lines) if (l.type && l.value) earlier.add(key(l.type, l.value))
  return { lines, created, counts: countLines(lines, created.length) }
}

/** The audit entry of a finished import: counts and sharing, never the values themselves. */
export async function auditImport(tx: Executor, acting: ActingContext, counts: ImportCounts, details: { source: string; tlp: string; importId?: string }) {
  await auditAs(tx, acting, {
    action: 'indicator.imported',
    objectType: 'indicator',
    objectOrganisationId: acting.actor.organisationId,
    details: { ...counts, ...details },
  })
}
