import { and, asc, count, desc, eq, gte, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Executor } from '../../db/client.ts'
import { clusterMembers, clusters, incidents, organisations } from '../../db/schema/index.ts'
import { startOfDayInZone } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DEFAULT_TIME_ZONE } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { checkbox, dateField, validate } from '../lib/forms.ts'
import { currentMembership, todayFor } from '../orgs/clusters.server.ts'
import { sortVietnamese } from '../orgs/shared.server.ts'
import { TLP_LABELS } from '../policy/actor.ts'
import { authorize, visibleIncidentsWhere } from '../policy/policy.server.ts'
import {
  ACKNOWLEDGEMENT_DEADLINE_HOURS,
  CLOSURE_REPORT_DEADLINE_DAYS,
  INCIDENT_STATUSES,
  NOTIFICATION_DEADLINE_DAYS,
  type IncidentStatus,
} from './lifecycle.ts'
import { COUNT_CAP, DEFAULT_SORT, INCIDENT_SORTS, PAGE_SIZE, type IncidentSort } from './finding.ts'
import { foldForSearch, INCIDENT_CATEGORY_CODES, SEVERITIES } from './taxonomy.ts'

// Finding incidents: the list page, the CSV export and the cluster board all read through the
// conditions built here, and every one of them starts with the policy's visibleIncidentsWhere,
// so a filter, a search term or a cursor can narrow what a viewer sees but never widen it.
// Sort keys come from an allowlist; user text reaches SQL only as bound parameters.

// ---------------------------------------------------------------------------------------------
// The query string

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)
const toList = (v: unknown) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]).filter((x) => !(typeof x === 'string' && x.trim() === ''))

export const IncidentQuerySchema = z
  .object({
    q: z.preprocess(blankToUndefined, z.string().trim().max(200, 'validation.tooLong').optional()),
    status: z.preprocess(
      toList,
      z
        .array(z.string())
        .max(INCIDENT_STATUSES.length, 'validation.invalid')
        .refine((list) => list.every((s) => (INCIDENT_STATUSES as readonly string[]).includes(s)), 'validation.invalid')
        .transform((list) => [...new Set(list)] as IncidentStatus[]),
    ),
    category: z.preprocess(blankToUndefined, z.enum(INCIDENT_CATEGORY_CODES).optional()),
    severity: z.preprocess(blankToUndefined, z.enum(SEVERITIES).optional()),
    tlp: z.preprocess(blankToUndefined, z.enum(TLP_LABELS).optional()),
    organisationId: z.preprocess(blankToUndefined, z.uuid('validation.invalid').optional()),
    clusterId: z.preprocess(blankToUndefined, z.uuid('validation.invalid').optional()),
    from: z.preprocess(blankToUndefined, dateField().optional()),
    to: z.preprocess(blankToUndefined, dateField().optional()),
    overdue: checkbox(),
    escalated: checkbox(),
    // Never an error and never interpolated: anything outside the allowlist means the default.
    sort: z.enum(INCIDENT_SORTS).catch(DEFAULT_SORT),
    cursor: z.preprocess(blankToUndefined, z.string().max(512, 'incidentList.errors.cursor').optional()),
  })
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'incidentList.errors.dateRange' })
  })

export type IncidentQuery = z.output<typeof IncidentQuerySchema>

const SINGLE_PARAMS = ['q', 'category', 'severity', 'tlp', 'organisationId', 'clusterId', 'from', 'to', 'overdue', 'escalated', 'sort', 'cursor'] as const

/** The list's query string as input for the schema: `status` repeats, the rest are single. */
export function incidentQueryInput(params: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = { status: params.getAll('status') }
  for (const name of SINGLE_PARAMS) {
    const value = params.get(name)
    if (value !== null) input[name] = value
  }
  return input
}

