import ICAL from 'ical.js'

// Reads an iCalendar text back with a kept parser (ical.js), so the tests check what a
// calendar client would understand rather than the strings we wrote.

export interface ParsedEvent {
  uid: string
  sequence: number
  summary: string
  description: string
  location: string | null
  url: string | null
  status: string | null
  tzid: string | null
  /** Wall-clock start as written, e.g. "2026-12-13T09:00:00". */
  localStart: string
  start: Date
  end: Date
  organizer: string | null
  attendees: string[]
}

// URI schemes are case-insensitive (RFC 3986 §3.1): ical-generator writes MAILTO for attendees.
const mailto = (v: unknown) => String(v).replace(/^mailto:/i, 'mailto:')

export function parseCalendar(text: string) {
  const root = new ICAL.Component(ICAL.parse(text))
  // Resolve TZID references through the calendar's own VTIMEZONE, as a client would.
  for (const vtimezone of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtimezone)
  const events: ParsedEvent[] = root.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent)
    const dtstart = vevent.getFirstProperty('dtstart')
    return {
      uid: event.uid,
      sequence: event.sequence,
      summary: event.summary,
      description: event.description ?? '',
      location: event.location ?? null,
      url: (vevent.getFirstPropertyValue('url') as string | null) ?? null,
      status: (vevent.getFirstPropertyValue('status') as string | null) ?? null,
      tzid: (dtstart?.getParameter('tzid') as string | undefined) ?? null,
      localStart: event.startDate.toString(),
      start: event.startDate.toJSDate(),
      end: event.endDate.toJSDate(),
      organizer: vevent.hasProperty('organizer') ? mailto(vevent.getFirstPropertyValue('organizer')) : null,
      attendees: vevent.getAllProperties('attendee').map((p) => mailto(p.getFirstValue())),
    }
  })
  return {
    method: (root.getFirstPropertyValue('method') as string | null) ?? null,
    timezones: root.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid') as string),
    events,
  }
}
