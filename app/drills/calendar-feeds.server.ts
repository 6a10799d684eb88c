import { and, desc, eq } from 'drizzle-orm'
import { calendarFeedTokens, drillRegistrations, users } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import { generateToken, hashToken } from '../auth/tokens.server.ts'
import { i18nFor } from '../i18n/i18n.ts'
import type { ActingContext, Services } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { loadActor } from '../policy/actor.server.ts'
import { canSeeDrill } from '../policy/policy.server.ts'
import { loadDrillFacts } from './access.server.ts'
import { buildDrillCalendar, calendarPartsOf, type CalendarDrill } from './calendar.server.ts'

// A person's calendar feed (issue 6): /calendar/<token>.ics lists the drills they hold a
// confirmed place in, as METHOD:PUBLISH, for calendar apps that poll without a session. The
// token is the credential and is stored only as its SHA-256, so it can be shown once, when it
// is made, and never again: losing it means making a new one, which also ends the old.
// Each fetch asks the policy again as the person is today: a drill they may no longer see (a
// changed TLP, a move to another organisation) drops out, and a deactivated account has no feed.

const TOKEN = /^[a-z2-7]{32}$/
/** Enough for any person's drills; a feed is not an archive. */
const FEED_LIMIT = 200

export function calendarFeedPath(token: string): string {
  return `/calendar/${token}.ics`
}

/** Whether the actor has a feed, and since when (the token itself is never readable again). */
export async function getCalendarFeed(acting: ActingContext): Promise<{ createdAt: Date } | null> {
  const [row] = await acting.services.db
    .select({ createdAt: calendarFeedTokens.createdAt })
    .from(calendarFeedTokens)
    .where(eq(calendarFeedTokens.userId, acting.actor.userId))
  return row ?? null
}

/** Makes the actor's feed token, replacing any earlier one; returns the feed URL, to show once. */
export async function rotateCalendarFeed(acting: ActingContext): Promise<{ url: string }> {
  const token = generateToken()
  const now = acting.services.now()
  await acting.services.db.transaction(async (tx) => {
    const removed = await tx.delete(calendarFeedTokens).where(eq(calendarFeedTokens.userId, acting.actor.userId)).returning({ id: calendarFeedTokens.id })
    await tx.insert(calendarFeedTokens).values({ userId: acting.actor.userId, tokenHash: hashToken(token), createdAt: now })
    await auditAs(tx, acting, {
      action: removed.length > 0 ? 'calendar_feed.rotated' : 'calendar_feed.created',
      objectType: 'user',
      objectId: acting.actor.userId,
      objectOrganisationId: acting.actor.organisationId,
    })
  })
  return { url: `${acting.services.env.APP_URL}${calendarFeedPath(token)}` }
}

/** Ends the actor's feed: calendars polling it get a 404 from now on. */
export async function revokeCalendarFeed(acting: ActingContext): Promise<void> {
  await acting.services.db.transaction(async (tx) => {
    const removed = await tx.delete(calendarFeedTokens).where(eq(calendarFeedTokens.userId, acting.actor.userId)).returning({ id: calendarFeedTokens.id })
    if (removed.length > 0) {
      await auditAs(tx, acting, { action: 'calendar_feed.revoked', objectType: 'user', objectId: acting.actor.userId, objectOrganisationId: acting.actor.organisationId })
    }
  })
}

/** The feed behind a token: the owner's confirmed drills they may still see. Unknown token → 404. */
export async function calendarFeed(services: Services, rawToken: unknown): Promise<string> {
  if (typeof rawToken !== 'string' || !TOKEN.test(rawToken)) throw new DomainError('not_found')
  const { db } = services
  const now = services.now()
  const [owner] = await db
    .select({ userId: calendarFeedTokens.userId, locale: users.locale })
    .from(calendarFeedTokens)
    .innerJoin(users, eq(users.id, calendarFeedTokens.userId))
    .where(eq(calendarFeedTokens.tokenHash, hashToken(rawToken)))
  const actor = owner ? await loadActor(db, owner.userId, now) : null
  if (!owner || !actor) throw new DomainError('not_found')
  const registrations = await db
    .select({ drillId: drillRegistrations.drillId })
    .from(drillRegistrations)
    .where(and(eq(drillRegistrations.userId, owner.userId), eq(drillRegistrations.status, 'confirmed')))
    .orderBy(desc(drillRegistrations.createdAt))
    .limit(FEED_LIMIT)
  const shown: CalendarDrill[] = []
  for (const { drillId } of registrations) {
    const loaded = await loadDrillFacts(db, drillId)
    if (loaded && canSeeDrill(actor, loaded.facts)) shown.push(await calendarPartsOf(db, loaded.row))
  }
  const locale = owner.locale === 'en' ? 'en' : 'vi'
  return buildDrillCalendar(services.env, shown, { method: 'PUBLISH', channel: 'feed', locale, now, name: i18nFor(locale).t('calendar.feedName') })
}
