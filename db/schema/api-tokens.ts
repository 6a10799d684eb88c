import { sql } from 'drizzle-orm'
import { check, index, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { createdAt, id } from './columns.ts'
import { users } from './auth.ts'
import { organisations } from './organisations.ts'

// Tokens for machines (a provincial SOC's SIEM pulling indicators, a script filing sightings):
// created by an organisation's admin for the organisation, scoped, expiring, revocable. Only the
// SHA-256 of the token is stored; the token itself is shown once, when it is made.
export const apiTokenScope = pgEnum('api_token_scope', ['indicators:read', 'indicators:write', 'incidents:read'])

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: id(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    name: text().notNull(),
    scopes: apiTokenScope().array().notNull(),
    tokenHash: text().notNull(),
    // The first characters of the token, so an admin can tell tokens apart in the list.
    prefix: text().notNull(),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    revokedBy: uuid().references(() => users.id),
    lastUsedAt: timestamp({ withTimezone: true }),
    lastUsedIp: text(),
  },
  (t) => [
    uniqueIndex('api_tokens_hash_key').on(t.tokenHash),
    index('api_tokens_org_idx').on(t.organisationId, t.createdAt),
    check('api_tokens_scopes', sql`cardinality(${t.scopes}) > 0`),
  ],
)
