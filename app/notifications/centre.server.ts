import { and, count, desc, eq, isNull, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { notifications } from '../../db/schema/index.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { validate } from '../lib/forms.ts'

// The in-app notification centre. Every query here is scoped to the signed-in user's own rows
// in SQL (`user_id = actor`), so another user's notification id behaves as if it did not exist.
//
// Marking as read writes no audit entry: read/unread is the user's personal view state, not an
// act on shared data, and the audit trail would otherwise fill with one row per click.

export interface NotificationItem {
  id: string
  type: string
  /** A path inside the app, or null when the notification has nowhere to go. */
  link: string | null
  params: Record<string, string>
  readAt: Date | null
  createdAt: Date
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

export const CentreQuerySchema = z.object({
  before: z.preprocess(blankToUndefined, z.uuid('validation.invalid').optional()),
  limit: z.preprocess(
    blankToUndefined,
    z.coerce.number('validation.invalid').int('validation.invalid').min(1, 'validation.invalid').max(100, 'validation.invalid').optional(),
  ),
  unreadOnly: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v === true || v === '1' || v === 'true' || v === 'on'),
    z.boolean().optional(),
  ),
})

export type CentreQuery = z.input<typeof CentreQuerySchema>

/**
 * Only same-site paths become links: a notification's link comes from event payloads, and a
 * `javascript:` or `//other.site` value must never reach an href.
 */
export function safeNotificationLink(link: string | null | undefined): string | null {
  if (typeof link !== 'string' || !link.startsWith('/') || link.startsWith('//') || link.startsWith('/\\')) return null
  if (/[\u0000-\u001f\s]/.test(link)) return null
  return link
}

const mine = (acting: ActingContext) => eq(notifications.userId, acting.actor.userId)

/**
 * One's own notifications, newest first, a page at a time. The cursor is the id of the last
 * row shown; the page continues strictly below its (created_at, id) — compared in the database
 * so that microsecond timestamps are not rounded through a JavaScript Date.
 */
export async function listMyNotifications(acting: ActingContext, query: CentreQuery = {}) {
  const { before, limit: rawLimit, unreadOnly } = validate(CentreQuerySchema, query)
  const limit = rawLimit ?? 30
  const conditions: SQL[] = [mine(acting)]
  if (unreadOnly) conditions.push(isNull(notifications.readAt))
  if (before) {
    conditions.push(
      sql`(${notifications.createdAt}, ${notifications.id}) < (select c.created_at, c.id from ${notifications} c where c.id = ${before} and c.user_id = ${acting.actor.userId})`,
    )
  }
  const rows = await acting.services.db
    .select({
      id: notifications.id,
      type: notifications.type,
      link: notifications.link,
      params: notifications.params,
      readAt: notifications.readAt,
      createdAt: notifications.createdAt,
    })
    .from(notifications)
    .where(and(...conditions))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(limit + 1)
  const page: NotificationItem[] = rows.slice(0, limit).map((r) => ({ ...r, link: safeNotificationLink(r.link), params: r.params ?? {} }))
  return { items: page, nextBefore: rows.length > limit ? page[page.length - 1]?.id : undefined }
}

export async function unreadCount(acting: ActingContext): Promise<number> {
  const [row] = await acting.services.db
    .select({ n: count() })
    .from(notifications)
    .where(and(mine(acting), isNull(notifications.readAt)))
  return row?.n ?? 0
}

const IdSchema = z.uuid()

/** Marks one of one's own notifications read (again is a no-op); any other id is a 404. */
export async function markRead(acting: ActingContext, id: unknown): Promise<void> {
  const parsed = IdSchema.safeParse(id)
  if (!parsed.success) throw new DomainError('not_found')
  const [row] = await acting.services.db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, ${acting.services.now().toISOString()}::timestamptz)` })
    .where(and(eq(notifications.id, parsed.data), mine(acting)))
    .returning({ id: notifications.id })
  if (!row) throw new DomainError('not_found')
}

/** Marks every unread notification of one's own read; returns how many changed. */
export async function markAllRead(acting: ActingContext): Promise<number> {
  const rows = await acting.services.db
    .update(notifications)
    .set({ readAt: acting.services.now() })
    .where(and(mine(acting), isNull(notifications.readAt)))
    .returning({ id: notifications.id })
  return rows.length
}