/** The filters as they were applied, for the audit trail and for links (no cursor). */
export function describeFilters(q: IncidentQuery): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(q)) {
    if (key === 'cursor' || value === undefined || value === false) continue
    if (Array.isArray(value) && value.length === 0) continue
    out[key] = value
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Deadlines of Circular 20/2017 as SQL, so "overdue only" filters in the database and the
// badge on each row is the same expression. The rules are those of deadlines.server.ts
// (overdueIncidentsWhere), kept apart here per deadline so each row can say which one it
// missed: a deadline is outstanding only while the incident waits for it (notification while
// a draft, acknowledgement while new, closure report while resolved), and overdue from the
// moment it falls due.

export function overdueConditions(now: Date) {
  const ago = (ms: number) => new Date(now.getTime() - ms)
  const HOUR = 60 * 60 * 1000
  const DAY = 24 * HOUR
  return {
    notification: and(eq(incidents.status, 'draft'), isNull(incidents.submittedAt), lte(incidents.detectedAt, ago(NOTIFICATION_DEADLINE_DAYS * DAY))) as SQL,
    acknowledgement: and(eq(incidents.status, 'new'), isNull(incidents.acknowledgedAt), lte(incidents.submittedAt, ago(ACKNOWLEDGEMENT_DEADLINE_HOURS * HOUR))) as SQL,
    closureReport: and(eq(incidents.status, 'resolved'), isNull(incidents.closureSubmittedAt), lte(incidents.resolvedAt, ago(CLOSURE_REPORT_DEADLINE_DAYS * DAY))) as SQL,
  }
}

export type OverdueKind = keyof ReturnType<typeof overdueConditions>

export function anyOverdue(now: Date): SQL {
  const c = overdueConditions(now)
  return or(c.notification, c.acknowledgement, c.closureReport) as SQL
}

/** The three deadline flags as selectable booleans. */
export function overdueColumns(now: Date) {
  const c = overdueConditions(now)
  const flag = (cond: SQL) => sql<boolean>`coalesce(${cond}, false)`.mapWith(Boolean)
  return { overdueNotification: flag(c.notification), overdueAcknowledgement: flag(c.acknowledgement), overdueClosureReport: flag(c.closureReport) }
}

// ---------------------------------------------------------------------------------------------
// Full-text search without diacritics. search_text is folded by foldForSearch on every write;
// the query is folded the same way and split into runs of letters and digits, which must all
// match; the last run also matches as a prefix once it has three characters ("ransom" finds
// "ransomware", as the user is still typing it). Earlier runs match as whole words: a prefix
// on every run made "ma doc" expand "ma" to every word starting with it ("mang", "may", "mat"…),
// which on the 100k-incident benchmark register tripled the GIN index scan for nothing a
// Vietnamese reader wants — the syllables are short and mean what they say. When the query
// holds more than letters, digits and spaces, the whole query as words (plainto_tsquery) is
// tried too: it finds IPs, e-mails and hyphenated names as the indexer saw them. The tsquery is
// built only from runs of letters and digits, so no operator can come from the user, and both
// strings travel as parameters.

const MAX_TERMS = 8
const MAX_TERM_LENGTH = 64
const MIN_PREFIX_LENGTH = 3

export function textSearchCondition(raw: string): SQL | undefined {
  const folded = foldForSearch(raw).slice(0, 200)
  const terms = folded
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, MAX_TERMS)
    .map((t) => t.slice(0, MAX_TERM_LENGTH))
  if (terms.length === 0) return undefined
  const last = terms.length - 1
  const runs = terms.map((t, i) => (i === last && t.length >= MIN_PREFIX_LENGTH ? `${t}:*` : t)).join(' & ')
  const onlyRuns = /^[\p{L}\p{N}\s]*$/u.test(folded)
  const words = onlyRuns
    ? sql`${incidents.searchVector} @@ to_tsquery('simple', ${runs})`
    : sql`${incidents.searchVector} @@ (plainto_tsquery('simple', ${folded}) || to_tsquery('simple', ${runs}))`
  const reference = raw.trim().toUpperCase()
  // A pasted reference (IR-2026-000123) is found by its unique index whatever the indexer made of it.
  return /^IR-\d{4}-\d{1,12}$/.test(reference) ? (or(eq(incidents.reference, reference), words) as SQL) : words
}

// ---------------------------------------------------------------------------------------------
// Conditions

function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10)
}

