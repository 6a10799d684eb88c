import { sql } from 'drizzle-orm'
import { check, index, inet, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { createdAt, id, timestamps } from './columns.ts'
import { users } from './auth.ts'
import { tlpLabel } from './grants.ts'
import { incidents, papLabel } from './incidents.ts'
import { organisations } from './organisations.ts'

// Indicators of compromise (issue 5; ../shared/domain.md §4). The value is stored canonical
// (app/iocs/normalise.ts), so (type, value) identifies an indicator across organisations; each
// organisation holds its own copy with its own TLP, PAP and confidence.

export const INDICATOR_TYPES = ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'filename', 'cve'] as const
export const indicatorType = pgEnum('indicator_type', INDICATOR_TYPES)

export const indicators = pgTable(
  'indicators',
  {
    id: id(),
    type: indicatorType().notNull(),
    value: text().notNull(),
    // The address or network of ipv4/ipv6/cidr indicators, for "address within network" lookups
    // (GiST inet_ops below); null for every other type.
    network: inet(),
    tlp: tlpLabel().notNull().default('AMBER'),
    pap: papLabel().notNull().default('AMBER'),
    confidence: integer().notNull().default(50),
    firstSeenAt: timestamp({ withTimezone: true }),
    lastSeenAt: timestamp({ withTimezone: true }),
    validUntil: timestamp({ withTimezone: true }),
    // Free tags and MITRE ATT&CK technique ids (T1566.001).
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    description: text().notNull().default(''),
    sourceOrganisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    ...timestamps,
  },
  (t) => [
    // Imports are idempotent on (type, value, source organisation); its (type, value) prefix also
    // serves correlation and exact lookups.
    uniqueIndex('indicators_type_value_source_key').on(t.type, t.value, t.sourceOrganisationId),
    index('indicators_source_created_idx').on(t.sourceOrganisationId, t.createdAt),
    index('indicators_created_idx').on(t.createdAt, t.id),
    // The TAXII feed pages in the order versions were added: (updated_at, id) keyset.
    index('indicators_updated_idx').on(t.updatedAt, t.id),
    index('indicators_network_idx').using('gist', sql`${t.network} inet_ops`),
    // "This domain and its subdomains": a suffix match is a prefix match on the reversed value,
    // which a btree with text_pattern_ops answers without reading every domain (1M rows: a scan).
    index('indicators_domain_reversed_idx')
      .using('btree', sql`reverse(${t.value}) text_pattern_ops`)
      .where(sql`${t.type} = 'domain'`),
    check('indicators_confidence', sql`${t.confidence} between 0 and 100`),
    check('indicators_network_only_for_ip', sql`(${t.network} is not null) = (${t.type} in ('ipv4', 'ipv6', 'cidr'))`),
  ],
)

export const indicatorIncidents = pgTable(
  'indicator_incidents',
  {
    indicatorId: uuid()
      .notNull()
      .references(() => indicators.id, { onDelete: 'cascade' }),
    incidentId: uuid()
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    linkedBy: uuid()
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.indicatorId, t.incidentId] }), index('indicator_incidents_incident_idx').on(t.incidentId)],
)

/** "We saw this too": an organisation reports having observed an indicator. */
export const indicatorSightings = pgTable(
  'indicator_sightings',
  {
    id: id(),
    indicatorId: uuid()
      .notNull()
      .references(() => indicators.id, { onDelete: 'cascade' }),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    reportedBy: uuid()
      .notNull()
      .references(() => users.id),
    seenAt: timestamp({ withTimezone: true }).notNull(),
    count: integer().notNull().default(1),
    note: text().notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [
    index('indicator_sightings_indicator_idx').on(t.indicatorId, t.seenAt),
    check('indicator_sightings_count', sql`${t.count} >= 1`),
  ],
)

/**
 * Two organisations' indicators of the same canonical (type, value), recorded once per pair with
 * the lower id first. Derived data: a viewer is shown the other side only if the policy lets them
 * see that indicator (app/iocs/correlations.server.ts).
 */
export const indicatorCorrelations = pgTable(
  'indicator_correlations',
  {
    id: id(),
    indicatorId: uuid()
      .notNull()
      .references(() => indicators.id, { onDelete: 'cascade' }),
    relatedIndicatorId: uuid()
      .notNull()
      .references(() => indicators.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('indicator_correlations_pair_key').on(t.indicatorId, t.relatedIndicatorId),
    index('indicator_correlations_related_idx').on(t.relatedIndicatorId),
    check('indicator_correlations_ordered', sql`${t.indicatorId} < ${t.relatedIndicatorId}`),
  ],
)
