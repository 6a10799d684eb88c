import { asc, eq } from 'drizzle-orm'
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator'
import { DateTime } from 'luxon'
import type { Executor } from '../../db/client.ts'
import { drillSessions, organisations } from '../../db/schema/index.ts'
import { detailsAllowedByEmail } from '../../emails/types.ts'
import { i18nFor } from '../i18n/i18n.ts'
import type { Env } from '../env.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DEFAULT_TIME_ZONE } from '../lib/dates.ts'
import { getVisibleDrill, type DrillRow } from './access.server.ts'

// iCalendar (RFC 5545) for drills: the invitation mailed to a registrant (METHOD:REQUEST, or
// CANCEL), the "Add to calendar" download and the per-user feed (METHOD:PUBLISH, RFC 5546 §3.2).
// Built from the rows as they are now, never from an event's payload, so a late mail carries
// the current times and SEQUENCE.

export type CalendarMethod = 'REQUEST' | 'CANCEL' | 'PUBLISH'

/**
 * Where the calendar goes. A mail or a feed leaves the platform (mail servers, calendar services
 * polling the feed URL) and follows the email rule of TLP 2.0 (emails/types.ts): for AMBER and
 * AMBER+STRICT the title too is withheld, as the mail's own body withholds it. A download is
 * fetched by a signed-in reader who may see the page, so it keeps the title.
 */
export type CalendarChannel = 'mail' | 'feed' | 'download'

export interface CalendarDrill {
  row: DrillRow
  sessions: { startsAt: Date; endsAt: Date }[]
  organiserName: string
}

export interface CalendarOptions {
  method: CalendarMethod
  channel: CalendarChannel
  locale: 'vi' | 'en'
  now: Date
  /** The registrant, on an invitation or a cancellation sent to them. */
  attendee?: { email: string; name: string }
  /** The feed's name in the subscriber's calendar list. */
  name?: string
}

// Drill times are always written in Asia/Ho_Chi_Minh, whatever the reader's zone: the drill
// happens there, and a calendar converts for its user. ical-generator needs the VTIMEZONE
// from a generator; Vietnam has kept UTC+7 without daylight saving since 1975, so one
// STANDARD observance is the whole truth and a few lines beat a zone database dependency
// (@touch4it/ical-timezones would ship every zone for this one). Other zones are never asked for.
export const CALENDAR_TIME_ZONE = DEFAULT_TIME_ZONE

export function vietnamTimezone(tzid: string): string | null {
  if (tzid !== CALENDAR_TIME_ZONE) return null
  return [
    'BEGIN:VTIMEZONE',
    `TZID:${CALENDAR_TIME_ZONE}`,
    'BEGIN:STANDARD',
    'DTSTART:19700101T000000',
    'TZOFFSETFROM:+0700',
    'TZOFFSETTO:+0700',
    'TZNAME:+07',
    'END:STANDARD',
    'END:VTIMEZONE',
  ].join('\r\n')
}

/**
 * The UID of a drill's n-th session (in order of start). Keyed by the drill and the position,
 * not the session row, so that an edit which rewrites the sessions keeps the UIDs the
 * registrants' calendars already hold (RFC 5545 §3.8.4.7: the UID must not change).
 */
export function sessionUid(drillId: string, index: number, appUrl: string): string {
  return `drill-${drillId}-${index + 1}@${new URL(appUrl).host}`
}

/** The address part of MAIL_FROM ("CSIRT Net <no-reply@…>" or a bare address). */
function mailFromAddress(mailFrom: string): string {
  return (/<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom).trim()
}

const METHODS: Record<CalendarMethod, ICalCalendarMethod> = {
  REQUEST: ICalCalendarMethod.REQUEST,
  CANCEL: ICalCalendarMethod.CANCEL,
  PUBLISH: ICalCalendarMethod.PUBLISH,
}

