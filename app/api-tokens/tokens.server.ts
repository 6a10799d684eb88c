import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm'
import { z } from 'zod'
import { apiTokens, users } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import { generateToken, hashToken } from '../auth/tokens.server.ts'
import type { ActingContext, Services } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { requiredText, validate } from '../lib/forms.ts'
import { loadActor } from '../policy/actor.server.ts'
import { authorize, can } from '../policy/policy.server.ts'
import { API_TOKEN_LIFETIMES_DAYS, API_TOKEN_SCOPES, type ApiTokenScope } from './scopes.ts'

// API tokens (issue 5): an organisation's admin makes one for a machine — named, scoped,
// expiring — and sees it once. Only its SHA-256 is kept. A request bearing it acts as the
// organisation through the admin who made it (their role and the organisation's clusters, as of
// the request), marked as a machine so that TLP:RED stays out of reach; the admin's deactivation
// or move to another organisation, the token's expiry or its revocation all end it.

export { API_TOKEN_LIFETIMES_DAYS, API_TOKEN_SCOPES, type ApiTokenScope }

/** Tokens start with this, so a leaked one is recognisable (secret scanners, logs). */
const TOKEN_PREFIX = 'csn_'
const DAY = 24 * 3600_000
/** Last use is written at most this often per token: a busy SIEM should not mean a write per request. */
const LAST_USED_GRANULARITY_MS = 60_000

const manyStrings = z
  .union([z.string(), z.array(z.string())], { error: 'validation.invalid' })
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))

export const ApiTokenFormSchema = z.object({
  name: requiredText(100),
  scopes: manyStrings
    .refine((v) => v.every((s) => (API_TOKEN_SCOPES as readonly string[]).includes(s)), 'validation.invalid')
    .transform((v) => API_TOKEN_SCOPES.filter((s) => v.includes(s)))
    .refine((v) => v.length > 0, 'apiTokens.validation.scopes'),
  lifetimeDays: z
    .string({ error: 'validation.required' })
    .refine((v) => (API_TOKEN_LIFETIMES_DAYS as readonly number[]).includes(Number(v)), 'validation.invalid')
    .transform(Number),
})

/** Whether the actor may manage their organisation's tokens (the users page's link). */
export function mayManageApiTokens(acting: ActingContext): boolean {
  return can(acting.actor, { action: 'apiToken.manage', organisationId: acting.actor.organisationId })
}

/** Makes a token for the actor's organisation; returns it once (never stored, never shown again). */
export async function createApiToken(acting: ActingContext, input: unknown) {
  authorize(acting.actor, { action: 'apiToken.manage', organisationId: acting.actor.organisationId })
  const form = validate(ApiTokenFormSchema, input)
  const now = acting.services.now()
  const token = `${TOKEN_PREFIX}${generateToken()}`
  return acting.services.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({
        organisationId: acting.actor.organisationId,
        name: form.name,
        scopes: form.scopes,
        tokenHash: hashToken(token),
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        createdBy: acting.actor.userId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + form.lifetimeDays * DAY),
      })
      .returning()
    await auditAs(tx, acting, {
      action: 'api_token.created',
      objectType: 'api_token',
      objectId: row!.id,
      objectOrganisationId: row!.organisationId,
      details: { name: row!.name, scopes: row!.scopes, expiresAt: row!.expiresAt.toISOString() },
    })
    return { id: row!.id, token, name: row!.name, scopes: row!.scopes, expiresAt: row!.expiresAt }
  })
}

/** The organisation's tokens, newest first (never the secret). */
export async function listApiTokens(acting: ActingContext) {
  authorize(acting.actor, { action: 'apiToken.manage', organisationId: acting.actor.organisationId })
  const now = acting.services.now()
  const rows = await acting.services.db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      scopes: apiTokens.scopes,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      createdByName: users.name,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
      lastUsedIp: apiTokens.lastUsedIp,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.createdBy))
    .where(eq(apiTokens.organisationId, acting.actor.organisationId))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
    .limit(200)
  return rows.map((r) => ({ ...r, state: r.revokedAt ? ('revoked' as const) : r.expiresAt <= now ? ('expired' as const) : ('active' as const) }))
}

/** Revokes one of the organisation's tokens; a token of another organisation is a 404. */
export async function revokeApiToken(acting: ActingContext, rawId: unknown) {
  authorize(acting.actor, { action: 'apiToken.manage', organisationId: acting.actor.organisationId })
  const id = z.uuid().safeParse(rawId)
  if (!id.success) throw new DomainError('not_found')
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: now, revokedBy: acting.actor.userId })
      .where(and(eq(apiTokens.id, id.data), eq(apiTokens.organisationId, acting.actor.organisationId), isNull(apiTokens.revokedAt)))
      .returning()
    if (!row) {
      const [existing] = await tx.select({ id: apiTokens.id }).from(apiTokens).where(and(eq(apiTokens.id, id.data), eq(apiTokens.organisationId, acting.actor.organisationId)))
      if (!existing) throw new DomainError('not_found')
      return { id: id.data, revoked: false }
    }
    await auditAs(tx, acting, { action: 'api_token.revoked', objectType: 'api_token', objectId: row.id, objectOrganisationId: row.organisationId, details: { name: row.name } })
    return { id: row.id, revoked: true }
  })
}

export interface TokenAuth {
  tokenId: string
  scopes: ApiTokenScope[]
  acting: ActingContext
}

/**
 * The acting context of a bearer token, or null when it is unknown, revoked, expired, or its
 * creator may no longer act for the organisation. Records the last use (at most once a minute).
 */
export async function authenticateApiToken(services: Services, bearer: string, ip: string | null): Promise<TokenAuth | null> {
  if (!bearer.startsWith(TOKEN_PREFIX) || bearer.length > 200) return null
  const now = services.now()
  const [row] = await services.db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(bearer)))
  if (!row || row.revokedAt || row.expiresAt <= now) return null
  const creator = await loadActor(services.db, row.createdBy, now)
  if (!creator || creator.organisationId !== row.organisationId || creator.role !== 'org_admin') return null
  // Most requests of a busy client fall within the minute: no write for them at all.
  const stale = !row.lastUsedAt || row.lastUsedAt.getTime() < now.getTime() - LAST_USED_GRANULARITY_MS
  if (stale) {
    await services.db
      .update(apiTokens)
      .set({ lastUsedAt: now, lastUsedIp: ip })
      .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`${new Date(now.getTime() - LAST_USED_GRANULARITY_MS).toISOString()}::timestamptz`))))
  }
  return { tokenId: row.id, scopes: row.scopes, acting: { services, actor: { ...creator, apiTokenId: row.id }, ip } }
}
