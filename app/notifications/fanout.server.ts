import { and, count, eq, gte, inArray, sql } from 'drizzle-orm'
import { deliveries, notificationEvents, notificationPreferences, notifications, organisationNotificationDefaults } from '../../db/schema/index.ts'
import type { Services } from '../lib/context.server.ts'
import { eventTypeInfo, type DeliveryMode } from './event-types.ts'
import { resolveRecipients, type Recipient } from './recipients.server.ts'

// Flood control: past this many emails of one kind to one person within the window, further
// events of that kind collapse into one summary sent at the end of the window.
export const FLOOD_WINDOW_MS = 5 * 60 * 1000
export const FLOOD_THRESHOLD = 3

type Tx = Parameters<Parameters<Services['db']['transaction']>[0]>[0]

async function modeFor(tx: Tx, recipient: Recipient, eventType: string): Promise<DeliveryMode> {
  const info = eventTypeInfo(eventType)
  if (!info.configurable) return 'immediate'
  const [own] = await tx
    .select({ mode: notificationPreferences.mode })
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.userId, recipient.id), eq(notificationPreferences.eventType, eventType)))
  if (own) return own.mode
  const [orgDefault] = await tx
    .select({ mode: organisationNotificationDefaults.mode })
    .from(organisationNotificationDefaults)
    .where(and(eq(organisationNotificationDefaults.organisationId, recipient.organisationId), eq(organisationNotificationDefaults.eventType, eventType)))
  return orgDefault?.mode ?? info.defaultMode
}

export const messageIdFor = (deliveryId: string, appUrl: string) => `<${deliveryId}@${new URL(appUrl).hostname}>`

/**
 * Turns one event into in-app notifications and email deliveries, in one transaction. Every
 * row has a unique key per (event, recipient[, channel]), so running this twice — a retried or
 * duplicated job — creates nothing new and enqueues nothing new.
 */
export async function fanOutEvent(services: Services, eventId: string): Promise<{ recipients: number; emails: number }> {
  return services.db.transaction(async (tx) => {
    const [event] = await tx.select().from(notificationEvents).where(eq(notificationEvents.id, eventId))
    if (!event || event.fannedOutAt) return { recipients: 0, emails: 0 }
    const now = services.now()
    // In id order: flood control below takes one lock per recipient, and two fan-outs that
    // take them in the same order cannot deadlock.
    const recipients = (await resolveRecipients(tx, event)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const payload = event.payload as Record<string, string | undefined>
    let emails = 0
    for (const recipient of recipients) {
      await tx
        .insert(notifications)
        .values({ userId: recipient.id, eventId, type: event.type, link: payload.link ?? null, params: stringParams(payload), createdAt: event.createdAt })
        .onConflictDoNothing()
      const mode = await modeFor(tx, recipient, event.type)
      if (mode === 'in_app') continue
      const base = {
        eventId,
        userId: recipient.id,
        eventType: event.type,
        toAddress: recipient.email,
        locale: recipient.locale === 'en' ? 'en' : 'vi',
      }
      const key = `${eventId}:${recipient.id}:email`
      if (mode === 'digest') {
        await tx.insert(deliveries).values({ ...base, idempotencyKey: key, status: 'digest', messageId: '' }).onConflictDoNothing()
        continue
      }
      // Count and insert under a lock per (recipient, event type) held to commit: fan-outs run
      // side by side (batched workers, several processes), and two that both counted before
      // either inserted would each let an email through past the threshold.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`flood:${recipient.id}:${event.type}`}, 0))`)
      const [recent] = await tx
        .select({ n: count() })
        .from(deliveries)
        .where(
          and(
            eq(deliveries.userId, recipient.id),
            eq(deliveries.eventType, event.type),
            eq(deliveries.kind, 'event'),
            inArray(deliveries.status, ['pending', 'sending', 'sent', 'stored', 'collapsed']),
            gte(deliveries.createdAt, new Date(now.getTime() - FLOOD_WINDOW_MS)),
          ),
        )
      const flooded = eventTypeInfo(event.type).configurable && (recent?.n ?? 0) >= FLOOD_THRESHOLD
      const id = crypto.randomUUID()
      const [inserted] = await tx
        .insert(deliveries)
        .values({ ...base, id, idempotencyKey: key, status: flooded ? 'collapsed' : 'pending', messageId: messageIdFor(id, services.env.APP_URL), createdAt: now })
        .onConflictDoNothing()
        .returning({ id: deliveries.id })
      if (!inserted) continue
      if (!flooded) {
        await services.jobs.enqueue(tx, 'email.send', { deliveryId: inserted.id })
        emails++
        continue
      }
      // One summary per (recipient, event type, window), sent when the window closes.
      const bucket = Math.floor(now.getTime() / FLOOD_WINDOW_MS)
      const sendAt = new Date((bucket + 1) * FLOOD_WINDOW_MS)
      const summaryId = crypto.randomUUID()
      const [summary] = await tx
        .insert(deliveries)
        .values({
          ...base,
          eventId: null,
          id: summaryId,
          idempotencyKey: `summary:${recipient.id}:${event.type}:${bucket}`,
          kind: 'summary',
          status: 'pending',
          sendAfter: sendAt,
          messageId: messageIdFor(summaryId, services.env.APP_URL),
          createdAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: deliveries.id })
      if (summary) {
        await services.jobs.enqueue(tx, 'email.send', { deliveryId: summary.id }, { startAfter: sendAt })
        emails++
      }
    }
    await tx.update(notificationEvents).set({ fannedOutAt: now }).where(eq(notificationEvents.id, eventId))
    return { recipients: recipients.length, emails }
  })
}

function stringParams(payload: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(payload)) if (typeof v === 'string' && k !== 'link') out[k] = v
  return out
}