/** Every condition of a query except the cursor, beginning with what the actor may see. */
export function incidentConditions(acting: ActingContext, query: IncidentQuery, timeZone: string, db: Executor = acting.services.db): SQL[] {
  const conditions: SQL[] = [visibleIncidentsWhere(acting.actor)]
  if (query.status.length) conditions.push(inArray(incidents.status, query.status))
  if (query.category) conditions.push(eq(incidents.category, query.category))
  if (query.severity) conditions.push(eq(incidents.severity, query.severity))
  if (query.tlp) conditions.push(eq(incidents.tlp, query.tlp))
  if (query.organisationId) conditions.push(eq(incidents.reportingOrganisationId, query.organisationId))
  if (query.clusterId) {
    // Members today: an organisation that left the cluster no longer counts as one of its own.
    const members = db
      .select({ organisationId: clusterMembers.organisationId })
      .from(clusterMembers)
      .where(and(eq(clusterMembers.clusterId, query.clusterId), currentMembership(todayFor(acting))))
    conditions.push(inArray(incidents.reportingOrganisationId, members))
  }
  if (query.from) conditions.push(gte(incidents.detectedAt, startOfDayInZone(query.from, timeZone)))
  if (query.to) conditions.push(lt(incidents.detectedAt, startOfDayInZone(nextDay(query.to), timeZone)))
  if (query.overdue) conditions.push(anyOverdue(acting.services.now()))
  if (query.escalated) conditions.push(isNotNull(incidents.escalatedAt))
  if (query.q) {
    const text = textSearchCondition(query.q)
    if (text) conditions.push(text)
  }
  return conditions
}

// ---------------------------------------------------------------------------------------------
// Sorting and keyset pagination. Each sort is a fixed list of key expressions ending with the
// id, all in one direction, so "after this row" is one row-value comparison. Timestamps travel
// in the cursor as text with microseconds: a JavaScript Date would round them to milliseconds
// and skip rows that share a millisecond.

type KeyKind = 'timestamp' | 'severity' | 'uuid'
interface SortSpec {
  direction: 'asc' | 'desc'
  keys: { expr: SQL; kind: KeyKind }[]
}

const ts = (expr: SQL) => ({ expr, kind: 'timestamp' as const })
const createdKey = ts(sql`${incidents.createdAt}`)
const idKey = { expr: sql`${incidents.id}`, kind: 'uuid' as const }

const SORT_SPECS: Record<IncidentSort, SortSpec> = {
  newest: { direction: 'desc', keys: [createdKey, idKey] },
  oldest: { direction: 'asc', keys: [createdKey, idKey] },
  // Critical first (the enum's order is low < medium < high < critical), newest first within.
  severity: { direction: 'desc', keys: [{ expr: sql`${incidents.severity}`, kind: 'severity' }, createdKey, idKey] },
  // Drafts may have no detection time yet; they sort by when they were written.
  detectedAt: { direction: 'desc', keys: [ts(sql`coalesce(${incidents.detectedAt}, ${incidents.createdAt})`), idKey] },
}

function keyText(key: SortSpec['keys'][number]): SQL<string> {
  if (key.kind === 'timestamp') return sql<string>`to_char(${key.expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
  return sql<string>`${key.expr}::text`
}

/** The sort key as text columns sortKey0…: what the next cursor is made of. */
function keyColumns(spec: SortSpec): { sortKey0: SQL<string>; sortKey1: SQL<string>; sortKey2?: SQL<string> } {
  const [a, b, c] = spec.keys.map((k) => keyText(k).mapWith(String))
  return c ? { sortKey0: a!, sortKey1: b!, sortKey2: c } : { sortKey0: a!, sortKey1: b! }
}

function keyParam(kind: KeyKind, value: string): SQL {
  if (kind === 'timestamp') return sql`${value}::timestamptz`
  if (kind === 'severity') return sql`${value}::incident_severity`
  return sql`${value}::uuid`
}

interface Cursor {
  sort: IncidentSort
  /** 'after' pages forward in the sort's direction; 'before' pages back. */
  direction: 'after' | 'before'
  key: string[]
}

const TIMESTAMP_KEY = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})\d{3}Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function validKey(kind: KeyKind, value: unknown): value is string {
  if (typeof value !== 'string') return false
  if (kind === 'uuid') return UUID.test(value)
  if (kind === 'severity') return (SEVERITIES as readonly string[]).includes(value)
  // A real instant, written exactly as to_char writes it: '2026-02-30T…' does not round-trip.
  const m = TIMESTAMP_KEY.exec(value)
  if (!m) return false
  const date = new Date(`${m[1]}Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString() === `${m[1]}Z`
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ s: cursor.sort, d: cursor.direction === 'after' ? 'a' : 'b', k: cursor.key }), 'utf8').toString('base64url')
}

