import type { Executor } from '../../db/client.ts'
import { notificationEvents } from '../../db/schema/index.ts'
import type { TlpLabel } from '../policy/actor.ts'
import type { Services } from '../lib/context.server.ts'
import type { EventType } from './event-types.ts'
import { seal } from './seal.server.ts'

export interface DomainEvent {
  type: EventType
  objectType: string
  objectId?: string | null
  organisationId?: string | null
  actorUserId?: string | null
  tlp?: TlpLabel | null
  /** Ids and small display facts. Never content the TLP label would keep out of an email. */
  payload?: Record<string, unknown>
  /** Secrets for the email (e.g. a one-time link's token); stored encrypted. */
  secrets?: Record<string, string>
}

/**
 * "This happened, in this transaction": records the event and enqueues its fan-out through
 * the same transaction, so the notification commits or rolls back with the act itself.
 */
export async function emitEvent(tx: Executor, services: Services, event: DomainEvent): Promise<string> {
  const [row] = await tx
    .insert(notificationEvents)
    .values({
      type: event.type,
      objectType: event.objectType,
      objectId: event.objectId ?? null,
      organisationId: event.organisationId ?? null,
      actorUserId: event.actorUserId ?? null,
      tlp: event.tlp ?? null,
      payload: event.payload ?? {},
      sealed: event.secrets ? seal(services.env.SESSION_SECRET, event.secrets) : null,
    })
    .returning({ id: notificationEvents.id })
  await services.jobs.enqueue(tx, 'notifications.fanout', { eventId: row!.id })
  return row!.id
}
