import { wallClockParts } from '../lib/dates.ts'
import { z } from 'zod'
import { checkbox, optionalEmail, optionalText, requiredText } from '../lib/forms.ts'
import { TLP_LABELS } from '../policy/actor.ts'
import { TRANSITIONS, type Transition } from './lifecycle.ts'
import { DETECTION_METHODS, INCIDENT_CATEGORY_CODES, NOTIFIED_PARTIES, PAP_LABELS, SERIOUS_HARMS, SEVERITIES } from './taxonomy.ts'

// The forms of an incident — the initial report (Form 03), the closure report (Form 04), a
// comment, an assignment — as zod schemas shared by the domain module (which parses) and the
// pages (which name their fields after the keys). Messages are i18n keys. No server code here.

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

/** Values a form may send once or many times (repeated fields, multi-selects, checkbox groups). */
const manyStrings = z
  .union([z.string(), z.array(z.string())], { error: 'validation.invalid' })
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))

const MAX_LIST_ITEMS = 50

/** A checkbox group: each ticked value must be one of the choices; order and duplicates do not matter. */
const choices = <T extends string>(options: readonly T[]) =>
  manyStrings
    .transform((values) => [...new Set(values.filter((v) => v !== ''))])
    .refine((values) => values.every((v) => (options as readonly string[]).includes(v)), 'validation.invalid')
    .transform((values) => options.filter((o) => values.includes(o)))

/**
 * Free text listing several values (one per line, or separated by commas/spaces) or the same
 * field repeated. Refangs the usual defanging ("portal[.]example[.]vn") since reports are often
 * pasted from mail that defanged them.
 */
const splitList = (values: string[]) =>
  values
    .flatMap((v) => v.split(/[\s,;]+/))
    .map((v) => v.trim().replace(/\[\.\]|\(\.\)|\[dot\]/gi, '.').replace(/\[:\]/g, ':'))
    .filter((v) => v !== '')

// Loose on purpose: a label is letters (any script, for IDNs), digits and inner hyphens; at least
// two labels; the last one alphabetic or punycode. It catches typos and pasted sentences, not
// every RFC corner.
const DOMAIN = /^(?=.{1,253}$)(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u

function normaliseDomain(raw: string): string {
  let v = raw.toLowerCase()
  // A pasted URL names its host.
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(v)) {
    try {
      v = new URL(v).hostname
    } catch {
      return v
    }
  }
  return v.replace(/\.$/, '')
}

export const isDomainName = (v: string) => DOMAIN.test(v)
export const isIpAddress = (v: string) => z.ipv4().safeParse(v).success || z.ipv6().safeParse(v).success

const domainList = () =>
  manyStrings
    .transform((values) => [...new Set(splitList(values).map(normaliseDomain))])
    .refine((values) => values.length <= MAX_LIST_ITEMS, 'incidents.validation.tooMany')
    .refine((values) => values.every(isDomainName), 'incidents.validation.domain')

const ipList = () =>
  manyStrings
    .transform((values) => [...new Set(splitList(values).map((v) => v.toLowerCase()))])
    .refine((values) => values.length <= MAX_LIST_ITEMS, 'incidents.validation.tooMany')
    .refine((values) => values.every(isIpAddress), 'incidents.validation.ip')

const uuidList = () =>
  manyStrings
    .transform((values) => [...new Set(values.filter((v) => v !== ''))])
    .refine((values) => values.length <= MAX_LIST_ITEMS, 'incidents.validation.tooMany')
    .refine((values) => values.every((v) => z.uuid().safeParse(v).success), 'validation.invalid')

const phone = () =>
  z
    .string()
    .trim()
    .max(40, 'validation.tooLong')
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || /^[+]?[0-9 ().-]{6,}(?:\s*(?:ext\.?|x|máy lẻ)\s*[0-9]{1,6})?$/i.test(v), 'validation.invalid')

/** `<input type="datetime-local">`: a wall-clock time in the reader's zone, converted by the server. */
const localDateTime = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || wallClockParts(v) !== null, 'incidents.validation.dateTime')

const enumOr = <T extends string>(values: readonly [T, ...T[]], fallback: T) =>
  z.preprocess(blankToUndefined, z.enum(values, 'validation.invalid').default(fallback))

