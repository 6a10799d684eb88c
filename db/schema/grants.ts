import { sql } from 'drizzle-orm'
import { check, index, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { createdAt, id } from './columns.ts'
import { users } from './auth.ts'
import { organisations } from './organisations.ts'

// Explicit access beyond what a TLP label grants by itself: the named recipients of a TLP:RED
// item (a user) and organisations added by an act such as escalation to the national CERT
// (an organisation). The policy module reads this table; nothing else decides visibility.
export const accessGrants = pgTable(
  'access_grants',
  {
    id: id(),
    objectType: text().notNull(),
    objectId: uuid().notNull(),
    granteeOrganisationId: uuid().references(() => organisations.id),
    granteeUserId: uuid().references(() => users.id),
    reason: text().notNull(),
    grantedBy: uuid().references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('access_grants_object_idx').on(t.objectType, t.objectId),
    index('access_grants_org_idx').on(t.granteeOrganisationId),
    index('access_grants_user_idx').on(t.granteeUserId),
    check(
      'access_grants_one_grantee',
      sql`(${t.granteeOrganisationId} is null) <> (${t.granteeUserId} is null)`,
    ),
  ],
)

// TLP 2.0 labels (FIRST). Never translated; stored exactly as FIRST writes them.
export const TLP_LABELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const
export type TlpLabel = (typeof TLP_LABELS)[number]
export const tlpLabel = pgEnum('tlp_label', TLP_LABELS)
