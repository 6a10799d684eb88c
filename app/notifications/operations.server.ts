import { and, asc, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { deliveries, deliveryStatus, users } from '../../db/schema/index.ts'
import { QUEUES, type JobName } from '../../workers/registry.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { validate } from '../lib/forms.ts'
import { authorize } from '../policy/policy.server.ts'

// Operating the notification pipeline: queue depth, delivery outcomes, retrying what failed,
// and the outbox (what would have been mailed when no SMTP server is configured). All of it
// is for system administrators only (policy `notifications.operate`): messages can hold
// one-time links, so reading a stored message is itself audited.

export type DeliveryStatus = (typeof deliveryStatus.enumValues)[number]
export const DELIVERY_STATUSES = deliveryStatus.enumValues

/** "Retry all" re-enqueues at most this many per click, so one request stays short. */
export const RETRY_ALL_BATCH = 500

export interface QueueDepth {
  name: JobName
  deferred: number
  queued: number
  active: number
  failed: number
  capturedOn: Date
}

/** Jobs per queue as pg-boss counts them (a fresh reading, at most a minute old). */
async function queueDepths(acting: ActingContext): Promise<(QueueDepth | { name: JobName; unavailable: true })[]> {
  const boss = acting.services.jobs.boss
  const names = Object.keys(QUEUES) as JobName[]
  return Promise.all(
    names.map(async (name) => {
      try {
        const [stats] = await boss.getQueueStats(name, { force: true, limit: 1 })
        if (!stats) return { name, unavailable: true as const }
        return {
          name,
          deferred: stats.deferredCount,
          queued: stats.queuedCount,
          active: stats.activeCount,
          failed: stats.failedCount,
          capturedOn: new Date(stats.capturedOn),
        }
      } catch (error) {
        // One queue the job system cannot count must not hide the rest of the dashboard.
        console.error(JSON.stringify({ level: 'error', msg: 'queue stats unavailable', queue: name, error: String(error).replace(/[\r\n]+/g, ' ') }))
        return { name, unavailable: true as const }
      }
    }),
  )
}

async function deliveryCounts(acting: ActingContext): Promise<Record<DeliveryStatus, number>> {
  const rows = await acting.services.db.select({ status: deliveries.status, n: count() }).from(deliveries).groupBy(deliveries.status)
  const out = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>
  for (const row of rows) out[row.status] = row.n
  return out
}

/** The operations dashboard: queues, deliveries by status, and the most recent failures. */
export async function getOperationsOverview(acting: ActingContext, opts: { failedLimit?: number } = {}) {
  authorize(acting.actor, { action: 'notifications.operate' })
  const failed = await acting.services.db
    .select({
      id: deliveries.id,
      failedAt: deliveries.failedAt,
      createdAt: deliveries.createdAt,
      toAddress: deliveries.toAddress,
      eventType: deliveries.eventType,
      kind: deliveries.kind,
      attempts: deliveries.attempts,
      lastError: deliveries.lastError,
    })
    .from(deliveries)
    .where(eq(deliveries.status, 'failed'))
    .orderBy(sql`${deliveries.failedAt} desc nulls last`, desc(deliveries.createdAt))
    .limit(Math.min(Math.max(opts.failedLimit ?? 50, 1), 200))
  return {
    mailerMode: acting.services.mailer.mode,
    queues: await queueDepths(acting),
    counts: await deliveryCounts(acting),
    failed,
  }
}

const idOrNotFound = (id: unknown): string => {
  const parsed = z.uuid().safeParse(id)
  if (!parsed.success) throw new DomainError('not_found')
  return parsed.data
}

const backToPending = { status: 'pending' as const, lastError: null, failedAt: null, leaseUntil: null }

/**
 * Sends a failed delivery again: back to pending (attempts kept, as a record of what it took)
 * and a new send job, in one transaction with the audit entry.
 */
export async function retryDelivery(acting: ActingContext, deliveryId: unknown) {
  authorize(acting.actor, { action: 'notifications.operate' })
  const id = idOrNotFound(deliveryId)
  return acting.services.db.transaction(async (tx) => {
    const [row] = await tx
      .update(deliveries)
      .set(backToPending)
      .where(and(eq(deliveries.id, id), eq(deliveries.status, 'failed')))
      .returning({ id: deliveries.id, userId: deliveries.userId, eventType: deliveries.eventType, attempts: deliveries.attempts })
    if (!row) {
      const [exists] = await tx.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.id, id))
      throw exists ? new DomainError('conflict', 'notifications.operations.notFailed') : new DomainError('not_found')
    }
    await acting.services.jobs.enqueue(tx, 'email.send', { deliveryId: row.id })
    const [recipient] = await tx.select({ organisationId: users.organisationId }).from(users).where(eq(users.id, row.userId))
    await auditAs(tx, acting, {
      action: 'notifications.delivery_retried',
      objectType: 'delivery',
      objectId: row.id,
      objectOrganisationId: recipient?.organisationId ?? null,
      details: { eventType: row.eventType, attempts: row.attempts },
    })
    return { id: row.id }
  })
}

