import { and, asc, eq, gt, ilike, isNull, or, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Transaction } from '../../db/client.ts'
import { accountTokens, organisations, users } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import { emitEvent } from '../notifications/emit.server.ts'
import { invalidateUserSessions } from '../auth/session.server.ts'
import { generateToken, hashToken } from '../auth/tokens.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { emailField, optionalText, requiredText, validate } from '../lib/forms.ts'
import { USER_ROLES, type Actor, type OrganisationKind, type UserRole } from '../policy/actor.ts'
import { assignableRoles, authorize, can, isSysadmin, visibleUsersWhere } from '../policy/policy.server.ts'
import { USER_STATUSES, type UserStatus } from './users.ts'

// User administration: invitations, roles, deactivation. Who may see and manage whom is the
// policy's (visibleUsersWhere, user.invite, user.manage); this module adds what the policy
// cannot know by itself — that a role must fit the kind of organisation it is held in.

/** An invitation link stays usable for a week; a new one can be sent at any time. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000

const PAGE_SIZE = 50

/** Roles an organisation of this kind can hold at all: national-CERT roles only at the national CERT. */
function rolesForKind(kind: OrganisationKind): UserRole[] {
  return kind === 'national_cert' ? [...USER_ROLES] : ['reporter', 'responder', 'org_admin']
}

const roleNotForOrganisation = () =>
  new DomainError('validation', 'errors.validation', { fieldErrors: { role: ['admin.users.errors.roleNotForOrganisation'] } })

const escapeLike = (s: string) => s.replace(/[%_\\]/g, '\\$&')

// A blank select or text box means "no filter".
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

// ---------------------------------------------------------------------------------------------
// Listing

export const UserListQuerySchema = z.object({
  q: z.preprocess(blankToUndefined, z.string().trim().max(100, 'validation.tooLong').optional()),
  // Not "organisationId": the invitation form on the same page has a field of that name.
  organisation: z.preprocess(blankToUndefined, z.uuid('validation.invalid').optional()),
  status: z.preprocess(blankToUndefined, z.enum(USER_STATUSES, 'validation.invalid').optional()),
  /** Keyset cursor: the id of the last user of the previous page. */
  after: z.preprocess(blankToUndefined, z.uuid('validation.invalid').optional()),
})
export type UserListQuery = z.output<typeof UserListQuerySchema>

const listColumns = {
  id: users.id,
  name: users.name,
  email: users.email,
  title: users.title,
  role: users.role,
  status: users.status,
  lastLoginAt: users.lastLoginAt,
  organisationId: users.organisationId,
  organisationName: organisations.shortName,
}

/**
 * Users the actor may see (all for sysadmins, their own organisation for organisation admins),
 * by name, a page at a time. `after` continues after the named user, so a page never repeats
 * or skips rows when users are invited meanwhile.
 */
export async function listUsers(acting: ActingContext, input: unknown) {
  authorize(acting.actor, { action: 'user.list' })
  const query = validate(UserListQuerySchema, input)
  const { db } = acting.services
  const conditions: (SQL | undefined)[] = [visibleUsersWhere(acting.actor)]
  if (query.organisation) conditions.push(eq(users.organisationId, query.organisation))
  if (query.status) conditions.push(eq(users.status, query.status))
  if (query.q) {
    const q = `%${escapeLike(query.q)}%`
    conditions.push(or(ilike(users.name, q), ilike(users.email, q)))
  }
  if (query.after) {
    // The cursor row is looked up under the same visibility, so it cannot be used to probe
    // where an unseen user would sort.
    const [cursor] = await db
      .select({ name: users.name, id: users.id })
      .from(users)
      .where(and(visibleUsersWhere(acting.actor), eq(users.id, query.after)))
    if (cursor) conditions.push(or(gt(users.name, cursor.name), and(eq(users.name, cursor.name), gt(users.id, cursor.id))))
  }
  const rows = await db
    .select(listColumns)
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(...conditions))
    .orderBy(asc(users.name), asc(users.id))
    .limit(PAGE_SIZE + 1)
  const page = rows.slice(0, PAGE_SIZE)
  return { users: page, nextAfter: rows.length > PAGE_SIZE ? page[page.length - 1]!.id : undefined }
}

