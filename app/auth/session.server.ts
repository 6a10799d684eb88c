import { and, eq, lt, ne, or } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { sessions, users } from '../../db/schema/index.ts'
import { generateToken, hashToken } from './tokens.server.ts'

// Sessions per Lucia's current guidance (the `lucia` package itself is abandoned): our own
// table keyed by SHA-256(token); idle (sliding) and absolute expiry; revocation by deleting rows.
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000
// Extend the sliding expiry at most every few minutes, not on every request.
const SLIDE_AFTER_MS = 5 * 60 * 1000

export interface SessionMeta {
  ip: string | null
  userAgent: string | null
}

export async function createSession(db: Executor, userId: string, meta: SessionMeta, now: Date) {
  const token = generateToken()
  const id = hashToken(token)
  await db.insert(sessions).values({
    id,
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_IDLE_MS),
    absoluteExpiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
  })
  return { token, id, expiresAt: new Date(now.getTime() + SESSION_IDLE_MS) }
}

/** Returns the session and its (active) user, sliding the idle expiry; null if invalid. */
export async function validateSessionToken(db: Executor, token: string, now: Date) {
  if (!/^[a-z2-7]{32}$/.test(token)) return null
  const id = hashToken(token)
  const [row] = await db
    .select({ session: sessions, user: { id: users.id, status: users.status } })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, id))
  if (!row) return null
  const { session } = row
  if (now >= session.expiresAt || now >= session.absoluteExpiresAt || row.user.status !== 'active') {
    await db.delete(sessions).where(eq(sessions.id, id))
    return null
  }
  if (now.getTime() - session.lastSeenAt.getTime() > SLIDE_AFTER_MS) {
    const expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, session.absoluteExpiresAt.getTime()))
    await db.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.id, id))
    session.expiresAt = expiresAt
    session.lastSeenAt = now
  }
  return { session, userId: row.user.id }
}

export async function invalidateSession(db: Executor, sessionId: string) {
  await db.delete(sessions).where(eq(sessions.id, sessionId))
}

/** Ends every session of a user (deactivation, role change), or all but one (password change). */
export async function invalidateUserSessions(db: Executor, userId: string, exceptSessionId?: string) {
  await db
    .delete(sessions)
    .where(exceptSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId)) : eq(sessions.userId, userId))
}

export async function deleteExpiredSessions(db: Executor, now: Date) {
  await db.delete(sessions).where(or(lt(sessions.expiresAt, now), lt(sessions.absoluteExpiresAt, now)))
}

// The cookie holds only the token. `__Host-` pins it to this origin, path / and Secure
// (ASVS 3.3.1); plain HTTP demo mode cannot use that prefix, so it gets a plain name.
export function sessionCookieName(secure: boolean) {
  return secure ? '__Host-csirtnet_session' : 'csirtnet_session'
}

export function serializeSessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const parts = [`${sessionCookieName(secure)}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Expires=${expiresAt.toUTCString()}`]
  if (secure) parts.push('Secure')
  return parts.join('; ')
}

export function serializeBlankSessionCookie(secure: boolean): string {
  const parts = [`${sessionCookieName(secure)}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0']
  if (secure) parts.push('Secure')
  return parts.join('; ')
}

export function readSessionToken(cookieHeader: string | null, secure: boolean): string | null {
  if (!cookieHeader) return null
  const name = sessionCookieName(secure)
  for (const part of cookieHeader.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return v.join('=') || null
  }
  return null
}
