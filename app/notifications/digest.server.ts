import { and, eq, inArray } from 'drizzle-orm'
import { deliveries } from '../../db/schema/index.ts'
import type { Services } from '../lib/context.server.ts'
import { calendarDate } from '../lib/dates.ts'
import { messageIdFor } from './fanout.server.ts'

/**
 * Gathers each user's waiting digest deliveries into one digest email. The covered deliveries
 * are marked in the same transaction that creates the digest, and the digest's key is per user
 * and day, so a re-run of the cron job sends nothing twice.
 */
export async function queueDigests(services: Services): Promise<number> {
  const waiting = await services.db
    .selectDistinct({ userId: deliveries.userId })
    .from(deliveries)
    .where(eq(deliveries.status, 'digest'))
  const day = calendarDate(services.now())
  let queued = 0
  for (const { userId } of waiting) {
    await services.db.transaction(async (tx) => {
      const items = await tx
        .select({ id: deliveries.id, toAddress: deliveries.toAddress, locale: deliveries.locale })
        .from(deliveries)
        .where(and(eq(deliveries.userId, userId), eq(deliveries.status, 'digest')))
      if (items.length === 0) return
      const id = crypto.randomUUID()
      const [digest] = await tx
        .insert(deliveries)
        .values({
          id,
          idempotencyKey: `digest:${userId}:${day}`,
          userId,
          eventType: 'digest',
          kind: 'digest',
          status: 'pending',
          toAddress: items[0]!.toAddress,
          locale: items[0]!.locale,
          coveredDeliveryIds: items.map((i) => i.id),
          messageId: messageIdFor(id, services.env.APP_URL),
          createdAt: services.now(),
        })
        .onConflictDoNothing()
        .returning({ id: deliveries.id })
      if (!digest) return
      await tx.update(deliveries).set({ status: 'digested' }).where(inArray(deliveries.id, items.map((i) => i.id)))
      await services.jobs.enqueue(tx, 'email.send', { deliveryId: digest.id })
      queued++
    })
  }
  return queued
}
