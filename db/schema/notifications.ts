import { index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { createdAt, id } from './columns.ts'
import { users } from './auth.ts'
import { organisations } from './organisations.ts'
import { tlpLabel } from './grants.ts'

// A domain event ("this happened, in this transaction"). Written by the domain operation together
// with the job that fans it out, so a rolled-back act notifies nobody and a committed one is
// never forgotten. Payloads carry ids and small facts, never content beyond what the TLP allows.
export const notificationEvents = pgTable(
  'notification_events',
  {
    id: id(),
    type: text().notNull(),
    objectType: text().notNull(),
    objectId: text(),
    organisationId: uuid().references(() => organisations.id),
    actorUserId: uuid().references(() => users.id),
    tlp: tlpLabel(),
    // Ids and display facts for the templates. `sealed` holds secrets (e.g. an invitation token)
    // encrypted with SESSION_SECRET; they are wiped once every delivery is settled.
    payload: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    sealed: text(),
    createdAt: createdAt(),
    fannedOutAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('notification_events_created_idx').on(t.createdAt)],
)

// The in-app notification centre: one row per (event, recipient).
export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    eventId: uuid()
      .notNull()
      .references(() => notificationEvents.id, { onDelete: 'cascade' }),
    type: text().notNull(),
    link: text(),
    params: jsonb().$type<Record<string, string>>().notNull().default({}),
    readAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('notifications_event_user_key').on(t.eventId, t.userId),
    index('notifications_user_unread_idx').on(t.userId, t.readAt, t.createdAt),
  ],
)

export const deliveryStatus = pgEnum('delivery_status', [
  'pending', // waiting for the send job
  'sending', // claimed by a worker (lease in leaseUntil)
  'sent', // accepted by the SMTP server
  'stored', // no SMTP configured: kept for the admin outbox
  'failed', // gave up after the last retry; an admin may retry
  'digest', // waiting for the recipient's daily digest
  'collapsed', // folded into a summary by flood control
  'digested', // included in a sent digest
])

// One email to one recipient. The idempotency key makes a retried or duplicated fan-out create
// the same delivery again (a no-op), and the claim-by-update on status makes a duplicated send
// job a no-op: one message per (event, recipient, channel).
export const deliveries = pgTable(
  'deliveries',
  {
    id: id(),
    idempotencyKey: text().notNull(),
    eventId: uuid().references(() => notificationEvents.id, { onDelete: 'set null' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    eventType: text().notNull(),
    channel: text().notNull().default('email'),
    status: deliveryStatus().notNull().default('pending'),
    // What kind of message: 'event', 'summary' (flood control), 'digest'.
    kind: text().notNull().default('event'),
    // For summaries and digests: the deliveries they stand for.
    coveredDeliveryIds: jsonb().$type<string[]>(),
    toAddress: text().notNull(),
    locale: text().notNull().default('vi'),
    subject: text(),
    textBody: text(),
    htmlBody: text(),
    messageId: text().notNull(),
    attempts: integer().notNull().default(0),
    lastError: text(),
    leaseUntil: timestamp({ withTimezone: true }),
    sendAfter: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    sentAt: timestamp({ withTimezone: true }),
    failedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex('deliveries_idempotency_key').on(t.idempotencyKey),
    index('deliveries_status_idx').on(t.status, t.createdAt),
    index('deliveries_user_type_idx').on(t.userId, t.eventType, t.createdAt),
  ],
)

export const deliveryMode = pgEnum('delivery_mode', ['immediate', 'digest', 'in_app'])

// Per-user choice per event type; organisation admins set defaults for their organisation.
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    eventType: text().notNull(),
    mode: deliveryMode().notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.eventType] })],
)

export const organisationNotificationDefaults = pgTable(
  'organisation_notification_defaults',
  {
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    eventType: text().notNull(),
    mode: deliveryMode().notNull(),
  },
  (t) => [primaryKey({ columns: [t.organisationId, t.eventType] })],
)

