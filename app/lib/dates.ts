// One date formatter for the whole UI. Stored times are UTC; they are shown in the reader's
// zone (Asia/Ho_Chi_Minh unless the user chose another) and language.
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh'

// Building an Intl formatter costs far more than using one (it showed in the notification
// benchmark's profile), and lists and mails format thousands of dates: keep one per shape.
const formatters = new Map<string, Intl.DateTimeFormat>()
function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${options.dateStyle ?? ''}|${options.timeStyle ?? ''}|${options.timeZone ?? ''}|${options.year ?? ''}`
  let formatter = formatters.get(key)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, options)
    formatters.set(key, formatter)
  }
  return formatter
}
const uiLocale = (locale: string) => (locale === 'vi' ? 'vi-VN' : 'en-GB')

export function formatDateTime(
  value: Date | string | null | undefined,
  locale: string,
  timeZone: string = DEFAULT_TIME_ZONE,
): string {
  if (!value) return '—'
  const date = typeof value === 'string' ? new Date(value) : value
  if (Number.isNaN(date.getTime())) return '—'
  return dateTimeFormat(uiLocale(locale), { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date)
}

export function formatDate(value: string | null | undefined, locale: string): string {
  if (!value) return '—'
  // Plain calendar dates (terms, membership) carry no zone: show them as written.
  const [y, m, d] = value.split('-').map(Number)
  if (!y || !m || !d) return value
  return dateTimeFormat(uiLocale(locale), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)))
}

export function formatNumber(value: number, locale: string): string {
  return new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-GB').format(value)
}

/** The calendar date (YYYY-MM-DD) at `now` in a time zone: cluster terms change at local midnight. */
export function calendarDate(now: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  return dateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------
// Wall-clock times in a zone (forms take local date-times; the database keeps UTC). One
// implementation for every form: incidents, coordination requests and drills.

/** What `<input type="datetime-local">` sends: 2026-03-01T14:30, seconds optional. */
export const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/

export function wallClockParts(value: string) {
  const m = LOCAL_DATE_TIME.exec(value)
  if (!m) return null
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number]
  const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, s))
  const real =
    y >= 1970 && y <= 9999 && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d && h < 24 && mi < 60 && s < 60
  return real ? { y, mo, d, h, mi, s } : null
}

function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at)
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return wall - Math.floor(at.getTime() / 1000) * 1000
}

/** "2026-03-01T14:30" read in a zone → the UTC instant; null if not a real wall-clock time. */
export function localDateTimeToDate(value: string, timeZone: string): Date | null {
  const p = wallClockParts(value)
  if (!p) return null
  const asUtc = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s)
  // Correct by the zone's offset, then once more in case it differs at the result (daylight saving).
  let instant = asUtc - zoneOffsetMs(new Date(asUtc), timeZone)
  instant = asUtc - zoneOffsetMs(new Date(instant), timeZone)
  return new Date(instant)
}

/** The value for `<input type="datetime-local">` showing an instant in a zone. */
export function dateToLocalDateTime(value: Date | string | null | undefined, timeZone: string): string {
  if (!value) return ''
  const date = typeof value === 'string' ? new Date(value) : value
  if (Number.isNaN(date.getTime())) return ''
  const wall = new Date(date.getTime() + zoneOffsetMs(date, timeZone))
  return wall.toISOString().slice(0, 16)
}
