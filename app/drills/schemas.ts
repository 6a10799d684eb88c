import { z } from 'zod'
import { checkbox, dateField, optionalText, requiredText, uuidField } from '../lib/forms.ts'
import { LOCAL_DATE_TIME } from '../lib/dates.ts'
import { ATTENDANCE, DRILL_KINDS, DRILL_LEVELS, DRILL_ROLES, DRILL_SCOPES, DRILL_TRANSITIONS, OBJECTIVE_RESULTS, type DrillTransition } from './lifecycle.ts'

// The forms of a drill — the drill itself, a sign-up, a status change — as zod schemas shared by
// the domain module (which parses) and the pages (which name their fields after the keys).
// Messages are i18n keys. No server code here.

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

/** Values a form may send once or many times (repeated fields, checkbox groups). */
const manyStrings = z
  .union([z.string(), z.array(z.string())], { error: 'validation.invalid' })
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((s) => s.trim()))

const MAX_SESSIONS = 20
const MAX_ORGANISATIONS = 200

// A drill is for organisations, not named people: TLP:RED (named recipients only) is not offered.
export const DRILL_TLP_LABELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'] as const

const requiredEnum = <T extends string>(values: readonly [T, ...T[]]) =>
  z.preprocess(blankToUndefined, z.enum(values, 'validation.required'))

const count = (max: number) =>
  z
    .string({ error: 'validation.required' })
    .trim()
    .min(1, { error: 'validation.required', abort: true })
    .regex(/^\d+$/, { error: 'drills.validation.count', abort: true })
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, 'drills.validation.count')

const optionalCount = (max: number) => z.preprocess(blankToUndefined, count(max).optional().transform((v) => v ?? null))

const localDateTime = () =>
  z
    .string({ error: 'validation.required' })
    .trim()
    .min(1, { error: 'validation.required', abort: true })
    .regex(LOCAL_DATE_TIME, 'drills.validation.dateTime')

const httpUrl = () =>
  z
    .string()
    .trim()
    .max(2000, 'validation.tooLong')
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || /^https?:\/\/[^\s]+$/i.test(v), 'drills.validation.url')

/**
 * A drill as the organiser describes it. Times are wall-clock times (`datetime-local`) read in the
 * organiser's zone by the domain module. Fields not listed here (organiser, status, sequence…) are
 * never taken from a form.
 */
export const DrillFormSchema = z
  .object({
    title: requiredText(300),
    kind: requiredEnum(DRILL_KINDS),
    level: requiredEnum(DRILL_LEVELS),
    description: optionalText(20_000),
    scenario: optionalText(20_000),
    objectives: optionalText(10_000),
    venue: optionalText(500),
    onlineUrl: httpUrl(),
    tlp: z.preprocess(blankToUndefined, z.enum(DRILL_TLP_LABELS, 'validation.invalid').default('GREEN')),
    scope: requiredEnum(DRILL_SCOPES),
    clusterId: z.preprocess(blankToUndefined, z.uuid('validation.invalid').optional().transform((v) => v ?? null)),
    organisationIds: manyStrings
      .transform((values) => [...new Set(values.filter((v) => v !== ''))])
      .refine((values) => values.length <= MAX_ORGANISATIONS, 'drills.validation.tooMany')
      .refine((values) => values.every((v) => z.uuid().safeParse(v).success), 'validation.invalid'),
    capacity: count(10_000),
    perOrganisationCapacity: optionalCount(10_000),
    rolesOffered: manyStrings
      .transform((values) => [...new Set(values.filter((v) => v !== ''))])
      .refine((values) => values.every((v) => (DRILL_ROLES as readonly string[]).includes(v)), 'validation.invalid')
      .transform((values) => DRILL_ROLES.filter((r) => values.includes(r)))
      .refine((values) => values.length > 0, 'drills.validation.roles'),
    registrationOpensAt: localDateTime(),
    registrationClosesAt: localDateTime(),
    requiresApproval: checkbox(),
    // Sessions as repeated pairs of fields, in the order the form lists them; blank pairs (the
    // form's spare rows) are ignored.
    sessionStarts: manyStrings,
    sessionEnds: manyStrings,
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
    if (!v.venue && !v.onlineUrl) issue('venue', 'drills.validation.venueOrLink')
    if (v.scope === 'cluster' && !v.clusterId) issue('clusterId', 'validation.required')
    if (v.level === 'cluster' && !v.clusterId) issue('clusterId', 'validation.required')
    if (v.scope === 'list' && v.organisationIds.length === 0) issue('organisationIds', 'drills.validation.organisations')
    if (v.perOrganisationCapacity !== null && v.perOrganisationCapacity > v.capacity) issue('perOrganisationCapacity', 'drills.validation.perOrganisation')
    // Which participants each level may invite (issue 6): an organisation's drill is internal, a
    // cluster's is for its cluster (or some of its members), the national CERT's for anyone.
    const allowed: Record<typeof v.level, readonly (typeof v.scope)[]> = {
      organisation: ['organisation'],
      cluster: ['cluster', 'list'],
      national: ['cluster', 'network', 'list'],
      international: ['cluster', 'network', 'list'],
    }
    if (!allowed[v.level].includes(v.scope)) issue('scope', 'drills.validation.scopeForLevel')
    const pairs = sessionPairs(v)
    if (pairs.length === 0) issue('sessionStarts', 'drills.validation.sessions')
    if (pairs.length > MAX_SESSIONS) issue('sessionStarts', 'drills.validation.tooMany')
    if (pairs.some(([s, e]) => !LOCAL_DATE_TIME.test(s) || !LOCAL_DATE_TIME.test(e))) issue('sessionStarts', 'drills.validation.dateTime')
  })
