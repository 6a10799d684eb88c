import { sql } from 'drizzle-orm'
import { bigint, boolean, check, date, index, integer, jsonb, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { createdAt, id, timestamps } from './columns.ts'
import { users } from './auth.ts'
import { tlpLabel } from './grants.ts'
import { clusters, organisations } from './organisations.ts'

// Joint drills and trainings (diễn tập, tập huấn), issue 6 and NIST SP 800-84: a drill is
// organised by one organisation at a level, invites organisations, and takes registrations up
// to a capacity with a waitlist. The organisations and clusters involved are rows, never enums.

export const drillKind = pgEnum('drill_kind', ['tabletop', 'live_fire', 'ctf', 'training'])
export const drillLevel = pgEnum('drill_level', ['organisation', 'cluster', 'national', 'international'])
export const drillStatus = pgEnum('drill_status', ['draft', 'published', 'registration_closed', 'in_progress', 'completed', 'cancelled'])
// Who is invited: the organiser alone (an internal drill), the members of a cluster as they are
// on the day (membership changes), the whole network, or the organisations listed in drill_organisations.
export const drillScope = pgEnum('drill_scope', ['organisation', 'cluster', 'network', 'list'])
// NIST SP 800-84 roles, with red and blue teams for live-fire exercises.
export const drillRole = pgEnum('drill_role', ['participant', 'observer', 'red_team', 'blue_team', 'controller', 'evaluator'])
export const drillRegistrationStatus = pgEnum('drill_registration_status', ['confirmed', 'waitlisted', 'pending_approval', 'cancelled'])
// Whether a confirmed registrant came; unmarked (null) until an organiser says.
export const drillAttendance = pgEnum('drill_attendance', ['attended', 'absent'])

export const drills = pgTable(
  'drills',
  {
    id: id(),
    title: text().notNull(),
    kind: drillKind().notNull(),
    level: drillLevel().notNull(),
    description: text().notNull().default(''),
    scenario: text().notNull().default(''),
    objectives: text().notNull().default(''),
    // A tabletop or live-fire scenario known in advance is no exercise: only the organisers read
    // it until the drill starts. A training course's programme may be public from the start.
    scenarioConfidential: boolean().notNull().default(true),
    venue: text(),
    onlineUrl: text(),
    tlp: tlpLabel().notNull().default('GREEN'),
    status: drillStatus().notNull().default('draft'),
    organiserOrganisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    // The cluster of a cluster-level drill, and the invited cluster when scope is 'cluster'.
    clusterId: uuid().references(() => clusters.id),
    scope: drillScope().notNull(),
    capacity: integer().notNull(),
    perOrganisationCapacity: integer(),
    rolesOffered: drillRole().array().notNull(),
    registrationOpensAt: timestamp({ withTimezone: true }).notNull(),
    registrationClosesAt: timestamp({ withTimezone: true }).notNull(),
    requiresApproval: boolean().notNull().default(false),
    // iCalendar SEQUENCE (RFC 5545 §3.8.7.4): raised on every change of time or place, so that
    // calendars replace the invitation they hold instead of adding a second one.
    sequence: integer().notNull().default(0),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    publishedAt: timestamp({ withTimezone: true }),
    cancelledAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('drills_status_idx').on(t.status, t.registrationClosesAt),
    index('drills_organiser_idx').on(t.organiserOrganisationId),
    index('drills_cluster_idx').on(t.clusterId),
    check('drills_capacity', sql`${t.capacity} > 0`),
    check('drills_per_organisation_capacity', sql`${t.perOrganisationCapacity} is null or ${t.perOrganisationCapacity} > 0`),
    check('drills_registration_window', sql`${t.registrationClosesAt} > ${t.registrationOpensAt}`),
    check('drills_cluster_scope', sql`${t.scope} <> 'cluster' or ${t.clusterId} is not null`),
    check('drills_roles_offered', sql`cardinality(${t.rolesOffered}) > 0`),
  ],
)

// A drill may run over several sessions (e.g. two mornings); times are instants in UTC.
export const drillSessions = pgTable(
  'drill_sessions',
  {
    id: id(),
    drillId: uuid()
      .notNull()
      .references(() => drills.id, { onDelete: 'cascade' }),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    endsAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('drill_sessions_drill_idx').on(t.drillId, t.startsAt), check('drill_sessions_order', sql`${t.endsAt} > ${t.startsAt}`)],
)

// The invited organisations of a drill whose scope is 'list'.
export const drillOrganisations = pgTable(
  'drill_organisations',
  {
    drillId: uuid()
      .notNull()
      .references(() => drills.id, { onDelete: 'cascade' }),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.drillId, t.organisationId] }), index('drill_organisations_org_idx').on(t.organisationId)],
)

