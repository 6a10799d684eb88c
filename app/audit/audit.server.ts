import { and, desc, eq, gte, ilike, lt, lte, or, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import type { Executor } from '../../db/client.ts'
import { auditLog, organisations, users } from '../../db/schema/index.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { validate } from '../lib/forms.ts'
import { authorize, visibleAuditWhere } from '../policy/policy.server.ts'

export interface AuditEntryInput {
  action: string
  objectType: string
  objectId?: string | null
  objectOrganisationId?: string | null
  details?: Record<string, unknown>
}

/**
 * The one way to write the audit trail. Call it with the transaction of the act it records,
 * so the act and its entry commit or roll back together.
 */
export async function recordAudit(
  tx: Executor,
  who: { actorUserId: string | null; actorOrganisationId: string | null; ip: string | null },
  entry: AuditEntryInput,
): Promise<void> {
  await tx.insert(auditLog).values({
    actorUserId: who.actorUserId,
    actorOrganisationId: who.actorOrganisationId,
    sourceIp: who.ip,
    action: entry.action,
    objectType: entry.objectType,
    objectId: entry.objectId ?? null,
    objectOrganisationId: entry.objectOrganisationId ?? null,
    details: entry.details ?? null,
  })
}

/** Shorthand for the usual case: the signed-in actor of this request did it. */
export function auditAs(tx: Executor, acting: ActingContext, entry: AuditEntryInput) {
  return recordAudit(
    tx,
    { actorUserId: acting.actor.userId, actorOrganisationId: acting.actor.organisationId, ip: acting.ip },
    entry,
  )
}

export interface AuditFilter {
  /** Prefix of the action name, e.g. "user." or "auth.login". */
  action?: string
  objectType?: string
  /** Entries by or on this organisation. */
  organisationId?: string
  /** Inclusive lower bound. */
  from?: Date
  /** Inclusive upper bound. */
  to?: Date
  /** Exclusive upper bound (the start of the day after a "to" date). */
  until?: Date
  /** Keyset cursor: entries with id below this. */
  before?: number
  limit?: number
}

const actorOrg = alias(organisations, 'actor_org')
const objectOrg = alias(organisations, 'object_org')

/**
 * The trail the actor may read (visibleAuditWhere), newest first, a page at a time, with the
 * actor's name and both organisations' names joined in.
 */
export async function listAuditEntries(acting: ActingContext, filter: AuditFilter) {
  authorize(acting.actor, { action: 'audit.view' })
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 50), 1), 200)
  const conditions: (SQL | undefined)[] = [visibleAuditWhere(acting.actor)]
  if (filter.action) conditions.push(ilike(auditLog.action, `${filter.action.replace(/[%_\\]/g, '\\$&')}%`))
  if (filter.objectType) conditions.push(eq(auditLog.objectType, filter.objectType))
  if (filter.organisationId) {
    conditions.push(or(eq(auditLog.actorOrganisationId, filter.organisationId), eq(auditLog.objectOrganisationId, filter.organisationId)))
  }
  if (filter.from) conditions.push(gte(auditLog.at, filter.from))
  if (filter.to) conditions.push(lte(auditLog.at, filter.to))
  if (filter.until) conditions.push(lt(auditLog.at, filter.until))
  if (filter.before) conditions.push(lt(auditLog.id, filter.before))
  const rows = await acting.services.db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      objectType: auditLog.objectType,
      objectId: auditLog.objectId,
      objectOrganisationId: auditLog.objectOrganisationId,
      objectOrganisationName: objectOrg.shortName,
      actorUserId: auditLog.actorUserId,
      actorName: users.name,
      actorEmail: users.email,
      actorOrganisationId: auditLog.actorOrganisationId,
      actorOrganisationName: actorOrg.shortName,
      sourceIp: auditLog.sourceIp,
      details: auditLog.details,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .leftJoin(actorOrg, eq(actorOrg.id, auditLog.actorOrganisationId))
    .leftJoin(objectOrg, eq(objectOrg.id, auditLog.objectOrganisationId))
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1)
  const page = rows.slice(0, limit)
  return { entries: page, nextBefore: rows.length > limit ? page[page.length - 1]?.id : undefined }
}

// ---------------------------------------------------------------------------------------------
// The audit viewer's filter form

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)
const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'validation.date')
  .refine((v) => {
    const [y, m, d] = v.split('-').map(Number) as [number, number, number]
    const date = new Date(Date.UTC(y, m - 1, d))
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
  }, 'validation.date')

export const AuditQuerySchema = z.object({
  action: z.preprocess(blankToUndefined, z.string().trim().max(100, 'validation.tooLong').optional()),
  objectType: z.preprocess(blankToUndefined, z.string().trim().max(60, 'validation.tooLong').optional()),
  organisationId: z.preprocess(blankToUndefined, z.uuid('validation.invalid').optional()),
  from: z.preprocess(blankToUndefined, calendarDay.optional()),
  to: z.preprocess(blankToUndefined, calendarDay.optional()),
  before: z.preprocess(
    blankToUndefined,
    z.coerce.number('validation.invalid').int('validation.invalid').positive('validation.invalid').max(Number.MAX_SAFE_INTEGER, 'validation.invalid').optional(),
  ),
})

/** The UTC instant at which a calendar day (YYYY-MM-DD) begins in a time zone. */
export function startOfDayInZone(day: string, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const asUtc = Date.UTC(y, m - 1, d)
  // Correct by the zone's offset, then once more in case the offset differs at the result
  // (a daylight-saving change on that day); Asia/Ho_Chi_Minh has none, other readers' zones may.
  let instant = asUtc - zoneOffsetMs(new Date(asUtc), timeZone)
  instant = asUtc - zoneOffsetMs(new Date(instant), timeZone)
  return new Date(instant)
}

function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at)
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return wall - Math.floor(at.getTime() / 1000) * 1000
}

/**
 * The audit viewer: checks the right to read the trail first (so a reporter gets 403 whatever
 * the query), then reads the query string — dates as calendar days in the viewer's zone, "to"
 * inclusive — and lists. Bad input is a validation error with field errors, never a 500.
 */
export async function searchAuditLog(acting: ActingContext, input: unknown, timeZone: string) {
  authorize(acting.actor, { action: 'audit.view' })
  const query = validate(AuditQuerySchema, input)
  if (query.from && query.to && query.from > query.to) {
    throw new DomainError('validation', 'errors.validation', { fieldErrors: { to: ['admin.audit.errors.dateRange'] } })
  }
  const nextDay = (day: string) => {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number]
    return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10)
  }
  return listAuditEntries(acting, {
    action: query.action,
    objectType: query.objectType,
    organisationId: query.organisationId,
    from: query.from ? startOfDayInZone(query.from, timeZone) : undefined,
    until: query.to ? startOfDayInZone(nextDay(query.to), timeZone) : undefined,
    before: query.before,
  })
}
