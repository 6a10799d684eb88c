import type { EmailLocale } from './messages.ts'

export interface RenderedEmail {
  subject: string
  text: string
  html: string
  /** An iCalendar invitation (RFC 5545/5546) sent beside the bodies, as a calendar client expects. */
  icalEvent?: CalendarPart
}

export interface CalendarPart {
  method: 'REQUEST' | 'CANCEL' | 'PUBLISH'
  content: string
  fileName: string
}

export interface EmailContext {
  locale: EmailLocale
  /** Formats an ISO time for the recipient (their zone and language). */
  formatTime: (iso: string) => string
}

export type TlpLabel = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED'

/** TLP:AMBER, AMBER+STRICT and RED never travel by email: only reference, label and link. */
export function detailsAllowedByEmail(tlp: TlpLabel | null | undefined): boolean {
  return tlp == null || tlp === 'CLEAR' || tlp === 'GREEN'
}