/**
 * Organisations the actor may invite into, each with the roles it may hand out there:
 * every active organisation for a sysadmin, one's own for an organisation admin.
 */
export async function invitationChoices(acting: ActingContext) {
  authorize(acting.actor, { action: 'user.list' })
  const rows = await acting.services.db
    .select({ id: organisations.id, shortName: organisations.shortName, kind: organisations.kind })
    .from(organisations)
    .where(
      and(
        eq(organisations.active, true),
        isSysadmin(acting.actor) ? undefined : eq(organisations.id, acting.actor.organisationId),
      ),
    )
    .orderBy(asc(organisations.kind), asc(organisations.shortName))
  return rows
    .map((o) => ({ ...o, roles: assignableRoles(acting.actor, o.id, o.kind) }))
    .filter((o) => o.roles.length > 0)
}

/** Organisations to filter lists by (users, audit): all of them, for a sysadmin only. */
export async function organisationFilterChoices(acting: ActingContext) {
  if (!isSysadmin(acting.actor)) return []
  return acting.services.db
    .select({ id: organisations.id, shortName: organisations.shortName, active: organisations.active })
    .from(organisations)
    .orderBy(asc(organisations.kind), asc(organisations.shortName))
}

// ---------------------------------------------------------------------------------------------
// Inviting

export const InviteSchema = z.object({
  email: emailField(),
  name: requiredText(200),
  title: optionalText(200),
  organisationId: z.string({ error: 'validation.required' }).min(1, 'validation.required').pipe(z.uuid('validation.invalid')),
  role: z.enum(USER_ROLES, 'validation.invalid'),
})

function invitationLink(acting: ActingContext, token: string) {
  return `${acting.services.env.APP_URL}/invite/${token}`
}

/**
 * A one-time link, and the event that emails it to the invitee (from the worker, in the same
 * transaction). The admin also sees the link once, for when mail cannot reach the person.
 */
async function issueInvitation(
  tx: Transaction,
  acting: ActingContext,
  invitee: { id: string; organisationId: string; role: string },
  now: Date,
) {
  const userId = invitee.id
  const token = generateToken()
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS)
  await tx.insert(accountTokens).values({
    tokenHash: hashToken(token),
    purpose: 'invitation',
    userId,
    createdBy: acting.actor.userId,
    createdAt: now,
    expiresAt,
  })
  const [inviter] = await tx.select({ name: users.name }).from(users).where(eq(users.id, acting.actor.userId))
  await emitEvent(tx, acting.services, {
    type: 'user.invited',
    objectType: 'user',
    objectId: userId,
    organisationId: invitee.organisationId,
    actorUserId: acting.actor.userId,
    payload: { userId, role: invitee.role, inviterName: inviter?.name ?? '', expiresAt: expiresAt.toISOString() },
    secrets: { token },
  })
  return { link: invitationLink(acting, token), expiresAt }
}

/** Ends every unused link of a user (a link is one-time, and the newest one is the only one). */
async function expireOpenTokens(tx: Transaction, userId: string, now: Date, purpose?: 'invitation') {
  await tx
    .update(accountTokens)
    .set({ expiresAt: now })
    .where(
      and(
        eq(accountTokens.userId, userId),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, now),
        purpose ? eq(accountTokens.purpose, purpose) : undefined,
      ),
    )
}

/**
 * Creates an invited account (no password) and a one-time invitation link, returned once so the
 * admin can pass it on; only the link's SHA-256 is stored.
 */
