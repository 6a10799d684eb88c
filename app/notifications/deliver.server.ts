import { and, asc, eq, gte, inArray, lt, lte, or, sql } from 'drizzle-orm'
import { deliveries, notificationEvents, organisations, users } from '../../db/schema/index.ts'
import { renderEvent } from '../../emails/event.tsx'
import { renderInvitation } from '../../emails/invitation.tsx'
import { renderPasswordReset } from '../../emails/password-reset.tsx'
import { renderSummary, type SummaryItem } from '../../emails/summary.tsx'
import type { RenderedEmail } from '../../emails/types.ts'
import { drillInvitationFor } from '../drills/calendar-invitations.server.ts'
import { i18nFor } from '../i18n/i18n.ts'
import type { Services } from '../lib/context.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { log } from '../lib/log.server.ts'
import { eventTypeInfo } from './event-types.ts'
import { FLOOD_WINDOW_MS } from './fanout.server.ts'
import { unseal } from './seal.server.ts'

type Delivery = typeof deliveries.$inferSelect
type EventRow = typeof notificationEvents.$inferSelect

export class DeliveryBusyError extends Error {
  constructor(id: string) {
    super(`delivery ${id} is being sent by another worker`)
  }
}

export type SendOutcome = 'sent' | 'stored' | 'skipped'

/**
 * Sends one delivery, exactly once per delivery: the claim is an UPDATE that only succeeds on a
 * pending delivery (or one whose lease expired because its worker died), so a duplicated job is
 * a no-op. On failure the delivery goes back to pending and the error propagates, so pg-boss
 * retries with backoff; after the last attempt it is marked failed for an administrator.
 * The one window left — the SMTP server accepted and the process died before the commit — can
 * repeat a message, with the same Message-ID (docs/decisions/007-job-queue.md).
 */
export async function sendDelivery(
  services: Services,
  deliveryId: string,
  attempt: { retryCount: number; retryLimit: number } = { retryCount: 0, retryLimit: 0 },
): Promise<SendOutcome> {
  const { db } = services
  const now = services.now()
  const [claimed] = await db
    .update(deliveries)
    .set({ status: 'sending', leaseUntil: new Date(now.getTime() + services.env.DELIVERY_LEASE_SECONDS * 1000), attempts: sql`${deliveries.attempts} + 1` })
    .where(
      and(
        eq(deliveries.id, deliveryId),
        or(eq(deliveries.status, 'pending'), and(eq(deliveries.status, 'sending'), lt(deliveries.leaseUntil, now))),
      ),
    )
    .returning()
  if (!claimed) {
    const [current] = await db.select({ status: deliveries.status }).from(deliveries).where(eq(deliveries.id, deliveryId))
    // Held by a live lease: let the job retry later rather than finish without a send.
    if (current?.status === 'sending') throw new DeliveryBusyError(deliveryId)
    return 'skipped'
  }
  try {
    const message = await buildMessage(services, claimed)
    if (services.mailer.mode === 'outbox') {
      // The outbox keeps bodies, not attachments: say that an invitation would have gone along.
      const text = message.icalEvent
        ? `${message.text}\n\n${i18nFor(claimed.locale === 'en' ? 'en' : 'vi').t('calendar.invitationAttached', { fileName: message.icalEvent.fileName, method: message.icalEvent.method })}`
        : message.text
      await db
        .update(deliveries)
        .set({ status: 'stored', subject: message.subject, textBody: text, htmlBody: message.html, sentAt: services.now(), leaseUntil: null, lastError: null })
        .where(eq(deliveries.id, deliveryId))
      logDelivery(services, 'stored', claimed, message.subject)
      return 'stored'
    }
    await services.mailer.send({
      to: claimed.toAddress,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: claimed.messageId,
      icalEvent: message.icalEvent,
    })
    // Only the subject is kept: bodies may hold one-time links.
    await db
      .update(deliveries)
      .set({ status: 'sent', subject: message.subject, sentAt: services.now(), leaseUntil: null, lastError: null })
      .where(eq(deliveries.id, deliveryId))
    logDelivery(services, 'sent', claimed, message.subject)
    return 'sent'
  } catch (error) {
    const last = attempt.retryCount >= attempt.retryLimit
    await db
      .update(deliveries)
      .set({
        status: last ? 'failed' : 'pending',
        leaseUntil: null,
        lastError: String(error instanceof Error ? error.message : error).slice(0, 500),
        failedAt: last ? services.now() : null,
      })
      .where(eq(deliveries.id, deliveryId))
    logDelivery(services, last ? 'failed' : 'retrying', claimed, String(error))
    throw error
  }
}

