import { sql } from 'drizzle-orm'
import { boolean, check, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { id, timestamps } from './columns.ts'
import { users } from './auth.ts'

// Warninglists added by administrators, beside the shipped ones (app/iocs/warninglists.json):
// known-benign values of the network's own (a province's mail gateway, its public resolvers)
// that should warn on import rather than correlate. Values are stored canonical.
export const warninglistMatch = pgEnum('warninglist_match', ['exact', 'cidr', 'hostname'])

export const customWarninglists = pgTable(
  'custom_warninglists',
  {
    id: id(),
    name: text().notNull(),
    description: text().notNull().default(''),
    match: warninglistMatch().notNull(),
    values: text().array().notNull(),
    active: boolean().notNull().default(true),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    ...timestamps,
  },
  (t) => [uniqueIndex('custom_warninglists_name_key').on(sql`lower(${t.name})`), check('custom_warninglists_values', sql`cardinality(${t.values}) > 0`)],
)
