import { and, eq, sql } from 'drizzle-orm'
import { drillRegistrations } from '../../db/schema/index.ts'
import type { Services } from '../lib/context.server.ts'
import { loadDrillFacts } from './access.server.ts'
import { buildDrillCalendar, calendarPartsOf } from './calendar.server.ts'

// The calendar invitation a drill mail carries to its registrant (issue 6: "every confirmation
// carries an iCalendar invitation"). Decided when the mail is sent, from the rows as they are
// then: the event's payload holds only ids, and a mail sent late must not invite someone whose
// place has gone, or carry times that have since changed.

export interface MailInvitation {
  method: 'REQUEST' | 'CANCEL'
  content: string
  fileName: string
}

export interface InvitationRecipient {
  userId: string
  email: string
  name: string
  locale: 'vi' | 'en'
}

/** The invitation for one recipient of a drill event, or null when the mail carries none. */
export async function drillInvitationFor(
  services: Services,
  event: { type: string; payload: Record<string, unknown> },
  recipient: InvitationRecipient,
): Promise<MailInvitation | null> {
  const { db } = services
  const drillId = typeof event.payload.drillId === 'string' ? event.payload.drillId : null
  if (!drillId) return null
  let method: MailInvitation['method']
  if (event.type === 'drill.cancelled') {
    method = 'CANCEL'
  } else if (event.type === 'drill.registration_cancelled') {
    // Only a confirmed place had an invitation out there to withdraw.
    if (event.payload.previousStatus !== 'confirmed') return null
    method = 'CANCEL'
  } else if (event.type === 'drill.registered' || event.type === 'drill.waitlist_promoted') {
    // A waitlist entry or a place awaiting approval is no invitation yet; its confirmation will be.
    if (event.payload.registrationStatus !== 'confirmed') return null
    method = 'REQUEST'
  } else if (event.type === 'drill.rescheduled') {
    // The update: same UIDs, the raised SEQUENCE, so calendars replace the entry they hold.
    // Only a confirmed place has an entry; the waitlisted are told without one.
    method = 'REQUEST'
  } else {
    return null
  }
  const loaded = await loadDrillFacts(db, drillId)
  if (!loaded) return null
  const { row } = loaded
  if (method === 'REQUEST') {
    if (row.status === 'cancelled' || row.status === 'draft') return null
    const registrationId = typeof event.payload.registrationId === 'string' ? event.payload.registrationId : null
    const [registration] = await db
      .select({ userId: drillRegistrations.userId, status: drillRegistrations.status })
      .from(drillRegistrations)
      .where(
        registrationId
          ? eq(drillRegistrations.id, registrationId)
          : and(eq(drillRegistrations.drillId, drillId), eq(drillRegistrations.userId, recipient.userId), sql`${drillRegistrations.status} <> 'cancelled'`),
      )
    if (!registration || registration.userId !== recipient.userId || registration.status !== 'confirmed') return null
  } else if (event.type === 'drill.registration_cancelled') {
    // Signed up again since: the same UIDs are theirs again, and a late CANCEL would remove them.
    const [again] = await db
      .select({ id: drillRegistrations.id })
      .from(drillRegistrations)
      .where(and(eq(drillRegistrations.drillId, drillId), eq(drillRegistrations.userId, recipient.userId), eq(drillRegistrations.status, 'confirmed')))
    if (again) return null
  }
  const drill = await calendarPartsOf(db, row)
  if (drill.sessions.length === 0) return null
  const content = buildDrillCalendar(services.env, [drill], {
    method,
    channel: 'mail',
    locale: recipient.locale,
    now: services.now(),
    attendee: { email: recipient.email, name: recipient.name },
  })
  return { method, content, fileName: 'invite.ics' }
}
