import { and, asc, eq, gt, inArray, isNull, or, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { indicators, organisations } from '../../db/schema/index.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import type { Actor } from '../policy/actor.ts'
import { isClusterCoordinator, visibleIndicatorsWhere } from '../policy/policy.server.ts'
import { stixIndicator, type StixIndicator, type StixVulnerability } from './stix.ts'

// The TAXII 2.1 feed (OASIS TAXII 2.1 §4–5; ../shared/domain.md §5): one API root whose
// collections are the visibility scopes a reader may have — everything it may read, the
// network-wide TLP:CLEAR/GREEN feed, its own organisation's indicators and, for a cluster
// lead's or deputy's staff, those of the members it coordinates. Every collection is a
// narrowing of visibleIndicatorsWhere, so no filter, id, cursor or page can reach a row the
// reader may not see; a collection it may not read does not exist for it (404, like any door).
// Objects are the indicators in force (no valid_until in the past), each in its latest
// version, in the order versions were added: date_added is the row's updated_at, so a changed
// indicator comes round again for a client polling with added_after.

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1'
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1'
export const TAXII_PAGE_DEFAULT = 100
export const TAXII_PAGE_MAX = 1000

type CollectionKind = 'all' | 'network' | 'organisation' | 'coordinated'

interface CollectionDefinition {
  kind: CollectionKind
  /** Fixed: a client keeps the collection's id in its configuration. */
  id: string
  title: string
  description: string
  /** Whether the reader has this scope at all. */
  offered(actor: Actor): boolean
  /** The scope as a condition narrowing what the reader may see anyway. */
  narrowing(actor: Actor): SQL | undefined
}

const COLLECTIONS: readonly CollectionDefinition[] = [
  {
    kind: 'all',
    id: '8f1c6a52-3d0e-4c43-9a57-5b0f6f1e2a01',
    title: 'All indicators you may read',
    description: 'Every indicator in force that the reader may see, whatever its source and TLP.',
    offered: () => true,
    narrowing: () => undefined,
  },
  {
    kind: 'network',
    id: '8f1c6a52-3d0e-4c43-9a57-5b0f6f1e2a02',
    title: 'Network feed (TLP:CLEAR and TLP:GREEN)',
    description: 'Indicators every member of the network may read.',
    offered: () => true,
    narrowing: () => inArray(indicators.tlp, ['CLEAR', 'GREEN']),
  },
  {
    kind: 'organisation',
    id: '8f1c6a52-3d0e-4c43-9a57-5b0f6f1e2a03',
    title: 'Shared by your organisation',
    description: "Indicators the reader's own organisation shared.",
    offered: () => true,
    narrowing: (actor) => eq(indicators.sourceOrganisationId, actor.organisationId),
  },
  {
    kind: 'coordinated',
    id: '8f1c6a52-3d0e-4c43-9a57-5b0f6f1e2a04',
    title: 'Members you coordinate',
    description: 'Indicators shared by the members of the clusters the organisation leads or deputises for this term.',
    offered: (actor) => isClusterCoordinator(actor) && actor.coordinatedOrganisationIds.length > 0,
    narrowing: (actor) => inArray(indicators.sourceOrganisationId, actor.coordinatedOrganisationIds),
  },
]

export interface TaxiiCollection {
  id: string
  title: string
  description: string
  can_read: true
  can_write: false
  media_types: string[]
}

const resource = (c: CollectionDefinition): TaxiiCollection => ({
  id: c.id,
  title: c.title,
  description: c.description,
  can_read: true,
  can_write: false,
  media_types: [STIX_MEDIA_TYPE],
})

/** The collections this reader may read. */
export function taxiiCollections(acting: ActingContext): TaxiiCollection[] {
  return COLLECTIONS.filter((c) => c.offered(acting.actor)).map(resource)
}

function collectionFor(acting: ActingContext, id: string): CollectionDefinition {
  const found = COLLECTIONS.find((c) => c.id === id && c.offered(acting.actor))
  if (!found) throw new DomainError('not_found')
  return found
}

export function taxiiCollection(acting: ActingContext, id: string): TaxiiCollection {
  return resource(collectionFor(acting, id))
}

// ---------------------------------------------------------------------------------------------
// Objects

/** Where a page ended: the last (date added, id) it held. Opaque to clients. */
interface Cursor {
  /** updated_at with its microseconds, as PostgreSQL printed it (a JS Date would drop them). */
  addedAt: string
  id: string
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/
const encodeCursor = (c: Cursor) => Buffer.from(`${c.addedAt}|${c.id}`, 'utf8').toString('base64url')
function decodeCursor(raw: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(raw)) return null
  const [addedAt, id, ...rest] = Buffer.from(raw, 'base64url').toString('utf8').split('|')
  if (rest.length || !addedAt || !id || !TIMESTAMP.test(addedAt) || !z.uuid().safeParse(id).success) return null
  return { addedAt, id }
}

const STIX_TYPES = ['indicator', 'vulnerability'] as const
const STIX_ID = /^(indicator|vulnerability)--([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/

const listOf = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)

/** The objects endpoint's query (TAXII 2.1 §3.4): a bad value is a 400, never a 500. */
export const TaxiiObjectsQuery = z.object({
  added_after: z
    .string()
    .optional()
    .refine((v) => v === undefined || (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) && !Number.isNaN(Date.parse(v))), 'taxii.added_after')
    .transform((v) => (v === undefined ? undefined : v)),
  limit: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^[1-9]\d{0,6}$/.test(v), 'taxii.limit')
    // A limit beyond the server's is lowered to it (TAXII 2.1 §3.4: the server may return less).
    .transform((v) => Math.min(v === undefined ? TAXII_PAGE_DEFAULT : Number(v), TAXII_PAGE_MAX)),
  next: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined
      const cursor = decodeCursor(v)
      if (!cursor) {
        ctx.addIssue({ code: 'custom', message: 'taxii.next' })
        return z.NEVER
      }
      return cursor
    }),
  'match[type]': z
    .string()
    .optional()
    .transform(listOf)
    .refine((v) => v === undefined || v.length > 0, 'taxii.match_type'),
  'match[id]': z
    .string()
    .optional()
    .transform(listOf)
    .refine((v) => v === undefined || (v.length > 0 && v.length <= 100), 'taxii.match_id'),
  // One version is kept of each object, so every selection of versions is that one.
  'match[version]': z
    .string()
    .optional()
    .refine((v) => v === undefined || v.split(',').every((s) => ['last', 'first', 'all'].includes(s.trim()) || TIMESTAMP.test(s.trim())), 'taxii.match_version'),
  'match[spec_version]': z
    .string()
    .optional()
    .transform(listOf),
})
export type TaxiiObjectsFilter = z.output<typeof TaxiiObjectsQuery>

