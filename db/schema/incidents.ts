import { sql } from 'drizzle-orm'
import { bigint, boolean, check, customType, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { createdAt, id, timestamps } from './columns.ts'
import { users } from './auth.ts'
import { tlpLabel } from './grants.ts'
import { organisations } from './organisations.ts'

// Incidents as Circular 20/2017/TT-BTTTT describes them: the initial report (Form 03), the life
// cycle, escalation to the national CERT, coordination requests (Form 06) and the closure
// report (Form 04). See docs/decisions/008-incidents.md.

export const incidentStatus = pgEnum('incident_status', [
  'draft',
  'new',
  'acknowledged',
  'investigating',
  'contained',
  'resolved',
  'closed',
])
export const incidentSeverity = pgEnum('incident_severity', ['low', 'medium', 'high', 'critical'])
export const papLabel = pgEnum('pap_label', ['CLEAR', 'GREEN', 'AMBER', 'RED'])
export const triageStatus = pgEnum('triage_status', ['pending', 'accepted', 'declined', 'info_requested'])
export const triageClassification = pgEnum('triage_classification', ['normal', 'serious'])
export const escalationUrgency = pgEnum('escalation_urgency', ['normal', 'urgent', 'immediate'])

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

export const incidents = pgTable(
  'incidents',
  {
    id: id(),
    // IR-2026-000123: readable, unique, allocated from incident_reference_counters.
    reference: text().notNull(),
    status: incidentStatus().notNull().default('draft'),
    reportingOrganisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    title: text().notNull(),
    // Ten national statistics categories (Form 05), each mapped to ENISA RSIT in app/incidents/taxonomy.ts.
    category: text().notNull(),
    severity: incidentSeverity().notNull().default('medium'),
    serious: boolean().notNull().default(false),
    // The legal test for a serious incident (level 4–5 system + harm + beyond the owner's means).
    seriousCriteria: jsonb().$type<Record<string, boolean>>().notNull().default({}),
    tlp: tlpLabel().notNull().default('AMBER'),
    pap: papLabel().notNull().default('AMBER'),
    // Form 03 — reporter's contact
    contactName: text(),
    contactTitle: text(),
    contactPhone: text(),
    contactEmail: text(),
    // Form 03 — affected system
    systemName: text(),
    systemDomains: text().array().notNull().default(sql`'{}'::text[]`),
    systemPublicIps: text().array().notNull().default(sql`'{}'::text[]`),
    systemLevel: integer(),
    systemOwner: text(),
    systemOperator: text(),
    systemIsp: text(),
    securityProvider: text(),
    // Form 03 — the incident
    description: text().notNull().default(''),
    detectedAt: timestamp({ withTimezone: true }),
    handled: boolean().notNull().default(false),
    detectionMethods: text().array().notNull().default(sql`'{}'::text[]`),
    detectionDetail: text(),
    alreadyNotified: text().array().notNull().default(sql`'{}'::text[]`),
    environmentOs: text(),
    environmentServices: text(),
    environmentControls: text(),
    confidential: boolean().notNull().default(false),
    supportRequested: text(),
    // Handling
    assignedUserId: uuid().references(() => users.id),
    respondingOrganisationId: uuid().references(() => organisations.id),
    // Escalation to the national CERT and its triage
    escalatedAt: timestamp({ withTimezone: true }),
    escalatedBy: uuid().references(() => users.id),
    escalationReason: text(),
    escalationUrgency: escalationUrgency(),
    triageStatus: triageStatus(),
    triageClassification: triageClassification(),
    triageAnalystId: uuid().references(() => users.id),
    triageNote: text(),
    triagedAt: timestamp({ withTimezone: true }),
    // Life-cycle times, for the deadlines of Circular 20/2017
    submittedAt: timestamp({ withTimezone: true }),
    acknowledgedAt: timestamp({ withTimezone: true }),
    resolvedAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    // Form 04 — closure report
    closureWhatHappened: text(),
    closureResolution: text(),
    closurePrevention: text(),
    closureSubmittedAt: timestamp({ withTimezone: true }),
    // Search text folded without diacritics ("mã độc" → "ma doc") by the domain module on every
    // write, in JS so both databases behave the same without the unaccent extension.
    searchText: text().notNull().default(''),
    searchVector: tsvector().generatedAlwaysAs((): ReturnType<typeof sql> => sql`to_tsvector('simple', search_text)`),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('incidents_reference_key').on(t.reference),
    index('incidents_org_status_idx').on(t.reportingOrganisationId, t.status, t.createdAt),
    index('incidents_status_created_idx').on(t.status, t.createdAt, t.id),
    index('incidents_created_idx').on(t.createdAt, t.id),
    index('incidents_triage_idx').on(t.triageStatus, t.escalatedAt),
    index('incidents_search_idx').using('gin', t.searchVector),
    check('incidents_system_level', sql`${t.systemLevel} is null or ${t.systemLevel} between 1 and 5`),
  ],
)

export const incidentReferenceCounters = pgTable('incident_reference_counters', {
  year: integer().primaryKey(),
  last: bigint({ mode: 'number' }).notNull().default(0),
})

export const timelineKind = pgEnum('incident_timeline_kind', [
  'filed',
  'updated',
  'acknowledged',
  'status_changed',
  'comment',
  'assigned',
  'escalated',
  'triaged',
  'info_requested',
  'info_provided',
  'attachment_added',
  'coordination_requested',
  'coordination_acknowledged',
  'coordination_answered',
  'closure_report',
  'reopened',
])

// Every act on an incident, with who and when. A comment may be internal to the author's
// organisation (internalToOrganisationId set) or shared with everyone who sees the incident.
export const incidentTimeline = pgTable(
  'incident_timeline',
  {
    id: id(),
    incidentId: uuid()
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    kind: timelineKind().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid().references(() => users.id),
    actorOrganisationId: uuid().references(() => organisations.id),
    internalToOrganisationId: uuid().references(() => organisations.id),
    body: text(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    // Insertion order: one act can write two entries within the same millisecond (closure
    // report, then the status change), and the timeline must read them in the order they happened.
    seq: bigint({ mode: 'number' }).generatedAlwaysAsIdentity(),
  },
  (t) => [index('incident_timeline_incident_idx').on(t.incidentId, t.at)],
)

export const incidentAttachments = pgTable(
  'incident_attachments',
  {
    id: id(),
    incidentId: uuid()
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    fileName: text().notNull(),
    contentType: text().notNull(),
    size: integer().notNull(),
    sha256: text().notNull(),
    // Generated name under the attachments directory; never derived from user input.
    storageKey: text().notNull(),
    uploadedBy: uuid()
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('incident_attachments_incident_idx').on(t.incidentId)],
)

export const coordinationStatus = pgEnum('coordination_status', ['open', 'acknowledged', 'answered'])

// Lệnh điều phối (Form 06): the national CERT asks a member organisation to act, by a date.
export const coordinationRequests = pgTable(
  'coordination_requests',
  {
    id: id(),
    incidentId: uuid()
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    issuedBy: uuid()
      .notNull()
      .references(() => users.id),
    issuingOrganisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    request: text().notNull(),
    dueAt: timestamp({ withTimezone: true }).notNull(),
    status: coordinationStatus().notNull().default('open'),
    acknowledgedAt: timestamp({ withTimezone: true }),
    acknowledgedBy: uuid().references(() => users.id),
    answer: text(),
    answeredAt: timestamp({ withTimezone: true }),
    answeredBy: uuid().references(() => users.id),
    ...timestamps,
  },
  (t) => [
    index('coordination_requests_incident_idx').on(t.incidentId),
    index('coordination_requests_org_idx').on(t.organisationId, t.status),
  ],
)

// Reminders already sent, so the deadline job never reminds twice for one deadline.
export const incidentReminders = pgTable(
  'incident_reminders',
  {
    incidentId: uuid()
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    sentAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.key] })],
)
