import { and, count, eq, gt, isNull } from 'drizzle-orm'
import { z } from 'zod'
import { accountTokens, users } from '../../db/schema/index.ts'
import { recordAudit } from '../audit/audit.server.ts'
import type { AnonymousContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { emailField, validate } from '../lib/forms.ts'
import { emitEvent } from '../notifications/emit.server.ts'
import { ipKey, recordFailure, throttleWait } from './throttle.server.ts'
import { generateToken, hashToken } from './tokens.server.ts'

export const ResetRequestSchema = z.object({ email: emailField() })

const RESET_LINK_MS = 60 * 60 * 1000
// At most this many reset mails per address per hour (ASVS 2.4.1): the answer stays the same,
// so a flood neither spams the owner nor tells the sender anything.
const MAX_RESETS_PER_HOUR = 3

/**
 * "Forgot password": if an active account has this address, a one-hour one-time link is
 * emailed. The caller always gets the same answer, whether or not the account exists.
 */
export async function requestPasswordReset(ctx: AnonymousContext, input: unknown): Promise<void> {
  const { email } = validate(ResetRequestSchema, input)
  const { db } = ctx.services
  const now = ctx.services.now()
  if (ctx.ip) {
    const wait = await throttleWait(db, `reset-${ipKey(ctx.ip)}`, now)
    if (wait > 0) throw new DomainError('rate_limited', 'errors.rate_limited', { retryAfterSeconds: wait })
    await recordFailure(db, `reset-${ipKey(ctx.ip)}`, 'ip', now)
  }
  const [user] = await db
    .select({ id: users.id, organisationId: users.organisationId, status: users.status })
    .from(users)
    .where(eq(users.email, email))
  if (!user || user.status !== 'active') return
  const [recent] = await db
    .select({ n: count() })
    .from(accountTokens)
    .where(and(eq(accountTokens.userId, user.id), eq(accountTokens.purpose, 'password_reset'), gt(accountTokens.createdAt, new Date(now.getTime() - 3600_000))))
  if ((recent?.n ?? 0) >= MAX_RESETS_PER_HOUR) return
  const token = generateToken()
  const expiresAt = new Date(now.getTime() + RESET_LINK_MS)
  await db.transaction(async (tx) => {
    // Only the newest link works.
    await tx
      .update(accountTokens)
      .set({ usedAt: now })
      .where(and(eq(accountTokens.userId, user.id), eq(accountTokens.purpose, 'password_reset'), isNull(accountTokens.usedAt)))
    await tx.insert(accountTokens).values({ tokenHash: hashToken(token), purpose: 'password_reset', userId: user.id, createdAt: now, expiresAt })
    await emitEvent(tx, ctx.services, {
      type: 'auth.password_reset_requested',
      objectType: 'user',
      objectId: user.id,
      organisationId: user.organisationId,
      actorUserId: user.id,
      payload: { userId: user.id, expiresAt: expiresAt.toISOString() },
      secrets: { token },
    })
    await recordAudit(tx, { actorUserId: null, actorOrganisationId: null, ip: ctx.ip }, {
      action: 'auth.password_reset_requested',
      objectType: 'user',
      objectId: user.id,
      objectOrganisationId: user.organisationId,
    })
  })
}