function logDelivery(services: Services, outcome: string, d: Delivery, detail: string) {
  // Structured, one line per delivery; never the body (it may hold a one-time link).
  log(services.env.LOG_LEVEL, outcome === 'failed' ? 'error' : outcome === 'retrying' ? 'warn' : 'info', 'delivery', {
    outcome,
    deliveryId: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    kind: d.kind,
    to: d.toAddress,
    attempt: d.attempts,
    detail: detail.slice(0, 200),
  })
}

async function buildMessage(services: Services, d: Delivery): Promise<RenderedEmail> {
  const { db, env } = services
  const [recipient] = await db.select({ name: users.name, timeZone: users.timeZone }).from(users).where(eq(users.id, d.userId))
  const locale = d.locale === 'en' ? 'en' : 'vi'
  const ctx = { locale, formatTime: (iso: string) => formatDateTime(iso, locale, recipient?.timeZone) } as const
  const absolute = (link: string | null | undefined) => `${env.APP_URL}${link && link.startsWith('/') ? link : '/notifications'}`

  if (d.kind === 'summary' || d.kind === 'digest') {
    const covered =
      d.kind === 'summary'
        ? await db
            .select({ delivery: deliveries, event: notificationEvents })
            .from(deliveries)
            .innerJoin(notificationEvents, eq(notificationEvents.id, deliveries.eventId))
            .where(
              and(
                eq(deliveries.userId, d.userId),
                eq(deliveries.eventType, d.eventType),
                eq(deliveries.status, 'collapsed'),
                gte(deliveries.createdAt, new Date((d.sendAfter ?? d.createdAt).getTime() - FLOOD_WINDOW_MS)),
                lte(deliveries.createdAt, d.sendAfter ?? d.createdAt),
              ),
            )
            .orderBy(asc(deliveries.createdAt))
        : await db
            .select({ delivery: deliveries, event: notificationEvents })
            .from(deliveries)
            .innerJoin(notificationEvents, eq(notificationEvents.id, deliveries.eventId))
            .where(inArray(deliveries.id, d.coveredDeliveryIds ?? []))
            .orderBy(asc(deliveries.createdAt))
    const items: SummaryItem[] = covered.map(({ event }) => ({
      eventType: event.type,
      reference: (event.payload as Record<string, string>).reference ?? null,
      title: (event.payload as Record<string, string>).title ?? null,
      tlp: event.tlp,
      link: absolute((event.payload as Record<string, string>).link),
      occurredAt: event.createdAt.toISOString(),
    }))
    return renderSummary(
      {
        kind: d.kind,
        eventType: d.kind === 'summary' ? d.eventType : null,
        date: d.kind === 'digest' ? formatDateTime(d.createdAt, locale, recipient?.timeZone) : null,
        items,
        link: absolute('/notifications'),
        incident: items.some((i) => eventTypeInfo(i.eventType).incident),
      },
      ctx,
    )
  }

  const [event] = d.eventId ? await db.select().from(notificationEvents).where(eq(notificationEvents.id, d.eventId)) : []
  if (!event) throw new Error(`delivery ${d.id} has no event`)
  return renderForEvent(services, event, { userId: d.userId, email: d.toAddress, name: recipient?.name ?? d.toAddress }, ctx, absolute)
}

