import { and, eq, gt, isNull } from 'drizzle-orm'
import { accountTokens, organisations, users } from '../../db/schema/index.ts'
import { recordAudit } from '../audit/audit.server.ts'
import type { AnonymousContext, ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from './password.server.ts'
import { createSession, invalidateSession, invalidateUserSessions } from './session.server.ts'
import { accountKey, clearFailures, ipKey, recordFailure, throttleWait } from './throttle.server.ts'
import { hashToken } from './tokens.server.ts'
import { LoginSchema, SetPasswordSchema, ChangePasswordSchema } from './schemas.ts'
import { validate } from '../lib/forms.ts'

export type LoginResult = { token: string; expiresAt: Date; userId: string }

/** Verifies credentials under throttling and opens a fresh session (the old one, if any, ends). */
export async function login(
  ctx: AnonymousContext,
  input: unknown,
  previousSessionId: string | null = null,
): Promise<LoginResult> {
  const { email, password } = validate(LoginSchema, input)
  const { db } = ctx.services
  const now = ctx.services.now()
  const keys = [accountKey(email), ...(ctx.ip ? [ipKey(ctx.ip)] : [])]
  for (const key of keys) {
    const wait = await throttleWait(db, key, now)
    if (wait > 0) throw new DomainError('rate_limited', 'auth.tooManyAttempts', { retryAfterSeconds: wait })
  }
  const [user] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, status: users.status, organisationId: users.organisationId, orgActive: organisations.active })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.email, email))
  const ok = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false)
  if (!user || !ok || user.status !== 'active' || !user.orgActive) {
    await db.transaction(async (tx) => {
      await recordFailure(tx, accountKey(email), 'account', now)
      if (ctx.ip) await recordFailure(tx, ipKey(ctx.ip), 'ip', now)
      await recordAudit(tx, { actorUserId: user?.id ?? null, actorOrganisationId: user?.organisationId ?? null, ip: ctx.ip }, {
        action: 'auth.login_failed',
        objectType: 'user',
        objectId: user?.id ?? null,
        objectOrganisationId: user?.organisationId ?? null,
        // The address tried, never the password.
        details: { email },
      })
    })
    // One message for every cause, so the form does not reveal which accounts exist.
    throw new DomainError('unauthenticated', 'auth.invalidCredentials')
  }
  return db.transaction(async (tx) => {
    // Rotation on login (ASVS 7.2.4): whatever session the browser had is ended.
    if (previousSessionId) await invalidateSession(tx, previousSessionId)
    await clearFailures(tx, accountKey(email))
    const session = await createSession(tx, user.id, { ip: ctx.ip, userAgent: ctx.userAgent }, now)
    await tx.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id))
    await recordAudit(tx, { actorUserId: user.id, actorOrganisationId: user.organisationId, ip: ctx.ip }, {
      action: 'auth.login',
      objectType: 'user',
      objectId: user.id,
      objectOrganisationId: user.organisationId,
    })
    return { token: session.token, expiresAt: session.expiresAt, userId: user.id }
  })
}

export async function logout(acting: ActingContext, sessionId: string) {
  await acting.services.db.transaction(async (tx) => {
    await invalidateSession(tx, sessionId)
    await recordAudit(tx, { actorUserId: acting.actor.userId, actorOrganisationId: acting.actor.organisationId, ip: acting.ip }, {
      action: 'auth.logout',
      objectType: 'user',
      objectId: acting.actor.userId,
      objectOrganisationId: acting.actor.organisationId,
    })
  })
}

/** Looks up a one-time link without using it (to render the set-password page). */
export async function peekAccountToken(ctx: AnonymousContext, token: string) {
  const now = ctx.services.now()
  if (!/^[a-z2-7]{32}$/.test(token)) return null
  const [row] = await ctx.services.db
    .select({ purpose: accountTokens.purpose, email: users.email, name: users.name })
    .from(accountTokens)
    .innerJoin(users, eq(users.id, accountTokens.userId))
    .where(and(eq(accountTokens.tokenHash, hashToken(token)), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)))
  return row ?? null
}

/** Uses an invitation (or reset) link: sets the password, activates the account, signs in. */
export async function redeemAccountToken(ctx: AnonymousContext, token: string, input: unknown): Promise<LoginResult> {
  const { password } = validate(SetPasswordSchema, input)
  const now = ctx.services.now()
  return ctx.services.db.transaction(async (tx) => {
    // Claim the token by update so two submissions of one link cannot both succeed.
    const [claimed] = await tx
      .update(accountTokens)
      .set({ usedAt: now })
      .where(and(eq(accountTokens.tokenHash, hashToken(token)), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)))
      .returning()
    if (!claimed) throw new DomainError('not_found', 'auth.linkInvalid')
    const [user] = await tx.select().from(users).where(eq(users.id, claimed.userId))
    if (!user || user.status === 'deactivated') throw new DomainError('not_found', 'auth.linkInvalid')
    const problem = passwordProblem(password, { email: user.email, name: user.name })
    if (problem) throw new DomainError('validation', 'errors.validation', { fieldErrors: { password: [problem] } })
    await tx
      .update(users)
      .set({ passwordHash: await hashPassword(password), passwordChangedAt: now, status: 'active', lastLoginAt: now })
      .where(eq(users.id, user.id))
    await invalidateUserSessions(tx, user.id)
    const session = await createSession(tx, user.id, { ip: ctx.ip, userAgent: ctx.userAgent }, now)
    await recordAudit(tx, { actorUserId: user.id, actorOrganisationId: user.organisationId, ip: ctx.ip }, {
      action: claimed.purpose === 'invitation' ? 'auth.invitation_accepted' : 'auth.password_reset',
      objectType: 'user',
      objectId: user.id,
      objectOrganisationId: user.organisationId,
    })
    return { token: session.token, expiresAt: session.expiresAt, userId: user.id }
  })
}

/**
 * Changes one's own password (the current one is required, ASVS 6.2.3). Every session ends,
 * the current one included, and a new one is returned: rotation on privilege change.
 */
export async function changePassword(acting: ActingContext, input: unknown, meta: { userAgent: string | null }) {
  const { currentPassword, newPassword } = validate(ChangePasswordSchema, input)
  const { db } = acting.services
  const now = acting.services.now()
  const [user] = await db.select().from(users).where(eq(users.id, acting.actor.userId))
  if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, currentPassword))) {
    throw new DomainError('validation', 'errors.validation', { fieldErrors: { currentPassword: ['auth.currentPasswordWrong'] } })
  }
  const problem = passwordProblem(newPassword, { email: user.email })
  if (problem) throw new DomainError('validation', 'errors.validation', { fieldErrors: { newPassword: [problem] } })
  return db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash: await hashPassword(newPassword), passwordChangedAt: now }).where(eq(users.id, user.id))
    await invalidateUserSessions(tx, user.id)
    const session = await createSession(tx, user.id, { ip: acting.ip, userAgent: meta.userAgent }, now)
    await recordAudit(tx, { actorUserId: user.id, actorOrganisationId: user.organisationId, ip: acting.ip }, {
      action: 'auth.password_changed',
      objectType: 'user',
      objectId: user.id,
      objectOrganisationId: user.organisationId,
    })
    return { token: session.token, expiresAt: session.expiresAt }
  })
}