/** A VCALENDAR with one VEVENT per session of each drill. Pure: everything comes in. */
export function buildDrillCalendar(env: Pick<Env, 'APP_URL' | 'MAIL_FROM'>, drills: CalendarDrill[], opts: CalendarOptions): string {
  const t = i18nFor(opts.locale).t
  const calendar = ical({
    method: METHODS[opts.method],
    prodId: { company: 'CSIRT Net', product: 'Drills', language: opts.locale.toUpperCase() },
    name: opts.name ?? null,
    timezone: { name: null, generator: vietnamTimezone },
  })
  const organizerEmail = mailFromAddress(env.MAIL_FROM)
  const inZone = (d: Date) => DateTime.fromJSDate(d, { zone: CALENDAR_TIME_ZONE })
  for (const { row, sessions, organiserName } of drills) {
    const link = `${env.APP_URL}/drills/${row.id}`
    const open = detailsAllowedByEmail(row.tlp)
    // Who and what, beyond the link: withheld from an AMBER+ calendar leaving the platform.
    const named = open || opts.channel === 'download'
    const summary = named ? row.title : t('calendar.withheldSummary', { tlp: row.tlp })
    // Never the scenario or the objectives: a calendar copy is made before the start, while they
    // are still the organisers' alone, and cannot be taken back.
    const description = open && row.description ? `${row.description}\n\n${link}` : link
    const cancelled = opts.method === 'CANCEL' || row.status === 'cancelled'
    sessions.forEach((session, index) => {
      calendar.createEvent({
        id: sessionUid(row.id, index, env.APP_URL),
        sequence: row.sequence,
        stamp: opts.now,
        timezone: CALENDAR_TIME_ZONE,
        start: inZone(session.startsAt),
        end: inZone(session.endsAt),
        summary: sessions.length > 1 ? t('calendar.sessionSummary', { title: summary, n: index + 1, of: sessions.length }) : summary,
        description,
        // The venue and the meeting link are details too: an AMBER drill's link may admit anyone.
        location: open ? (row.venue ?? row.onlineUrl ?? null) : null,
        url: open && row.onlineUrl ? row.onlineUrl : link,
        status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
        organizer: { name: (named && organiserName) || 'CSIRT Net', email: organizerEmail },
        // Signing up was the acceptance, and replies to a no-reply sender go nowhere: no RSVP.
        attendees: opts.attendee
          ? [
              {
                email: opts.attendee.email,
                name: opts.attendee.name,
                role: ICalAttendeeRole.REQ,
                status: opts.method === 'REQUEST' ? ICalAttendeeStatus.ACCEPTED : undefined,
                rsvp: false,
              },
            ]
          : [],
      })
    })
  }
  return calendar.toString()
}

/** A drill's sessions (in order of start) and organiser's name, beside its row. */
export async function calendarPartsOf(db: Executor, row: DrillRow): Promise<CalendarDrill> {
  const sessions = await db
    .select({ startsAt: drillSessions.startsAt, endsAt: drillSessions.endsAt })
    .from(drillSessions)
    .where(eq(drillSessions.drillId, row.id))
    .orderBy(asc(drillSessions.startsAt), asc(drillSessions.id))
  const [organiser] = await db.select({ name: organisations.shortName }).from(organisations).where(eq(organisations.id, row.organiserOrganisationId))
  return { row, sessions, organiserName: organiser?.name ?? '' }
}

/** "Add to calendar": the drill as a METHOD:PUBLISH file, for whoever may see it (else 404). */
export async function drillCalendarDownload(acting: ActingContext, rawId: unknown, locale: 'vi' | 'en') {
  const { row } = await getVisibleDrill(acting, rawId)
  const drill = await calendarPartsOf(acting.services.db, row)
  const content = buildDrillCalendar(acting.services.env, [drill], { method: 'PUBLISH', channel: 'download', locale, now: acting.services.now() })
  return { content, fileName: `drill-${row.id}.ics` }
}

/** Headers of a calendar file: always a download, never sniffed into something else. */
export function calendarHeaders(fileName: string | null): HeadersInit {
  return {
    'Content-Type': 'text/calendar; charset=utf-8',
    ...(fileName ? { 'Content-Disposition': `attachment; filename="${fileName}"` } : {}),
    'Cache-Control': 'private, no-store',
    'X-Content-Type-Options': 'nosniff',
  }
}