export async function inviteUser(acting: ActingContext, input: unknown) {
  const values = validate(InviteSchema, input)
  const { db } = acting.services
  const now = acting.services.now()
  const [org] = await db
    .select({ id: organisations.id, kind: organisations.kind, active: organisations.active })
    .from(organisations)
    .where(eq(organisations.id, values.organisationId))
  if (!org || !org.active) {
    throw new DomainError('validation', 'errors.validation', { fieldErrors: { organisationId: ['validation.invalid'] } })
  }
  // Another organisation is refused outright; a role that the organisation cannot hold is a
  // correctable mistake in the form.
  if (assignableRoles(acting.actor, org.id, org.kind).length === 0) throw new DomainError('forbidden')
  if (!rolesForKind(org.kind).includes(values.role)) throw roleNotForOrganisation()
  authorize(acting.actor, { action: 'user.invite', organisationId: org.id, organisationKind: org.kind, role: values.role })

  return db.transaction(async (tx) => {
    // The unique index decides under races; doing nothing on conflict keeps the transaction usable.
    const [user] = await tx
      .insert(users)
      .values({
        email: values.email,
        name: values.name,
        title: values.title,
        organisationId: org.id,
        role: values.role,
        status: 'invited',
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id, email: users.email, name: users.name })
    if (!user) {
      throw new DomainError('conflict', 'admin.users.errors.emailTaken', { fieldErrors: { email: ['admin.users.errors.emailTaken'] } })
    }
    const invitation = await issueInvitation(tx, acting, { id: user.id, organisationId: org.id, role: values.role }, now)
    await auditAs(tx, acting, {
      action: 'user.invited',
      objectType: 'user',
      objectId: user.id,
      objectOrganisationId: org.id,
      details: { email: user.email, role: values.role },
    })
    return { user, ...invitation }
  })
}

// ---------------------------------------------------------------------------------------------
// One user

const userIdSchema = z.uuid()

/** The target as the actor may see it, or not_found: an unseen user and a missing one look alike. */
async function loadVisibleUser(acting: ActingContext, userId: string) {
  authorize(acting.actor, { action: 'user.list' })
  if (!userIdSchema.safeParse(userId).success) throw new DomainError('not_found')
  const [row] = await acting.services.db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      title: users.title,
      phone: users.phone,
      role: users.role,
      status: users.status,
      hasPassword: users.passwordHash,
      lastLoginAt: users.lastLoginAt,
      deactivatedAt: users.deactivatedAt,
      createdAt: users.createdAt,
      organisationId: users.organisationId,
      organisationName: organisations.shortName,
      organisationKind: organisations.kind,
    })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(visibleUsersWhere(acting.actor), eq(users.id, userId)))
  if (!row) throw new DomainError('not_found')
  const { hasPassword, ...user } = row
  return { ...user, hasPassword: hasPassword !== null }
}
type VisibleUser = Awaited<ReturnType<typeof loadVisibleUser>>

const manageRequest = (target: VisibleUser, role: UserRole) =>
  ({
    action: 'user.manage',
    organisationId: target.organisationId,
    organisationKind: target.organisationKind,
    role,
    userId: target.id,
  }) as const

/**
 * May the actor act on this user at all? Asked about the user's *current* role, so that an
 * organisation admin cannot touch a sysadmin who happens to sit in its organisation.
 */
function canManage(actor: Actor, target: VisibleUser) {
  return can(actor, manageRequest(target, target.role))
}

/** Roles the actor may move this user to (the current one included, for the form's default). */
function rolesOnOffer(actor: Actor, target: VisibleUser): UserRole[] {
  if (!canManage(actor, target)) return []
  return rolesForKind(target.organisationKind).filter(
    (r) => assignableRoles(actor, target.organisationId, target.organisationKind).includes(r) && can(actor, manageRequest(target, r)),
  )
}

export async function getUser(acting: ActingContext, userId: string) {
  const user = await loadVisibleUser(acting, userId)
  const now = acting.services.now()
  const [invitation] = await acting.services.db
    .select({ createdAt: accountTokens.createdAt, expiresAt: accountTokens.expiresAt })
    .from(accountTokens)
    .where(
      and(
        eq(accountTokens.userId, user.id),
        eq(accountTokens.purpose, 'invitation'),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, now),
      ),
    )
    .orderBy(asc(accountTokens.expiresAt))
  const manageable = canManage(acting.actor, user)
  return {
    user,
    openInvitation: invitation ?? null,
    isSelf: user.id === acting.actor.userId,
    can: {
      changeRole: manageable && user.status !== 'deactivated',
      deactivate: manageable && user.status !== 'deactivated',
      reactivate: manageable && user.status === 'deactivated',
      resendInvitation: manageable && user.status === 'invited',
    },
    roles: rolesOnOffer(acting.actor, user),
  }
}

