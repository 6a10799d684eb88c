import { and, asc, eq, isNull } from 'drizzle-orm'
import { z } from 'zod'
import type { Executor } from '../../db/client.ts'
import { notificationPreferences, organisationNotificationDefaults, organisations } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { validate } from '../lib/forms.ts'
import { authorize, can, isSysadmin } from '../policy/policy.server.ts'
import { CONFIGURABLE_EVENT_TYPES, DELIVERY_MODES, EVENT_TYPES, eventTypeInfo, type DeliveryMode, type EventType } from './event-types.ts'

// How each person receives each kind of notification. The order of precedence is the one
// fanOutEvent applies: the person's own choice, else their organisation's default, else the
// event type's default. Account-security mails (invitations, password resets) are not
// configurable and always go out at once.
//
// Saving never pins a choice that only repeats what is inherited: a row is written when it
// differs from the inherited mode, or updated when one already exists. That way a person who
// never touched a setting keeps following their organisation's default when it later changes.

/** Form field names. The two forms share a page, so their fields (and label ids) must differ. */
export const personalField = (type: string) => `mode.${type}`
export const organisationField = (type: string) => `default.${type}`

const modeSchema = z.enum(DELIVERY_MODES as readonly [DeliveryMode, ...DeliveryMode[]], 'validation.invalid')

/** One optional mode per configurable type; a non-configurable type in the input is refused. */
function modesSchema(field: (type: string) => string) {
  const shape = Object.fromEntries(CONFIGURABLE_EVENT_TYPES.map((type) => [field(type), modeSchema.optional()]))
  return z
    .object(shape)
    .catchall(z.unknown())
    .superRefine((value, ctx) => {
      for (const type of Object.keys(EVENT_TYPES)) {
        if (!eventTypeInfo(type).configurable && field(type) in value) {
          ctx.addIssue({ code: 'custom', path: [field(type)], message: 'validation.invalid' })
        }
      }
    })
}

const PersonalSchema = modesSchema(personalField)
const OrganisationSchema = modesSchema(organisationField).and(
  z.object({
    organisationId: z.string({ error: 'validation.required' }).min(1, 'validation.required').pipe(z.uuid('validation.invalid')),
  }),
)

function chosenModes(parsed: Record<string, unknown>, field: (type: string) => string): Map<EventType, DeliveryMode> {
  const out = new Map<EventType, DeliveryMode>()
  for (const type of CONFIGURABLE_EVENT_TYPES) {
    const mode = parsed[field(type)]
    if (typeof mode === 'string') out.set(type, mode as DeliveryMode)
  }
  return out
}

async function ownModes(db: Executor, userId: string) {
  const rows = await db
    .select({ eventType: notificationPreferences.eventType, mode: notificationPreferences.mode })
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId))
  return new Map(rows.map((r) => [r.eventType, r.mode]))
}

async function organisationModes(db: Executor, organisationId: string) {
  const rows = await db
    .select({ eventType: organisationNotificationDefaults.eventType, mode: organisationNotificationDefaults.mode })
    .from(organisationNotificationDefaults)
    .where(eq(organisationNotificationDefaults.organisationId, organisationId))
  return new Map(rows.map((r) => [r.eventType, r.mode]))
}

export interface PreferenceRow {
  eventType: EventType
  /** The form field carrying this type's mode. */
  field: string
  /** What applies now. */
  mode: DeliveryMode
  /** The person's (or organisation's) own saved choice, if any. */
  saved: DeliveryMode | null
  /** What applies without a saved choice, and where it comes from. */
  inherited: DeliveryMode
  inheritedFrom: 'organisation' | 'type'
}

/** The signed-in user's settings for every configurable event type. */
export async function getMyNotificationPreferences(acting: ActingContext): Promise<PreferenceRow[]> {
  const db = acting.services.db
  const [own, org] = [await ownModes(db, acting.actor.userId), await organisationModes(db, acting.actor.organisationId)]
  return CONFIGURABLE_EVENT_TYPES.map((eventType) => {
    const orgMode = org.get(eventType)
    const inherited = orgMode ?? EVENT_TYPES[eventType].defaultMode
    const saved = own.get(eventType) ?? null
    return { eventType, field: personalField(eventType), mode: saved ?? inherited, saved, inherited, inheritedFrom: orgMode ? 'organisation' : 'type' }
  })
}

