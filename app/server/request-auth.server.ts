import { eq } from 'drizzle-orm'
import { organisations, users } from '../../db/schema/index.ts'
import { readSessionToken, validateSessionToken } from '../auth/session.server.ts'
import type { Services } from '../lib/context.server.ts'
import { loadActor } from '../policy/actor.server.ts'
import type { RequestAuth } from './load-context.ts'

/** Resolves the session cookie of a request to the acting user, or null. */
export async function authenticateRequest(services: Services, cookieHeader: string | null, secure: boolean): Promise<RequestAuth | null> {
  const token = readSessionToken(cookieHeader, secure)
  if (!token) return null
  const now = services.now()
  const validated = await validateSessionToken(services.db, token, now)
  if (!validated) return null
  const actor = await loadActor(services.db, validated.userId, now)
  if (!actor) return null
  const [user] = await services.db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      organisationId: users.organisationId,
      organisationName: organisations.shortName,
      locale: users.locale,
      timeZone: users.timeZone,
    })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.id, actor.userId))
  if (!user) return null
  return { actor, user, sessionId: validated.session.id }
}