const categoryField = () =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(INCIDENT_CATEGORY_CODES as [string, ...string[]], 'validation.invalid')
      .optional()
      .transform((v) => v ?? null),
  )

const systemLevelField = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[1-5]$/, 'incidents.validation.systemLevel')
      .optional()
      .transform((v) => (v ? Number(v) : null)),
  )

/**
 * The initial report (Form 03) plus the product's own classification and sharing. Everything but
 * the title may wait in a draft; `missingForSubmission` says what a submitted report must have.
 * Fields not listed here (organisation, creator, status, reference…) are dropped: they are never
 * taken from a form.
 */
export const IncidentFormSchema = z.object({
  // The incident
  title: requiredText(300),
  description: optionalText(20_000),
  detectedAt: localDateTime(),
  handled: checkbox(),
  detectionMethods: choices(DETECTION_METHODS),
  detectionDetail: optionalText(2000),
  alreadyNotified: choices(NOTIFIED_PARTIES),
  // Classification
  category: categoryField(),
  severity: enumOr(SEVERITIES, 'medium'),
  criticalNationalSystem: checkbox(),
  seriousHarms: choices(SERIOUS_HARMS),
  beyondOwnerCapacity: checkbox(),
  // Sharing
  tlp: enumOr(TLP_LABELS, 'AMBER'),
  pap: enumOr(PAP_LABELS, 'AMBER'),
  recipientIds: uuidList(),
  confidential: checkbox(),
  // Contact
  contactName: optionalText(200),
  contactTitle: optionalText(200),
  contactPhone: phone(),
  contactEmail: optionalEmail(),
  // Affected system
  systemName: optionalText(300),
  systemDomains: domainList(),
  systemPublicIps: ipList(),
  systemLevel: systemLevelField(),
  systemOwner: optionalText(300),
  systemOperator: optionalText(300),
  systemIsp: optionalText(200),
  securityProvider: optionalText(200),
  // Environment and support
  environmentOs: optionalText(2000),
  environmentServices: optionalText(2000),
  environmentControls: optionalText(2000),
  supportRequested: optionalText(5000),
})
export type IncidentFormValues = z.output<typeof IncidentFormSchema>

/** Form fields sent as lists (checkbox groups, multi-selects); the pages keep them all on error. */
export const INCIDENT_LIST_FIELDS = ['detectionMethods', 'alreadyNotified', 'seriousHarms', 'recipientIds'] as const

/**
 * What a submitted report must carry (the essentials of Form 03): title, category, severity,
 * description, detection time, a contact reachable by email or phone, the affected system.
 */
export function missingForSubmission(v: {
  title: string | null
  category: string | null
  severity: string | null
  description: string | null
  detectedAt: unknown
  contactName: string | null
  contactEmail: string | null
  contactPhone: string | null
  systemName: string | null
}): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  const need = (field: string, present: unknown, key = 'validation.required') => {
    if (!present) out[field] = [key]
  }
  need('title', v.title)
  need('category', v.category)
  need('severity', v.severity)
  need('description', v.description)
  need('detectedAt', v.detectedAt)
  need('contactName', v.contactName)
  need('contactEmail', v.contactEmail || v.contactPhone, 'incidents.validation.contactMeans')
  need('systemName', v.systemName)
  return out
}

/** The closure report (Form 04). */
export const ClosureReportSchema = z.object({
  closureWhatHappened: requiredText(20_000),
  closureResolution: requiredText(20_000),
  closurePrevention: requiredText(20_000),
})

export const CommentSchema = z.object({
  body: requiredText(10_000),
  internal: checkbox(),
})

const optionalId = () =>
  z.preprocess(
    blankToUndefined,
    z
      .uuid('validation.invalid')
      .optional()
      .transform((v) => v ?? null),
  )

/** Empty means "nobody" / "no responding organisation". */
export const AssignmentSchema = z.object({
  assignedUserId: optionalId(),
  respondingOrganisationId: optionalId(),
})

export const TransitionSchema = z.enum(Object.keys(TRANSITIONS) as [Transition, ...Transition[]], 'validation.invalid')

