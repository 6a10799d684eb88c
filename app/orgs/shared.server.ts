import { z } from 'zod'
import { DomainError } from '../lib/errors.ts'

// Small pieces shared by the organisation, contact and cluster modules.

const idSchema = z.uuid()

/** An id from a URL or a form; anything that is not a UUID names nothing, hence 404 (not a 500 from the database). */
export function parseId(raw: unknown): string {
  const parsed = idSchema.safeParse(raw)
  if (!parsed.success) throw new DomainError('not_found')
  return parsed.data
}

/** A 400 tied to one field, for rules zod cannot see (they need the database or two fields). */
export function fieldError(field: string, messageKey: string): DomainError {
  return new DomainError('validation', 'errors.validation', { fieldErrors: { [field]: [messageKey] } })
}

/** A 409: the input is well-formed but clashes with existing rows. Shown on the field and above the form. */
export function conflict(field: string, messageKey: string): DomainError {
  return new DomainError('conflict', messageKey, { fieldErrors: field === '_form' ? {} : { [field]: [messageKey] } })
}

/** Unique-index violations (SQLSTATE 23505), whether the driver error is wrapped by drizzle or not. */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '23505') return true
  }
  return false
}

/** Slugs and codes appear in URLs and exports: lowercase ASCII letters, digits, single hyphens. */
export const slugField = () =>
  z
    .string({ error: 'validation.required' })
    .trim()
    .toLowerCase()
    .min(1, 'validation.required')
    .max(63, 'validation.tooLong')
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'validation.slug')

/** A select whose empty choice means "none". */
export const optionalIdField = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.uuid('validation.invalid').nullable())

/**
 * A public website. Only http(s) is kept: the value is rendered as a link, and a `javascript:`
 * URL there would be stored XSS. A bare host ("vncert.vn") is read as https.
 */
export const websiteField = () =>
  z
    .string()
    .trim()
    .max(300, 'validation.tooLong')
    .optional()
    .transform((v) => (v ? (/^[a-z][a-z0-9+.-]*:/i.test(v) ? v : `https://${v}`) : null))
    .refine((v) => {
      if (v === null) return true
      try {
        const url = new URL(v)
        return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.includes('.')
      } catch {
        return false
      }
    }, 'validation.invalid')

/** Phone numbers as people write them: digits, spaces, +, -, (), dots, and an extension. */
export const phoneField = () =>
  z
    .string()
    .trim()
    .max(40, 'validation.tooLong')
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || /^[+]?[0-9 ().-]{6,}(?:\s*(?:ext\.?|x|máy lẻ)\s*[0-9]{1,6})?$/i.test(v), 'validation.invalid')

/** True for a real calendar date written YYYY-MM-DD (not 2025-02-30), in the years PostgreSQL and people use. */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (y < 1900) return false
  const date = new Date(Date.UTC(y, mo - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}

/**
 * A required calendar date with one message per problem. (forms.ts `dateField` lets 2025-02-30
 * through — Date.parse rolls it over to 2 March — and PostgreSQL would then fail with a 500.)
 */
export const calendarDateField = () =>
  z
    .string({ error: 'validation.required' })
    .trim()
    .min(1, { error: 'validation.required', abort: true })
    .refine(isCalendarDate, 'validation.date')

/** The same, optional: empty means none. */
export const optionalCalendarDateField = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || isCalendarDate(v), 'validation.date')

// Vietnamese order (Hà Nam, Hải Dương, Hòa Bình…), which the database's byte order does not give.
const vietnamese = new Intl.Collator('vi', { sensitivity: 'base', numeric: true })

/** Sorts rows by a text key in Vietnamese order; ties keep their order (Array.sort is stable). */
export function sortVietnamese<T>(rows: T[], key: (row: T) => string): T[] {
  return [...rows].sort((a, b) => vietnamese.compare(key(a), key(b)))
}