/** Retries the oldest failed deliveries, up to RETRY_ALL_BATCH, as one audited act. */
export async function retryAllFailed(acting: ActingContext) {
  authorize(acting.actor, { action: 'notifications.operate' })
  return acting.services.db.transaction(async (tx) => {
    const batch = await tx
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(eq(deliveries.status, 'failed'))
      .orderBy(asc(deliveries.failedAt), asc(deliveries.id))
      .limit(RETRY_ALL_BATCH)
      .for('update', { skipLocked: true })
    if (batch.length === 0) return { retried: 0 }
    const rows = await tx
      .update(deliveries)
      .set(backToPending)
      .where(and(inArray(deliveries.id, batch.map((b) => b.id)), eq(deliveries.status, 'failed')))
      .returning({ id: deliveries.id })
    for (const row of rows) await acting.services.jobs.enqueue(tx, 'email.send', { deliveryId: row.id })
    await auditAs(tx, acting, {
      action: 'notifications.delivery_retried',
      objectType: 'delivery',
      details: { all: true, count: rows.length, deliveryIds: rows.map((r) => r.id) },
    })
    return { retried: rows.length }
  })
}

// ---------------------------------------------------------------------------------------------
// The outbox

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)
export const OutboxQuerySchema = z.object({ before: z.preprocess(blankToUndefined, z.uuid('validation.invalid').optional()) })

/**
 * Stored messages, newest first, a page at a time (cursor: the last id shown). Only listed in
 * outbox mode; with SMTP configured, mail leaves the system and there is nothing to show.
 */
export async function listOutbox(acting: ActingContext, query: unknown = {}, limit = 50) {
  authorize(acting.actor, { action: 'notifications.operate' })
  const { before } = validate(OutboxQuerySchema, query)
  const mode = acting.services.mailer.mode
  if (mode !== 'outbox') return { mode, items: [], nextBefore: undefined }
  const conditions: SQL[] = [eq(deliveries.status, 'stored')]
  if (before) {
    conditions.push(
      sql`(${deliveries.createdAt}, ${deliveries.id}) < (select d.created_at, d.id from ${deliveries} d where d.id = ${before})`,
    )
  }
  const rows = await acting.services.db
    .select({
      id: deliveries.id,
      toAddress: deliveries.toAddress,
      subject: deliveries.subject,
      eventType: deliveries.eventType,
      kind: deliveries.kind,
      createdAt: deliveries.createdAt,
      storedAt: deliveries.sentAt,
    })
    .from(deliveries)
    .where(and(...conditions))
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(limit + 1)
  const items = rows.slice(0, limit)
  return { mode, items, nextBefore: rows.length > limit ? items[items.length - 1]?.id : undefined }
}

/**
 * One stored message's plain-text body. The HTML body is never returned: partner-supplied text
 * rendered as HTML is how stored XSS gets in, and the text says the same. Reading it is a
 * sensitive read (it may hold a one-time link), so it is audited.
 */
export async function readOutboxMessage(acting: ActingContext, deliveryId: unknown) {
  authorize(acting.actor, { action: 'notifications.operate' })
  const id = idOrNotFound(deliveryId)
  return acting.services.db.transaction(async (tx) => {
    const [message] = await tx
      .select({
        id: deliveries.id,
        toAddress: deliveries.toAddress,
        subject: deliveries.subject,
        textBody: deliveries.textBody,
        eventType: deliveries.eventType,
        kind: deliveries.kind,
        createdAt: deliveries.createdAt,
        storedAt: deliveries.sentAt,
        organisationId: users.organisationId,
      })
      .from(deliveries)
      .leftJoin(users, eq(users.id, deliveries.userId))
      .where(and(eq(deliveries.id, id), eq(deliveries.status, 'stored')))
    if (!message) throw new DomainError('not_found')
    await auditAs(tx, acting, {
      action: 'notifications.outbox_viewed',
      objectType: 'delivery',
      objectId: message.id,
      objectOrganisationId: message.organisationId,
      details: { eventType: message.eventType, to: message.toAddress },
    })
    const { organisationId: _organisationId, ...shown } = message
    return shown
  })
}
