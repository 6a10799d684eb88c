import { and, eq } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { accessGrants, indicators } from '../../db/schema/index.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { canSeeIndicator, type IndicatorFacts } from '../policy/policy.server.ts'

// Load an indicator with the facts the policy needs; what the actor may not see is a 404 (never a
// 403: existence does not leak).

export type IndicatorRow = typeof indicators.$inferSelect

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export async function loadIndicatorFacts(db: Executor, id: string): Promise<{ row: IndicatorRow; facts: IndicatorFacts } | null> {
  if (!UUID.test(id)) return null
  const [row] = await db.select().from(indicators).where(eq(indicators.id, id))
  if (!row) return null
  const grants = await db
    .select({ userId: accessGrants.granteeUserId, organisationId: accessGrants.granteeOrganisationId })
    .from(accessGrants)
    .where(and(eq(accessGrants.objectType, 'indicator'), eq(accessGrants.objectId, id)))
  return {
    row,
    facts: {
      id: row.id,
      tlp: row.tlp,
      sourceOrganisationId: row.sourceOrganisationId,
      createdBy: row.createdBy,
      grantedUserIds: grants.flatMap((g) => (g.userId ? [g.userId] : [])),
      grantedOrganisationIds: grants.flatMap((g) => (g.organisationId ? [g.organisationId] : [])),
    },
  }
}

export async function getVisibleIndicator(acting: ActingContext, id: string, db: Executor = acting.services.db) {
  const loaded = await loadIndicatorFacts(db, id)
  if (!loaded || !canSeeIndicator(acting.actor, loaded.facts)) throw new DomainError('not_found')
  return loaded
}