async function loadManageableUser(acting: ActingContext, userId: string) {
  const target = await loadVisibleUser(acting, userId)
  authorize(acting.actor, manageRequest(target, target.role))
  return target
}

export const ChangeRoleSchema = z.object({ role: z.enum(USER_ROLES, 'validation.invalid') })

/** A new role; the user's sessions end, so the new privileges apply from the next sign-in. */
export async function changeUserRole(acting: ActingContext, userId: string, input: unknown) {
  const { role } = validate(ChangeRoleSchema, input)
  const target = await loadManageableUser(acting, userId)
  if (!rolesForKind(target.organisationKind).includes(role)) throw roleNotForOrganisation()
  authorize(acting.actor, manageRequest(target, role))
  if (target.status === 'deactivated') throw new DomainError('conflict', 'admin.users.errors.deactivated')
  if (role === target.role) return { changed: false as const }
  await acting.services.db.transaction(async (tx) => {
    await tx.update(users).set({ role, updatedAt: acting.services.now() }).where(eq(users.id, target.id))
    await invalidateUserSessions(tx, target.id)
    await auditAs(tx, acting, {
      action: 'user.role_changed',
      objectType: 'user',
      objectId: target.id,
      objectOrganisationId: target.organisationId,
      details: { from: target.role, to: role },
    })
    await emitEvent(tx, acting.services, {
      type: 'user.role_changed',
      objectType: 'user',
      objectId: target.id,
      organisationId: target.organisationId,
      actorUserId: acting.actor.userId,
      payload: { userId: target.id, role, link: '/account' },
    })
  })
  return { changed: true as const }
}

/** Closes the account: sessions end at once and open links die; the row and its history stay. */
export async function deactivateUser(acting: ActingContext, userId: string) {
  const target = await loadManageableUser(acting, userId)
  if (target.status === 'deactivated') return { changed: false as const }
  const now = acting.services.now()
  await acting.services.db.transaction(async (tx) => {
    await tx.update(users).set({ status: 'deactivated', deactivatedAt: now, updatedAt: now }).where(eq(users.id, target.id))
    await invalidateUserSessions(tx, target.id)
    await expireOpenTokens(tx, target.id, now)
    await auditAs(tx, acting, {
      action: 'user.deactivated',
      objectType: 'user',
      objectId: target.id,
      objectOrganisationId: target.organisationId,
      details: { previousStatus: target.status },
    })
  })
  return { changed: true as const }
}

/**
 * Reopens the account. Someone who never set a password goes back to "invited" and needs a
 * new link (the old ones died at deactivation).
 */
export async function reactivateUser(acting: ActingContext, userId: string) {
  const target = await loadManageableUser(acting, userId)
  if (target.status !== 'deactivated') return { changed: false as const }
  const status: UserStatus = target.hasPassword ? 'active' : 'invited'
  const now = acting.services.now()
  await acting.services.db.transaction(async (tx) => {
    await tx.update(users).set({ status, deactivatedAt: null, updatedAt: now }).where(eq(users.id, target.id))
    await auditAs(tx, acting, {
      action: 'user.reactivated',
      objectType: 'user',
      objectId: target.id,
      objectOrganisationId: target.organisationId,
      details: { status },
    })
  })
  return { changed: true as const }
}

/** A fresh invitation link for someone who has not joined yet; earlier unused links stop working. */
export async function resendInvitation(acting: ActingContext, userId: string) {
  const target = await loadManageableUser(acting, userId)
  if (target.status !== 'invited') throw new DomainError('conflict', 'admin.users.errors.notInvited')
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    await expireOpenTokens(tx, target.id, now, 'invitation')
    const invitation = await issueInvitation(tx, acting, { id: target.id, organisationId: target.organisationId, role: target.role }, now)
    await auditAs(tx, acting, {
      action: 'user.invitation_resent',
      objectType: 'user',
      objectId: target.id,
      objectOrganisationId: target.organisationId,
    })
    return invitation
  })
}
