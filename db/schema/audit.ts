import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

// Append-only record of every state change and every sensitive read (exports, evidence
// downloads). Written by one helper (app/audit/audit.server.ts) inside the same transaction
// as the act it records, so an act without its entry cannot commit.
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid(),
    actorOrganisationId: uuid(),
    action: text().notNull(),
    objectType: text().notNull(),
    objectId: text(),
    // The organisation the object belongs to, so an organisation admin can read its own trail.
    objectOrganisationId: uuid(),
    sourceIp: text(),
    details: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_org_idx').on(t.actorOrganisationId, t.at),
    index('audit_log_object_org_idx').on(t.objectOrganisationId, t.at),
    index('audit_log_action_idx').on(t.action, t.at),
  ],
)