async function renderForEvent(
  services: Services,
  event: EventRow,
  recipient: { userId: string; email: string; name: string },
  ctx: { locale: 'vi' | 'en'; formatTime: (iso: string) => string },
  absolute: (link: string | null | undefined) => string,
): Promise<RenderedEmail> {
  const payload = event.payload as Record<string, string | undefined>
  const secrets = event.sealed ? unseal(services.env.SESSION_SECRET, event.sealed) : null
  const t = i18nFor(ctx.locale).t
  if (event.type === 'user.invited' || event.type === 'auth.password_reset_requested') {
    if (!secrets?.token) throw new Error(`event ${event.id}: the one-time link is no longer available`)
    const link = `${services.env.APP_URL}/invite/${secrets.token}`
    if (event.type === 'auth.password_reset_requested') {
      return renderPasswordReset({ recipientName: recipient.name, link, expiresAt: payload.expiresAt ?? event.createdAt.toISOString() }, ctx)
    }
    const [org] = await services.db.select({ name: organisations.shortName }).from(organisations).where(eq(organisations.id, event.organisationId ?? ''))
    return renderInvitation(
      {
        recipientName: recipient.name,
        inviterName: payload.inviterName ?? 'CSIRT Net',
        organisationName: org?.name ?? '',
        roleLabel: payload.role ? t(`roles.${payload.role}`) : '',
        link,
        expiresAt: payload.expiresAt ?? event.createdAt.toISOString(),
      },
      ctx,
    )
  }
  const [actor] = event.actorUserId ? await services.db.select({ name: users.name }).from(users).where(eq(users.id, event.actorUserId)) : []
  const [org] = event.organisationId
    ? await services.db.select({ name: organisations.shortName }).from(organisations).where(eq(organisations.id, event.organisationId))
    : []
  const rendered = renderEvent(
    {
      eventType: event.type,
      reference: payload.reference ?? null,
      title: payload.title ?? titleFromPayload(payload, t),
      summary: payload.summary ?? null,
      tlp: event.tlp,
      link: absolute(payload.link),
      occurredAt: event.createdAt.toISOString(),
      actorName: actor?.name ?? null,
      organisationName: org?.name ?? null,
      incident: Boolean(eventTypeInfo(event.type).incident),
    },
    ctx,
  )
  // A drill's confirmation, promotion or cancellation carries the calendar invitation (or its
  // cancellation) for the recipient; the TLP rule holds inside it too (app/drills/calendar.server.ts).
  if (event.objectType === 'drill') {
    const icalEvent = await drillInvitationFor(services, { type: event.type, payload }, { ...recipient, locale: ctx.locale })
    if (icalEvent) return { ...rendered, icalEvent }
  }
  return rendered
}

// A short, non-sensitive title for foundation events that carry no title of their own.
function titleFromPayload(payload: Record<string, string | undefined>, t: (key: string) => string): string | null {
  if (payload.officerRole) return [t(`officerRoles.${payload.officerRole}`), payload.clusterName].filter(Boolean).join(' — ')
  if (payload.role) return t(`roles.${payload.role}`)
  return null
}

/**
 * Wipes sealed secrets once every delivery of the event went out (sent or stored). A failed one
 * keeps its secret so an administrator can retry it, until the links have expired anyway.
 */
export async function wipeSettledSecrets(services: Services): Promise<number> {
  const rows = await services.db
    .update(notificationEvents)
    .set({ sealed: null })
    .where(
      and(
        sql`${notificationEvents.sealed} is not null`,
        sql`${notificationEvents.fannedOutAt} is not null`,
        or(
          sql`not exists (select 1 from ${deliveries} where ${deliveries.eventId} = ${notificationEvents.id} and ${deliveries.status} in ('pending', 'sending', 'failed'))`,
          // One-time links live at most 7 days (invitations).
          lt(notificationEvents.createdAt, new Date(services.now().getTime() - 8 * 24 * 3600 * 1000)),
        ),
      ),
    )
    .returning({ id: notificationEvents.id })
  return rows.length
}

