import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { createdAt, id, timestamps } from './columns.ts'
import { organisations } from './organisations.ts'

// reporter / responder / org_admin belong to any organisation; cert_analyst only to the
// national CERT; sysadmin runs the installation. See docs/decisions/004-visibility-rules.md.
export const userRole = pgEnum('user_role', ['reporter', 'responder', 'org_admin', 'cert_analyst', 'sysadmin'])
export const userStatus = pgEnum('user_status', ['invited', 'active', 'deactivated'])

export const users = pgTable(
  'users',
  {
    id: id(),
    // Stored lowercased; the unique index makes "one account per address" hold under races.
    email: text().notNull(),
    name: text().notNull(),
    title: text(),
    phone: text(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    role: userRole().notNull().default('reporter'),
    status: userStatus().notNull().default('invited'),
    locale: text(),
    timeZone: text().notNull().default('Asia/Ho_Chi_Minh'),
    passwordHash: text(),
    passwordChangedAt: timestamp({ withTimezone: true }),
    lastLoginAt: timestamp({ withTimezone: true }),
    deactivatedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex('users_email_key').on(t.email), index('users_org_idx').on(t.organisationId)],
)

// Sessions as Lucia's current guidance describes: the cookie holds a random token, the table
// holds only its SHA-256, so a leaked table cannot be replayed.
export const sessions = pgTable(
  'sessions',
  {
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    // Sliding (idle) expiry, pushed forward on use; absolute expiry never moves.
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    absoluteExpiresAt: timestamp({ withTimezone: true }).notNull(),
    ip: text(),
    userAgent: text(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
)

export const accountTokenPurpose = pgEnum('account_token_purpose', ['invitation', 'password_reset'])

// One-time links (invitation, password reset). Only the hash is stored.
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: id(),
    tokenHash: text().notNull(),
    purpose: accountTokenPurpose().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdBy: uuid().references(() => users.id),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('account_tokens_hash_key').on(t.tokenHash), index('account_tokens_user_idx').on(t.userId)],
)

// Failed-login counters, per account and per source IP, in the database so that every web
// instance sees the same counts.
export const loginThrottle = pgTable('login_throttle', {
  key: text().primaryKey(),
  failures: integer().notNull().default(0),
  windowStartedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  blockedUntil: timestamp({ withTimezone: true }),
  ...timestamps,
})