const cursorError = () => new DomainError('validation', 'errors.validation', { fieldErrors: { cursor: ['incidentList.errors.cursor'] } })

/** An opaque cursor back into its parts; anything malformed or from another sort is a 400. */
export function decodeCursor(raw: string, sort: IncidentSort): Cursor {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw cursorError()
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
  } catch {
    throw cursorError()
  }
  if (typeof parsed !== 'object' || parsed === null) throw cursorError()
  const { s, d, k } = parsed as { s?: unknown; d?: unknown; k?: unknown }
  const spec = SORT_SPECS[sort]
  if (s !== sort || (d !== 'a' && d !== 'b') || !Array.isArray(k) || k.length !== spec.keys.length) throw cursorError()
  if (!spec.keys.every((key, i) => validKey(key.kind, k[i]))) throw cursorError()
  return { sort, direction: d === 'a' ? 'after' : 'before', key: k as string[] }
}

function seek(spec: SortSpec, cursor: Cursor): SQL {
  const forward = cursor.direction === 'after'
  const descending = spec.direction === 'desc'
  const operator = forward === descending ? sql.raw('<') : sql.raw('>')
  const columns = sql.join(
    spec.keys.map((k) => k.expr),
    sql`, `,
  )
  const values = sql.join(
    spec.keys.map((k, i) => keyParam(k.kind, cursor.key[i]!)),
    sql`, `,
  )
  return sql`(${columns}) ${operator} (${values})`
}

function orderBy(spec: SortSpec, reverse: boolean): SQL[] {
  const ascending = (spec.direction === 'asc') !== reverse
  return spec.keys.map((k) => (ascending ? asc(k.expr) : desc(k.expr)))
}

// ---------------------------------------------------------------------------------------------
// The list

/**
 * PostgreSQL's JIT off for the rest of a read transaction. The policy's grant checks are
 * EXISTS subqueries inside OR arms, which the planner costs as if each ran once per row (its
 * first alternative) although the executor runs them hashed, once: the capped count over a
 * 10k-incident register is estimated at ~250,000, past jit_above_cost (100,000), and
 * PostgreSQL spent 60–120 ms compiling a scan that then took 10–30 ms (EXPLAIN ANALYZE with
 * bench/seed-incidents.ts; `npm run bench` with BENCH_ONLY=incidents). A page of the list is a
 * short read that never repays compilation. PGlite accepts the setting and has no JIT to turn off.
 */
async function withoutJit(tx: Executor) {
  await tx.execute(sql`set local jit = off`)
}

/** The columns a list row and a CSV line need (no description: lists never carry bodies). */
export function incidentListColumns(now: Date) {
  return {
    id: incidents.id,
    reference: incidents.reference,
    title: incidents.title,
    status: incidents.status,
    category: incidents.category,
    severity: incidents.severity,
    tlp: incidents.tlp,
    reportingOrganisationId: incidents.reportingOrganisationId,
    reportingOrganisationName: organisations.shortName,
    createdAt: incidents.createdAt,
    detectedAt: incidents.detectedAt,
    submittedAt: incidents.submittedAt,
    acknowledgedAt: incidents.acknowledgedAt,
    resolvedAt: incidents.resolvedAt,
    closedAt: incidents.closedAt,
    escalatedAt: incidents.escalatedAt,
    triageStatus: incidents.triageStatus,
    ...overdueColumns(now),
  }
}

export interface ListOptions {
  /** The viewer's zone: date filters are calendar days there. */
  timeZone?: string
}

