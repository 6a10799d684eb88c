import { z } from 'zod'
import { DomainError } from './errors.ts'

// One form pattern for the whole app: a zod schema per form (messages are i18n keys), parsed
// on the server by the domain module; on failure the action returns the field errors and the
// submitted values with status 400, and the form re-renders with both.

export type FieldErrors = Record<string, string[]>

export interface FormFailure {
  ok: false
  fieldErrors: FieldErrors
  /** Values interpolated into a field's messages, by field name. */
  fieldParams?: Record<string, Record<string, string | number>>
  formError?: string
  values: Record<string, string>
  retryAfterSeconds?: number
}

function toFieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {}
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_form'
    // Messages are i18n keys (validation.* or <area>.validation.*); zod's own English is replaced.
    const message = /^([a-z]+\.)?validation\./.test(issue.message) ? issue.message : 'validation.invalid'
    ;(out[key] ??= []).push(message)
  }
  return out
}

/** Parses input with the schema or throws a 400 DomainError carrying field errors. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) {
    throw new DomainError('validation', 'errors.validation', { fieldErrors: toFieldErrors(parsed.error) })
  }
  return parsed.data
}

/** FormData to a plain object; repeated names become arrays; files are dropped here. */
export function formToObject(form: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [key, value] of form.entries()) {
    if (typeof value !== 'string') continue
    const existing = out[key]
    if (existing === undefined) out[key] = value
    else out[key] = Array.isArray(existing) ? [...existing, value] : [existing, value]
  }
  return out
}

/** The values to put back into a re-rendered form; secrets are never echoed. */
export function keptValues(form: FormData): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string' && !/password|token/i.test(key)) out[key] = value
  }
  return out
}

// Reusable field schemas.
export const requiredText = (max = 200) =>
  z.string({ error: 'validation.required' }).trim().min(1, 'validation.required').max(max, 'validation.tooLong')
export const optionalText = (max = 200) =>
  z
    .string()
    .trim()
    .max(max, 'validation.tooLong')
    .optional()
    .transform((v) => (v ? v : null))
export const emailField = () =>
  z
    .string({ error: 'validation.required' })
    .trim()
    .toLowerCase()
    .min(1, 'validation.required')
    .max(254, 'validation.tooLong')
    .pipe(z.email('validation.email'))
export const optionalEmail = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .max(254, 'validation.tooLong')
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.email('validation.email').nullable())
export const uuidField = () =>
  z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required', abort: true }).uuid('validation.invalid')
/** A real calendar date (YYYY-MM-DD): 2025-02-30 is refused here, not by the database. */
export const dateField = () =>
  z
    .string({ error: 'validation.required' })
    .trim()
    .min(1, { error: 'validation.required', abort: true })
    .refine((v) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v)
      if (!m) return false
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
      const dt = new Date(Date.UTC(y, mo - 1, d))
      return y >= 1900 && dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d
    }, 'validation.date')
export const checkbox = () =>
  z
    .union([z.literal('on'), z.literal('true'), z.literal('1'), z.literal('')])
    .optional()
    .transform((v) => v === 'on' || v === 'true' || v === '1')
