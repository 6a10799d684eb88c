import { asc, eq } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { drillOrganisations, drills, drillSessions } from '../../db/schema/index.ts'
import type { ActingContext, Services } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { emitEvent } from '../notifications/emit.server.ts'
import type { EventType } from '../notifications/event-types.ts'
import type { DrillAudience } from '../notifications/recipients.server.ts'
import { canSeeDrill, type DrillFacts } from '../policy/policy.server.ts'

// Shared by the drill modules: load a drill with the facts the policy needs, refuse what the
// actor may not see with a 404 (never a 403: a draft's existence does not leak).

export type DrillRow = typeof drills.$inferSelect

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function parseDrillId(raw: unknown): string {
  if (typeof raw !== 'string' || !UUID.test(raw)) throw new DomainError('not_found')
  return raw
}

export function drillFactsOf(row: DrillRow, listedOrganisationIds: string[], startsAt: Date | null): DrillFacts {
  return {
    id: row.id,
    status: row.status,
    level: row.level,
    tlp: row.tlp,
    scope: row.scope,
    organiserOrganisationId: row.organiserOrganisationId,
    clusterId: row.clusterId,
    listedOrganisationIds,
    rolesOffered: row.rolesOffered,
    registrationOpensAt: row.registrationOpensAt,
    registrationClosesAt: row.registrationClosesAt,
    startsAt,
    scenarioConfidential: row.scenarioConfidential,
  }
}

export async function loadDrillFacts(db: Executor, id: string): Promise<{ row: DrillRow; facts: DrillFacts } | null> {
  if (!UUID.test(id)) return null
  const [row] = await db.select().from(drills).where(eq(drills.id, id))
  if (!row) return null
  const listed = await db.select({ id: drillOrganisations.organisationId }).from(drillOrganisations).where(eq(drillOrganisations.drillId, id))
  const [first] = await db
    .select({ startsAt: drillSessions.startsAt })
    .from(drillSessions)
    .where(eq(drillSessions.drillId, id))
    .orderBy(asc(drillSessions.startsAt))
    .limit(1)
  return { row, facts: drillFactsOf(row, listed.map((l) => l.id), first?.startsAt ?? null) }
}

/** The drill if the actor may see it; otherwise a 404, whatever the reason. */
export async function getVisibleDrill(acting: ActingContext, rawId: unknown, db: Executor = acting.services.db) {
  const loaded = await loadDrillFacts(db, parseDrillId(rawId))
  if (!loaded || !canSeeDrill(acting.actor, loaded.facts)) throw new DomainError('not_found')
  return loaded
}

/**
 * Locks the drill's row for the rest of the transaction, then loads it if visible. Every act that
 * changes who holds a place (sign-up, cancellation, approval, promotion) takes this lock first, so
 * such acts on one drill run one after another and the capacity count cannot go stale in between.
 */
export async function lockVisibleDrill(tx: Executor, acting: ActingContext, rawId: unknown) {
  const id = parseDrillId(rawId)
  await tx.select({ id: drills.id }).from(drills).where(eq(drills.id, id)).for('update')
  return getVisibleDrill(acting, id, tx)
}

export type DrillEventType = Extract<EventType, `drill.${string}`>

/** Records a drill event in the act's transaction (payload: ids and display facts only). */
export async function emitDrillEvent(
  tx: Executor,
  acting: ActingContext,
  row: DrillRow,
  type: DrillEventType,
  audience: DrillAudience,
  extra: Record<string, string> = {},
) {
  await emitDrillEventBy(tx, acting.services, acting.actor.userId, row, type, audience, extra)
}

/** The same, for events nobody in particular caused (the worker's reminders: actor null). */
export async function emitDrillEventBy(
  tx: Executor,
  services: Services,
  actorUserId: string | null,
  row: DrillRow,
  type: DrillEventType,
  audience: DrillAudience,
  extra: Record<string, string> = {},
) {
  await emitEvent(tx, services, {
    type,
    objectType: 'drill',
    objectId: row.id,
    organisationId: row.organiserOrganisationId,
    actorUserId,
    tlp: row.tlp,
    payload: { drillId: row.id, title: row.title, link: `/drills/${row.id}`, audience, ...extra },
  })
}