export type DrillFormValues = z.output<typeof DrillFormSchema>

/** The filled session rows of a parsed form, as [start, end] wall-clock pairs. */
export function sessionPairs(v: Pick<DrillFormValues, 'sessionStarts' | 'sessionEnds'>): [string, string][] {
  const n = Math.max(v.sessionStarts.length, v.sessionEnds.length)
  const out: [string, string][] = []
  for (let i = 0; i < n; i++) {
    const s = v.sessionStarts[i] ?? ''
    const e = v.sessionEnds[i] ?? ''
    if (s !== '' || e !== '') out.push([s, e])
  }
  return out
}

export const SignUpSchema = z.object({
  role: requiredEnum(DRILL_ROLES),
  // Set when an organisation admin signs up one of their staff; absent for oneself.
  userId: z.preprocess(blankToUndefined, z.uuid('validation.invalid').optional()),
})

export const DrillTransitionSchema = z.enum(Object.keys(DRILL_TRANSITIONS) as [DrillTransition, ...DrillTransition[]], 'validation.invalid')

/** Fields a form sends repeatedly (checkbox groups, session rows): kept whole on a failed submit. */
export const DRILL_LIST_FIELDS = ['rolesOffered', 'organisationIds', 'sessionStarts', 'sessionEnds'] as const

// ---------------------------------------------------------------------------------------------
// During and after the drill: attendance, observations, the after-action report, action items.

const optionalUuid = () => z.preprocess(blankToUndefined, z.uuid('validation.invalid').optional().transform((v) => v ?? null))

export const AttendanceSchema = z.object({
  registrationId: uuidField(),
  attendance: requiredEnum(ATTENDANCE),
})

export const ObservationSchema = z.object({
  text: requiredText(5000),
  objective: optionalText(1000),
  organisationId: optionalUuid(),
  // A score on the NIST-style 1–5 scale, or none.
  score: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^[1-5]$/, 'drills.validation.score')
      .transform(Number)
      .optional()
      .transform((v) => v ?? null),
  ),
})

/** The report form: free text, and one select per objective of the drill (`assessment_<n>`). */
export function reportFormSchema(objectiveCount: number) {
  const assessments = Object.fromEntries(
    Array.from({ length: objectiveCount }, (_, i) => [`assessment_${i}`, z.preprocess(blankToUndefined, z.enum(OBJECTIVE_RESULTS, 'validation.invalid').optional())]),
  )
  return z.object({
    objectivesMet: optionalText(10_000),
    observationsSummary: optionalText(20_000),
    recommendations: optionalText(20_000),
    ...assessments,
  })
}

export const ActionItemSchema = z.object({
  description: requiredText(2000),
  ownerOrganisationId: uuidField(),
  dueOn: dateField(),
})

export const ActionItemDoneSchema = z.object({
  itemId: uuidField(),
  // "true" marks the item done, "false" reopens it (done by mistake).
  done: z.enum(['true', 'false'], 'validation.invalid').transform((v) => v === 'true'),
})

/** The participation figures' year, this year when absent. */
export const ParticipationQuerySchema = z.object({
  year: z.preprocess(blankToUndefined, z.string().trim().regex(/^\d{4}$/, 'drills.validation.year').transform(Number).refine((y) => y >= 2000 && y <= 2100, 'drills.validation.year').optional()),
})