/** Saves one's own choices. Only the signed-in user's rows can change here. */
export async function saveMyNotificationPreferences(acting: ActingContext, input: unknown) {
  const chosen = chosenModes(validate(PersonalSchema, input), personalField)
  const userId = acting.actor.userId
  return acting.services.db.transaction(async (tx) => {
    const own = await ownModes(tx, userId)
    const org = await organisationModes(tx, acting.actor.organisationId)
    const changes: Record<string, DeliveryMode> = {}
    for (const [eventType, mode] of chosen) {
      const saved = own.get(eventType)
      const inherited = org.get(eventType) ?? EVENT_TYPES[eventType].defaultMode
      if (saved ? saved === mode : inherited === mode) continue
      await tx
        .insert(notificationPreferences)
        .values({ userId, eventType, mode })
        .onConflictDoUpdate({ target: [notificationPreferences.userId, notificationPreferences.eventType], set: { mode } })
      changes[eventType] = mode
    }
    if (Object.keys(changes).length > 0) {
      await auditAs(tx, acting, {
        action: 'notifications.preferences_changed',
        objectType: 'user',
        objectId: userId,
        objectOrganisationId: acting.actor.organisationId,
        details: { changes },
      })
    }
    return { changes }
  })
}

// ---------------------------------------------------------------------------------------------
// Organisation defaults

/**
 * Organisations whose defaults the actor may set: every active one for a sysadmin, their own
 * for an organisation admin, none for anybody else.
 */
export async function defaultsOrganisationChoices(acting: ActingContext) {
  const { actor } = acting
  if (!can(actor, { action: 'notifications.setOrganisationDefaults', organisationId: actor.organisationId })) return []
  return acting.services.db
    .select({ id: organisations.id, shortName: organisations.shortName })
    .from(organisations)
    .where(
      isSysadmin(actor)
        ? and(eq(organisations.active, true), isNull(organisations.mergedIntoId))
        : eq(organisations.id, actor.organisationId),
    )
    .orderBy(asc(organisations.kind), asc(organisations.shortName))
}

async function requireOrganisation(db: Executor, organisationId: string) {
  const [org] = await db.select({ id: organisations.id, shortName: organisations.shortName }).from(organisations).where(eq(organisations.id, organisationId))
  if (!org) throw new DomainError('not_found')
  return org
}

/** An organisation's defaults, for those allowed to set them (others: 403; unknown id: 404). */
export async function getOrganisationDefaults(acting: ActingContext, organisationId: string) {
  if (!z.uuid().safeParse(organisationId).success) throw new DomainError('not_found')
  authorize(acting.actor, { action: 'notifications.setOrganisationDefaults', organisationId })
  const db = acting.services.db
  const org = await requireOrganisation(db, organisationId)
  const saved = await organisationModes(db, organisationId)
  const rows: PreferenceRow[] = CONFIGURABLE_EVENT_TYPES.map((eventType) => {
    const inherited = EVENT_TYPES[eventType].defaultMode
    const own = saved.get(eventType) ?? null
    return { eventType, field: organisationField(eventType), mode: own ?? inherited, saved: own, inherited, inheritedFrom: 'type' }
  })
  return { organisation: org, rows }
}

/** Sets an organisation's defaults (sysadmin, or that organisation's admin). */
export async function saveOrganisationDefaults(acting: ActingContext, input: unknown) {
  const parsed = validate(OrganisationSchema, input)
  const { organisationId } = parsed
  authorize(acting.actor, { action: 'notifications.setOrganisationDefaults', organisationId })
  const chosen = chosenModes(parsed, organisationField)
  return acting.services.db.transaction(async (tx) => {
    await requireOrganisation(tx, organisationId)
    const saved = await organisationModes(tx, organisationId)
    const changes: Record<string, DeliveryMode> = {}
    for (const [eventType, mode] of chosen) {
      const current = saved.get(eventType)
      if (current ? current === mode : EVENT_TYPES[eventType].defaultMode === mode) continue
      await tx
        .insert(organisationNotificationDefaults)
        .values({ organisationId, eventType, mode })
        .onConflictDoUpdate({
          target: [organisationNotificationDefaults.organisationId, organisationNotificationDefaults.eventType],
          set: { mode },
        })
      changes[eventType] = mode
    }
    if (Object.keys(changes).length > 0) {
      await auditAs(tx, acting, {
        action: 'notifications.defaults_changed',
        objectType: 'organisation',
        objectId: organisationId,
        objectOrganisationId: organisationId,
        details: { changes },
      })
    }
    return { organisationId, changes }
  })
}
