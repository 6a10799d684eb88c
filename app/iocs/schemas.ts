import { z } from 'zod'
import { TLP_LABELS } from '../policy/actor.ts'
import { INDICATOR_TYPES } from './types.ts'

// One zod schema per form, shared by the pages and the API (messages are i18n keys). The value
// itself is checked by normalise(), which gives the precise reason (iocs.validation.<reason>).

export const PAP_LABELS = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const

const enumOr = <T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z
    .string()
    .optional()
    .transform((v) => (v ? v : fallback))
    .pipe(z.enum(values, { error: 'validation.invalid' }))

/** An instant: an ISO 8601 timestamp with its offset, or a calendar date (taken as 00:00 UTC). */
const instant = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null
      const ok = /^\d{4}-\d{2}-\d{2}$/.test(v) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)
      const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v)
      if (!ok || Number.isNaN(date.getTime())) {
        ctx.addIssue({ code: 'custom', message: 'validation.date' })
        return z.NEVER
      }
      return date
    })

/** Tags as typed: comma or whitespace separated, or repeated fields; ATT&CK ids upper-cased. */
const tags = () =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => {
      const list = (Array.isArray(v) ? v : [v ?? ''])
        .flatMap((s) => s.split(/[,\s]+/))
        .map((t) => t.trim())
        .filter(Boolean)
        .map((t) => (/^t\d{4}(\.\d{3})?$/i.test(t) ? t.toUpperCase() : t))
      return [...new Set(list)]
    })
    .pipe(z.array(z.string().max(64, 'validation.tooLong')).max(32, 'iocs.validation.tooManyTags'))

/** What an organisation says about indicators it shares, for one or for a whole paste. */
export const SharingSchema = z.object({
  tlp: enumOr(TLP_LABELS, 'AMBER'),
  pap: enumOr(PAP_LABELS, 'AMBER'),
  confidence: z
    .union([z.string(), z.number()])
    .optional()
    .transform((v) => (v === undefined || v === '' ? 50 : Number(v)))
    .pipe(z.number({ error: 'iocs.validation.confidence' }).int('iocs.validation.confidence').min(0, 'iocs.validation.confidence').max(100, 'iocs.validation.confidence')),
  firstSeenAt: instant(),
  lastSeenAt: instant(),
  validUntil: instant(),
  tags: tags(),
  description: z.string().trim().max(10_000, 'validation.tooLong').optional().default(''),
})

export const IndicatorFormSchema = SharingSchema.extend({
  type: z.enum(INDICATOR_TYPES, { error: 'validation.required' }),
  value: z.string({ error: 'validation.required' }).min(1, 'validation.required'),
})

/** Most lines one paste may hold; longer input goes through an import (app/iocs/imports.server.ts). */
export const PASTE_MAX_LINES = 5000

export const PasteFormSchema = SharingSchema.extend({
  text: z
    .string({ error: 'validation.required' })
    .min(1, 'validation.required')
    .max(1_000_000, 'validation.tooLong')
    .refine((t) => t.split(/\r\n|\r|\n/).length <= PASTE_MAX_LINES, 'iocs.validation.tooManyLines'),
})

export const SightingFormSchema = z.object({
  seenAt: instant(),
  count: z
    .union([z.string(), z.number()])
    .optional()
    .transform((v) => (v === undefined || v === '' ? 1 : Number(v)))
    .pipe(z.number({ error: 'iocs.validation.count' }).int('iocs.validation.count').min(1, 'iocs.validation.count').max(1_000_000, 'iocs.validation.count')),
  note: z.string().trim().max(2000, 'validation.tooLong').optional().default(''),
})