export const drillRegistrations = pgTable(
  'drill_registrations',
  {
    id: id(),
    drillId: uuid()
      .notNull()
      .references(() => drills.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    role: drillRole().notNull(),
    status: drillRegistrationStatus().notNull(),
    // Order of arrival, the waitlist's order: allocated under the drill's row lock, so it is the
    // order in which sign-ups were decided (timestamps can tie).
    position: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    registeredBy: uuid()
      .notNull()
      .references(() => users.id),
    confirmedAt: timestamp({ withTimezone: true }),
    cancelledAt: timestamp({ withTimezone: true }),
    // Attendance, marked by an organiser from the start of the drill (issue 6, "during and after").
    attendance: drillAttendance(),
    attendanceMarkedBy: uuid().references(() => users.id),
    attendanceMarkedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    // One live registration per person and drill; a cancelled one may be followed by a new one.
    uniqueIndex('drill_registrations_live_key').on(t.drillId, t.userId).where(sql`${t.status} <> 'cancelled'`),
    index('drill_registrations_drill_idx').on(t.drillId, t.status, t.position),
    index('drill_registrations_user_idx').on(t.userId),
  ],
)

// Reminders already sent (registration closing, 7 days and 1 day before the start), so the
// reminder job never sends one twice however often it runs. The key names the reminder and the
// instant it is about ("starts:7d:<first session start>"): a rescheduled drill is reminded again
// for its new time.
export const drillReminders = pgTable(
  'drill_reminders',
  {
    drillId: uuid()
      .notNull()
      .references(() => drills.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    sentAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.drillId, t.key] })],
)

// ---------------------------------------------------------------------------------------------
// During and after a drill (NIST SP 800-84 "evaluate"): observations and scores recorded by the
// organisers and evaluators, the after-action report, and its action items tracked to done.

export const drillObservations = pgTable(
  'drill_observations',
  {
    id: id(),
    drillId: uuid()
      .notNull()
      .references(() => drills.id, { onDelete: 'cascade' }),
    // The objective observed, as its text read from the drill's objectives when recorded: the
    // objectives are free text, so an index would point elsewhere after an edit.
    objective: text(),
    // The participating organisation observed, if the observation is about one.
    organisationId: uuid().references(() => organisations.id),
    score: smallint(),
    text: text().notNull(),
    recordedBy: uuid()
      .notNull()
      .references(() => users.id),
    recordedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    index('drill_observations_drill_idx').on(t.drillId, t.recordedAt),
    check('drill_observations_score', sql`${t.score} is null or ${t.score} between 1 and 5`),
  ],
)

export const drillReportStatus = pgEnum('drill_report_status', ['draft', 'published'])

/** Per objective: met, partly met or not met (the report's "objectives met"). */
export type ObjectiveAssessment = { objective: string; result: 'met' | 'partly' | 'not_met' }

// One after-action report per drill, a draft for the organisers until it is published.
export const drillReports = pgTable('drill_reports', {
  drillId: uuid()
    .primaryKey()
    .references(() => drills.id, { onDelete: 'cascade' }),
  status: drillReportStatus().notNull().default('draft'),
  objectivesMet: text().notNull().default(''),
  objectiveAssessments: jsonb().$type<ObjectiveAssessment[]>().notNull().default([]),
  observationsSummary: text().notNull().default(''),
  recommendations: text().notNull().default(''),
  createdBy: uuid()
    .notNull()
    .references(() => users.id),
  updatedBy: uuid()
    .notNull()
    .references(() => users.id),
  publishedAt: timestamp({ withTimezone: true }),
  publishedBy: uuid().references(() => users.id),
  ...timestamps,
})

export const drillActionItems = pgTable(
  'drill_action_items',
  {
    id: id(),
    drillId: uuid()
      .notNull()
      .references(() => drills.id, { onDelete: 'cascade' }),
    description: text().notNull(),
    ownerOrganisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    // A calendar date in Asia/Ho_Chi_Minh: "due by 30 June" is a day, not an instant.
    dueOn: date().notNull(),
    doneAt: timestamp({ withTimezone: true }),
    doneBy: uuid().references(() => users.id),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    ...timestamps,
  },
  (t) => [index('drill_action_items_drill_idx').on(t.drillId, t.dueOn), index('drill_action_items_owner_idx').on(t.ownerOrganisationId)],
)

// A person's calendar feed of their drills (/calendar/<token>.ics), read by calendar apps that
// carry no session. The URL's random token is the credential; the table holds only its SHA-256,
// as with sessions (auth.ts), so a leaked table opens no feed. One per person: rotating replaces it.
export const calendarFeedTokens = pgTable(
  'calendar_feed_tokens',
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('calendar_feed_tokens_hash_key').on(t.tokenHash), uniqueIndex('calendar_feed_tokens_user_key').on(t.userId)],
)