export interface TaxiiObjectsPage {
  objects: (StixIndicator | StixVulnerability)[]
  more: boolean
  next?: string
  /** Each object's date_added (microseconds, UTC), in the order of `objects`. */
  dateAdded: string[]
  /** date_added of the first and last object of the page (the X-TAXII-Date-Added-* headers). */
  dateAddedFirst?: string
  dateAddedLast?: string
}

/** Reads the query, or a 400 naming the bad parameter. */
export function parseTaxiiObjectsQuery(query: Record<string, string>): TaxiiObjectsFilter {
  const parsed = TaxiiObjectsQuery.safeParse(query)
  if (!parsed.success) {
    const fields = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'query'), [i.message]]))
    throw new DomainError('validation', 'errors.validation', { fieldErrors: fields })
  }
  return parsed.data
}

/** A page of a collection's objects, oldest version first. */
export async function taxiiObjects(acting: ActingContext, collectionId: string, filter: TaxiiObjectsFilter): Promise<TaxiiObjectsPage> {
  const collection = collectionFor(acting, collectionId)
  const empty: TaxiiObjectsPage = { objects: [], more: false, dateAdded: [] }
  // Only STIX 2.1 objects are held; a type or id filter that names nothing we serve matches nothing.
  if (filter['match[spec_version]'] && !filter['match[spec_version]'].includes('2.1')) return empty
  const types = filter['match[type]']?.filter((t): t is (typeof STIX_TYPES)[number] => (STIX_TYPES as readonly string[]).includes(t))
  if (types && types.length === 0) return empty
  const ids = filter['match[id]']?.flatMap((raw) => {
    const m = STIX_ID.exec(raw.toLowerCase())
    return m ? [{ stixType: m[1]!, id: m[2]! }] : []
  })
  if (ids && ids.length === 0) return empty

  const now = acting.services.now()
  const conditions: (SQL | undefined)[] = [
    visibleIndicatorsWhere(acting.actor),
    collection.narrowing(acting.actor),
    // Expired indicators leave the active feed.
    or(isNull(indicators.validUntil), gt(indicators.validUntil, now)),
  ]
  // A CVE is a vulnerability object; every other type an indicator.
  if (types && types.length === 1) conditions.push(types[0] === 'vulnerability' ? eq(indicators.type, 'cve') : sql`${indicators.type} <> 'cve'`)
  if (ids) {
    conditions.push(
      or(
        ...ids.map(({ stixType, id }) =>
          and(eq(indicators.id, id), stixType === 'vulnerability' ? eq(indicators.type, 'cve') : sql`${indicators.type} <> 'cve'`),
        ),
      ),
    )
  }
  if (filter.added_after) conditions.push(sql`${indicators.updatedAt} > ${filter.added_after}::timestamptz`)
  if (filter.next) conditions.push(sql`(${indicators.updatedAt}, ${indicators.id}) > (${filter.next.addedAt}::timestamptz, ${filter.next.id}::uuid)`)

  const rows = await acting.services.db
    .select({
      id: indicators.id,
      type: indicators.type,
      value: indicators.value,
      tlp: indicators.tlp,
      confidence: indicators.confidence,
      firstSeenAt: indicators.firstSeenAt,
      validUntil: indicators.validUntil,
      tags: indicators.tags,
      description: indicators.description,
      createdAt: indicators.createdAt,
      updatedAt: indicators.updatedAt,
      // The instant with its microseconds, in UTC, for the cursor and the date-added headers.
      addedAt: sql<string>`to_char(${indicators.updatedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      sourceId: organisations.id,
      sourceName: organisations.shortName,
      sourceCreatedAt: organisations.createdAt,
      sourceUpdatedAt: organisations.updatedAt,
    })
    .from(indicators)
    .innerJoin(organisations, eq(organisations.id, indicators.sourceOrganisationId))
    .where(and(...conditions))
    .orderBy(asc(indicators.updatedAt), asc(indicators.id))
    .limit(filter.limit + 1)

  const more = rows.length > filter.limit
  const page = more ? rows.slice(0, filter.limit) : rows
  const first = page[0]
  const last = page[page.length - 1]
  return {
    objects: page.map((r) =>
      stixIndicator(r, { source: { id: r.sourceId, name: r.sourceName, createdAt: r.sourceCreatedAt, updatedAt: r.sourceUpdatedAt } }),
    ),
    more,
    dateAdded: page.map((r) => r.addedAt),
    ...(more && last ? { next: encodeCursor({ addedAt: last.addedAt, id: last.id }) } : {}),
    ...(first && last ? { dateAddedFirst: first.addedAt, dateAddedLast: last.addedAt } : {}),
  }
}
