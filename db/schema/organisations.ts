import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core'
import { createdAt, id, timestamps } from './columns.ts'

// Organisations, provinces and clusters are data, not enums: in 2025 departments and provinces
// were merged (63 → 34 provinces). Only the *kind* of organisation is a product concept.
export const organisationKind = pgEnum('organisation_kind', ['national_cert', 'member'])

export const provinces = pgTable('provinces', {
  id: id(),
  code: text().notNull().unique(),
  nameVi: text().notNull(),
  nameEn: text().notNull(),
  mergedIntoId: uuid().references((): AnyPgColumn => provinces.id),
  mergedOn: date({ mode: 'string' }),
  ...timestamps,
})

export const organisations = pgTable(
  'organisations',
  {
    id: id(),
    slug: text().notNull(),
    kind: organisationKind().notNull().default('member'),
    nameVi: text().notNull(),
    nameEn: text().notNull(),
    shortName: text().notNull(),
    provinceId: uuid().references(() => provinces.id),
    email: text(),
    phone: text(),
    website: text(),
    active: boolean().notNull().default(true),
    // Set when the organisation was merged into another; it then stays readable as history.
    mergedIntoId: uuid().references((): AnyPgColumn => organisations.id),
    ...timestamps,
  },
  (t) => [uniqueIndex('organisations_slug_key').on(t.slug)],
)

export const organisationHistoryEvent = pgEnum('organisation_history_event', [
  'created',
  'renamed',
  'merged_into',
  'deactivated',
  'reactivated',
])

// Renames and merges are kept so that an old report still names the body that filed it.
export const organisationHistory = pgTable(
  'organisation_history',
  {
    id: id(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    event: organisationHistoryEvent().notNull(),
    previousNameVi: text(),
    previousNameEn: text(),
    newNameVi: text(),
    newNameEn: text(),
    mergedIntoId: uuid().references(() => organisations.id),
    note: text(),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    recordedBy: uuid(),
  },
  (t) => [index('organisation_history_org_idx').on(t.organisationId, t.occurredAt)],
)

// Đầu mối ứng cứu sự cố: per-organisation points of contact; changes must reach the
// network within 24 h (Circular 20/2017), hence updatedAt is shown next to each.
export const contactPoints = pgTable(
  'contact_points',
  {
    id: id(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    title: text(),
    email: text(),
    phone: text(),
    available24x7: boolean().notNull().default(false),
    priority: integer().notNull().default(1),
    ...timestamps,
  },
  (t) => [index('contact_points_org_idx').on(t.organisationId)],
)

export const clusters = pgTable('clusters', {
  id: id(),
  code: text().notNull().unique(),
  nameVi: text().notNull(),
  nameEn: text().notNull(),
  description: text(),
  foundedOn: date({ mode: 'string' }),
  active: boolean().notNull().default(true),
  ...timestamps,
})

// Membership of an organisation in a cluster, with the dates it held.
export const clusterMembers = pgTable(
  'cluster_members',
  {
    id: id(),
    clusterId: uuid()
      .notNull()
      .references(() => clusters.id),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    since: date({ mode: 'string' }).notNull(),
    until: date({ mode: 'string' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('cluster_members_org_idx').on(t.organisationId),
    index('cluster_members_cluster_idx').on(t.clusterId),
    check('cluster_members_dates', sql`${t.until} is null or ${t.until} >= ${t.since}`),
  ],
)

export const clusterOfficerRole = pgEnum('cluster_officer_role', ['lead', 'deputy'])

// Cụm trưởng / Cụm phó for a term. The lead rotates yearly, so the role is a dated row,
// never a column on the organisation. "Current" means term_start <= today <= term_end.
export const clusterOfficers = pgTable(
  'cluster_officers',
  {
    id: id(),
    clusterId: uuid()
      .notNull()
      .references(() => clusters.id),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    role: clusterOfficerRole().notNull(),
    termStart: date({ mode: 'string' }).notNull(),
    termEnd: date({ mode: 'string' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('cluster_officers_cluster_idx').on(t.clusterId, t.termStart),
    index('cluster_officers_org_idx').on(t.organisationId),
    check('cluster_officers_term', sql`${t.termEnd} >= ${t.termStart}`),
  ],
)
