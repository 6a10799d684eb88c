import { eq } from 'drizzle-orm'
import { z } from 'zod'
import { users } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import { LOCALES, type Locale } from '../i18n/i18n.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { isValidTimeZone } from '../lib/dates.ts'
import { validate } from '../lib/forms.ts'

export const PreferencesSchema = z.object({
  locale: z
    .union([z.enum(LOCALES), z.literal('')])
    .optional()
    .transform((v) => (v ? v : null)),
  timeZone: z.string().trim().min(1, 'validation.required').max(64, 'validation.tooLong').refine(isValidTimeZone, 'validation.timeZone'),
})

/** One's own language and time zone. Only the signed-in user's own row can change here. */
export async function updateMyPreferences(acting: ActingContext, input: unknown) {
  const prefs = validate(PreferencesSchema, input)
  await acting.services.db.transaction(async (tx) => {
    await tx.update(users).set({ locale: prefs.locale, timeZone: prefs.timeZone }).where(eq(users.id, acting.actor.userId))
    await auditAs(tx, acting, {
      action: 'user.preferences_changed',
      objectType: 'user',
      objectId: acting.actor.userId,
      objectOrganisationId: acting.actor.organisationId,
      details: prefs,
    })
  })
  return prefs
}

export async function setMyLocale(acting: ActingContext, locale: Locale) {
  await acting.services.db.update(users).set({ locale }).where(eq(users.id, acting.actor.userId))
}

export async function getMyProfile(acting: ActingContext) {
  const [row] = await acting.services.db
    .select({ name: users.name, email: users.email, role: users.role, locale: users.locale, timeZone: users.timeZone, lastLoginAt: users.lastLoginAt })
    .from(users)
    .where(eq(users.id, acting.actor.userId))
  return row!
}