/**
 * One page (25 rows) of the incidents the actor may see, filtered and sorted as asked, with
 * cursors to the next and previous pages and the number of matching rows (capped). Bad
 * filters and tampered cursors are validation errors (400), never database errors.
 */
export async function listIncidents(acting: ActingContext, input: unknown, options: ListOptions = {}) {
  const query = validate(IncidentQuerySchema, input)
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE
  const spec = SORT_SPECS[query.sort]
  const cursor = query.cursor ? decodeCursor(query.cursor, query.sort) : null
  const now = acting.services.now()
  const backwards = cursor?.direction === 'before'

  // The page and its count in one read transaction, with JIT off (see withoutJit).
  const { fetched, total } = await acting.services.db.transaction(async (tx) => {
    await withoutJit(tx)
    const conditions = incidentConditions(acting, query, timeZone, tx)
    const paging = cursor ? [...conditions, seek(spec, cursor)] : conditions
    const fetched = await tx
      .select({ ...incidentListColumns(now), ...keyColumns(spec) })
      .from(incidents)
      .innerJoin(organisations, eq(organisations.id, incidents.reportingOrganisationId))
      .where(and(...paging))
      .orderBy(...orderBy(spec, backwards))
      .limit(PAGE_SIZE + 1)
    const [counted] = await tx
      .select({ n: count() })
      .from(tx.select({ one: sql`1` }).from(incidents).where(and(...conditions)).limit(COUNT_CAP + 1).as('matching'))
    return { fetched, total: Number(counted?.n ?? 0) }
  })

  const more = fetched.length > PAGE_SIZE
  const page = fetched.slice(0, PAGE_SIZE)
  if (backwards) page.reverse()
  const hasNext = backwards ? true : more
  const hasPrevious = backwards ? more : cursor !== null
  const keyOf = (row: Record<string, unknown>) => spec.keys.map((_k, i) => String(row[`sortKey${i}`]))
  const first = page[0]
  const last = page[page.length - 1]

  return {
    query,
    rows: page.map(({ sortKey0: _a, sortKey1: _b, sortKey2: _c, ...row }) => row),
    total: Math.min(total, COUNT_CAP),
    totalCapped: total > COUNT_CAP,
    nextCursor: hasNext && last ? encodeCursor({ sort: query.sort, direction: 'after', key: keyOf(last) }) : null,
    previousCursor: hasPrevious && first ? encodeCursor({ sort: query.sort, direction: 'before', key: keyOf(first) }) : null,
    now,
  }
}

export type IncidentListRow = Awaited<ReturnType<typeof listIncidents>>['rows'][number]

/** Rows for the CSV export: the same conditions and order, no cursor, up to `limit` rows. */
export async function incidentsForExport(acting: ActingContext, tx: Executor, query: IncidentQuery, timeZone: string, limit: number) {
  const spec = SORT_SPECS[query.sort]
  const now = acting.services.now()
  return tx
    .select(incidentListColumns(now))
    .from(incidents)
    .innerJoin(organisations, eq(organisations.id, incidents.reportingOrganisationId))
    .where(and(...incidentConditions(acting, query, timeZone, tx)))
    .orderBy(...orderBy(spec, false))
    .limit(limit)
}

/**
 * Choices for the filter form. The directory and the clusters are public to every signed-in
 * user (organisation.view, cluster.view), so listing them reveals nothing about incidents.
 */
export async function incidentFilterChoices(acting: ActingContext) {
  authorize(acting.actor, { action: 'organisation.view' })
  authorize(acting.actor, { action: 'cluster.view' })
  const db = acting.services.db
  const orgRows = await db.select({ id: organisations.id, shortName: organisations.shortName, active: organisations.active }).from(organisations)
  const clusterRows = await db.select({ id: clusters.id, code: clusters.code, nameVi: clusters.nameVi, nameEn: clusters.nameEn }).from(clusters)
  return {
    organisations: sortVietnamese(orgRows, (o) => `${o.active ? 0 : 1} ${o.shortName}`),
    clusters: sortVietnamese(clusterRows, (c) => c.code),
  }
}
