import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { accountTokens, auditLog, users } from '../../db/schema/index.ts'
import { hashToken } from '../../app/auth/tokens.server.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import { DomainError } from '../../app/lib/errors.ts'
import type { UserRole } from '../../app/policy/actor.ts'
import {
  INVITATION_TTL_MS,
  changeUserRole,
  deactivateUser,
  getUser,
  invitationChoices,
  inviteUser,
  listUsers,
  reactivateUser,
  resendInvitation,
} from '../../app/users/users.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { makeOrganisation, makeUser } from '../support/factories.ts'

// The user-administration matrix over real rows: who lists whom, who may invite which role
// into which organisation, and who may manage whom. Every refusal is checked to leave no row.

let h: Harness
let quangNinh: string
let namDinh: string
let vncert: string
const as: Record<string, ActingContext> = {}
const target: Record<string, { id: string; email: string }> = {}

beforeAll(async () => {
  h = await createHarness()
  const db = h.services.db
  quangNinh = h.orgIds.get('so-tttt-quang-ninh')!
  namDinh = h.orgIds.get('so-tttt-nam-dinh')!
  vncert = h.orgIds.get('vncert')!
  const actors: [string, string, UserRole][] = [
    ['reporter', quangNinh, 'reporter'],
    ['responder', quangNinh, 'responder'],
    ['orgAdmin', quangNinh, 'org_admin'],
    ['otherOrgAdmin', namDinh, 'org_admin'],
    ['analyst', vncert, 'cert_analyst'],
    ['certAdmin', vncert, 'org_admin'],
    ['sysadmin', vncert, 'sysadmin'],
  ]
  for (const [name, org, role] of actors) {
    const user = await makeUser(db, org, role, { name: `Actor ${name}` })
    as[name] = await h.acting(user.id)
    target[name] = user
  }
  for (const [name, org, role] of [
    ['qnReporter', quangNinh, 'reporter'],
    ['ndReporter', namDinh, 'reporter'],
    ['vncertSysadmin', vncert, 'sysadmin'],
  ] as const) {
    target[name] = await makeUser(db, org, role, { name: `Target ${name}` })
  }
})
afterAll(() => h.close())

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DomainError)
  return error as DomainError
}

const emails = (list: { email: string }[]) => list.map((u) => u.email)
let counter = 0
const fresh = (prefix: string) => `${prefix}-${++counter}@invite.test`

describe('listing users', () => {
  test.each(['reporter', 'responder', 'analyst'])('a %s may not list users', async (who) => {
    expect((await refusal(listUsers(as[who]!, {}))).code).toBe('forbidden')
  })

  test('an organisation admin sees the users of their own organisation and nobody else', async () => {
    const { users: list } = await listUsers(as.orgAdmin!, {})
    expect(emails(list)).toContain(target.qnReporter!.email)
    expect(emails(list)).toContain(target.reporter!.email)
    expect(emails(list)).not.toContain(target.ndReporter!.email)
    expect(emails(list)).not.toContain(target.sysadmin!.email)
    expect(new Set(list.map((u) => u.organisationId))).toEqual(new Set([quangNinh]))
  })

  test('an organisation admin asking for another organisation gets nobody', async () => {
    const { users: list } = await listUsers(as.orgAdmin!, { organisation: namDinh })
    expect(list).toEqual([])
  })

  test('a sysadmin sees every organisation and can narrow the list to one', async () => {
    const all = emails((await listUsers(as.sysadmin!, {})).users)
    expect(all).toEqual(expect.arrayContaining([target.qnReporter!.email, target.ndReporter!.email, target.vncertSysadmin!.email]))
    const namDinhOnly = (await listUsers(as.sysadmin!, { organisation: namDinh })).users
    expect(emails(namDinhOnly)).toContain(target.ndReporter!.email)
    expect(new Set(namDinhOnly.map((u) => u.organisationId))).toEqual(new Set([namDinh]))
  })

  test('the search matches a part of the name or of the email, and treats % literally', async () => {
    expect(emails((await listUsers(as.sysadmin!, { q: 'Target ndReporter' })).users)).toEqual([target.ndReporter!.email])
    const byEmail = target.qnReporter!.email.split('@')[0]!.toUpperCase()
    expect(emails((await listUsers(as.sysadmin!, { q: byEmail })).users)).toEqual([target.qnReporter!.email])
    expect((await listUsers(as.sysadmin!, { q: '%' })).users).toEqual([])
  })

  test('a bad filter value is a validation error naming the field', async () => {
    const error = await refusal(listUsers(as.sysadmin!, { organisation: 'not-a-uuid', status: 'sleeping' }))
    expect(error.code).toBe('validation')
    expect(Object.keys(error.details.fieldErrors!).sort()).toEqual(['organisation', 'status'])
  })

  test('pages follow each other by name without repeating or skipping anyone', async () => {
    const org = await makeOrganisation(h.services.db)
    for (let i = 0; i < 53; i++) await makeUser(h.services.db, org.id, 'reporter', { name: `Paged ${String(i % 7)}` })
    const first = await listUsers(as.sysadmin!, { organisation: org.id })
    expect(first.users).toHaveLength(50)
    expect(first.nextAfter).toBeDefined()
    const second = await listUsers(as.sysadmin!, { organisation: org.id, after: first.nextAfter })
    expect(second.users).toHaveLength(3)
    expect(second.nextAfter).toBeUndefined()
    const ids = [...first.users, ...second.users].map((u) => u.id)
    expect(new Set(ids).size).toBe(53)
  })

  test('a paging cursor naming a user the actor cannot see does not move the page', async () => {
    const withForeignCursor = await listUsers(as.orgAdmin!, { after: target.ndReporter!.id })
    const plain = await listUsers(as.orgAdmin!, {})
    expect(emails(withForeignCursor.users)).toEqual(emails(plain.users))
  })
})

describe('inviting', () => {
  const invite = (who: string, organisationId: string, role: UserRole, email = fresh(who)) =>
    inviteUser(as[who]!, { email, name: 'Người được mời', title: 'Chuyên viên', organisationId, role })

  async function expectNoUser(email: string) {
    expect(await h.services.db.select().from(users).where(eq(users.email, email))).toEqual([])
  }

  test.each(['reporter', 'responder', 'org_admin'] as const)(
    'an organisation admin invites a %s into their own organisation',
    async (role) => {
      const email = fresh('qn')
      const result = await invite('orgAdmin', quangNinh, role, email)
      const [row] = await h.services.db.select().from(users).where(eq(users.id, result.user.id))
      expect(row).toMatchObject({ email, role, status: 'invited', passwordHash: null, organisationId: quangNinh })
    },
  )

  test('an invitation stores only the hash of a link that expires in seven days, and is audited', async () => {
    const now = h.services.now()
    const email = fresh('link')
    const result = await invite('orgAdmin', quangNinh, 'responder', email)
    expect(result.link).toMatch(new RegExp(`^${h.services.env.APP_URL}/invite/[a-z2-7]{32}$`))
    const token = result.link.split('/').pop()!
    const tokens = await h.services.db.select().from(accountTokens).where(eq(accountTokens.userId, result.user.id))
    expect(tokens).toHaveLength(1)
    expect(tokens[0]).toMatchObject({ purpose: 'invitation', tokenHash: hashToken(token), usedAt: null, createdBy: as.orgAdmin!.actor.userId })
    expect(tokens[0]!.tokenHash).not.toContain(token)
    const ttl = tokens[0]!.expiresAt.getTime() - now.getTime()
    expect(Math.abs(ttl - INVITATION_TTL_MS)).toBeLessThan(60_000)
    const [entry] = await h.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'user.invited'), eq(auditLog.objectId, result.user.id)))
    expect(entry).toMatchObject({ actorUserId: as.orgAdmin!.actor.userId, objectOrganisationId: quangNinh, objectType: 'user' })
    expect(JSON.stringify(entry!.details)).not.toContain(token)
  })

  test('an organisation admin cannot invite into another organisation', async () => {
    const email = fresh('foreign')
    expect((await refusal(invite('orgAdmin', namDinh, 'reporter', email))).code).toBe('forbidden')
    await expectNoUser(email)
  })

  test('an organisation admin cannot mint a system administrator, even at the national CERT', async () => {
    const atCert = fresh('mint')
    expect((await refusal(invite('certAdmin', vncert, 'sysadmin', atCert))).code).toBe('forbidden')
    await expectNoUser(atCert)
    const atMember = fresh('mint')
    expect((await refusal(invite('orgAdmin', quangNinh, 'sysadmin', atMember))).code).toBe('validation')
    await expectNoUser(atMember)
  })

  test('a national-CERT analyst can only be invited into the national CERT', async () => {
    const intoMember = fresh('analyst')
    const error = await refusal(invite('sysadmin', quangNinh, 'cert_analyst', intoMember))
    expect(error.code).toBe('validation')
    expect(error.details.fieldErrors).toEqual({ role: ['admin.users.errors.roleNotForOrganisation'] })
    await expectNoUser(intoMember)
    await expect(invite('sysadmin', vncert, 'cert_analyst')).resolves.toBeTruthy()
    await expect(invite('certAdmin', vncert, 'cert_analyst')).resolves.toBeTruthy()
  })

  test('a sysadmin invites any role into the national CERT and member roles anywhere', async () => {
    await expect(invite('sysadmin', vncert, 'sysadmin')).resolves.toBeTruthy()
    await expect(invite('sysadmin', namDinh, 'org_admin')).resolves.toBeTruthy()
  })

  test.each(['reporter', 'responder', 'analyst', 'otherOrgAdmin'])('a %s cannot invite into Quảng Ninh', async (who) => {
    const email = fresh('nobody')
    expect((await refusal(invite(who, quangNinh, 'reporter', email))).code).toBe('forbidden')
    await expectNoUser(email)
  })

  test('an address already in use is a conflict on the email field, whatever its case', async () => {
    const email = fresh('dup')
    await invite('orgAdmin', quangNinh, 'reporter', email)
    const error = await refusal(invite('orgAdmin', quangNinh, 'reporter', email.toUpperCase()))
    expect(error.code).toBe('conflict')
    expect(error.details.fieldErrors).toEqual({ email: ['admin.users.errors.emailTaken'] })
  })

  test('the invitation form offers each admin only what they may do', async () => {
    const own = await invitationChoices(as.orgAdmin!)
    expect(own).toEqual([expect.objectContaining({ id: quangNinh, roles: ['reporter', 'responder', 'org_admin'] })])
    const cert = await invitationChoices(as.certAdmin!)
    expect(cert).toEqual([expect.objectContaining({ id: vncert, roles: ['reporter', 'responder', 'org_admin', 'cert_analyst'] })])
    const all = await invitationChoices(as.sysadmin!)
    expect(all.find((o) => o.id === vncert)!.roles).toContain('sysadmin')
    expect(all.find((o) => o.id === namDinh)!.roles).toEqual(['reporter', 'responder', 'org_admin'])
  })
})

describe('managing a user', () => {
  test('an organisation admin changes the role of a user of their organisation, and it is audited', async () => {
    const user = await makeUser(h.services.db, quangNinh, 'reporter')
    await expect(changeUserRole(as.orgAdmin!, user.id, { role: 'responder' })).resolves.toEqual({ changed: true })
    const [row] = await h.services.db.select().from(users).where(eq(users.id, user.id))
    expect(row!.role).toBe('responder')
    const [entry] = await h.services.db.select().from(auditLog).where(and(eq(auditLog.action, 'user.role_changed'), eq(auditLog.objectId, user.id)))
    expect(entry).toMatchObject({ objectOrganisationId: quangNinh, details: { from: 'reporter', to: 'responder' } })
  })

  test('a user of another organisation does not exist for an organisation admin', async () => {
    for (const act of [
      () => getUser(as.orgAdmin!, target.ndReporter!.id),
      () => changeUserRole(as.orgAdmin!, target.ndReporter!.id, { role: 'responder' }),
      () => deactivateUser(as.orgAdmin!, target.ndReporter!.id),
      () => resendInvitation(as.orgAdmin!, target.ndReporter!.id),
    ]) {
      expect((await refusal(act())).code).toBe('not_found')
    }
  })

  test('an unknown or malformed id is not found', async () => {
    expect((await refusal(getUser(as.sysadmin!, crypto.randomUUID()))).code).toBe('not_found')
    expect((await refusal(getUser(as.sysadmin!, 'nonsense'))).code).toBe('not_found')
  })

  test.each(['reporter', 'responder', 'analyst'])('a %s may not manage anyone', async (who) => {
    expect((await refusal(changeUserRole(as[who]!, target.qnReporter!.id, { role: 'responder' }))).code).toBe('forbidden')
    expect((await refusal(deactivateUser(as[who]!, target.qnReporter!.id))).code).toBe('forbidden')
  })

  test('an organisation admin cannot raise anyone to sysadmin or national-CERT analyst', async () => {
    const user = await makeUser(h.services.db, quangNinh, 'reporter')
    expect((await refusal(changeUserRole(as.orgAdmin!, user.id, { role: 'sysadmin' }))).code).toBe('validation')
    expect((await refusal(changeUserRole(as.orgAdmin!, user.id, { role: 'cert_analyst' }))).code).toBe('validation')
    const certUser = await makeUser(h.services.db, vncert, 'reporter')
    expect((await refusal(changeUserRole(as.certAdmin!, certUser.id, { role: 'sysadmin' }))).code).toBe('forbidden')
    await expect(changeUserRole(as.certAdmin!, certUser.id, { role: 'cert_analyst' })).resolves.toEqual({ changed: true })
  })

  test('a national-CERT organisation admin cannot touch a sysadmin of the same organisation', async () => {
    expect((await refusal(deactivateUser(as.certAdmin!, target.vncertSysadmin!.id))).code).toBe('forbidden')
    expect((await refusal(changeUserRole(as.certAdmin!, target.vncertSysadmin!.id, { role: 'reporter' }))).code).toBe('forbidden')
    const detail = await getUser(as.certAdmin!, target.vncertSysadmin!.id)
    expect(detail.can).toEqual({ changeRole: false, deactivate: false, reactivate: false, resendInvitation: false })
  })

  test('a sysadmin cannot make a member organisation’s user a national-CERT analyst', async () => {
    const error = await refusal(changeUserRole(as.sysadmin!, target.ndReporter!.id, { role: 'cert_analyst' }))
    expect(error.details.fieldErrors).toEqual({ role: ['admin.users.errors.roleNotForOrganisation'] })
  })

  test.each(['orgAdmin', 'certAdmin', 'sysadmin'])('a %s cannot manage themselves', async (who) => {
    const self = as[who]!.actor.userId
    expect((await refusal(changeUserRole(as[who]!, self, { role: 'reporter' }))).code).toBe('forbidden')
    expect((await refusal(deactivateUser(as[who]!, self))).code).toBe('forbidden')
    const detail = await getUser(as[who]!, self)
    expect(detail.isSelf).toBe(true)
    expect(detail.can.deactivate).toBe(false)
    expect(detail.roles).toEqual([])
  })

  test('deactivation closes the account and is audited; reactivation restores it', async () => {
    const user = await makeUser(h.services.db, quangNinh, 'responder')
    await deactivateUser(as.orgAdmin!, user.id)
    let [row] = await h.services.db.select().from(users).where(eq(users.id, user.id))
    expect(row!.status).toBe('deactivated')
    expect(row!.deactivatedAt).toBeInstanceOf(Date)
    expect((await getUser(as.orgAdmin!, user.id)).can).toMatchObject({ deactivate: false, reactivate: true, changeRole: false })
    expect((await refusal(changeUserRole(as.orgAdmin!, user.id, { role: 'reporter' }))).code).toBe('conflict')
    await reactivateUser(as.orgAdmin!, user.id)
    ;[row] = await h.services.db.select().from(users).where(eq(users.id, user.id))
    expect(row).toMatchObject({ status: 'active', deactivatedAt: null })
    const actions = (await h.services.db.select().from(auditLog).where(eq(auditLog.objectId, user.id))).map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['user.deactivated', 'user.reactivated']))
  })

  test('someone deactivated before setting a password comes back as invited, and their old link stays dead', async () => {
    const invited = await inviteUser(as.orgAdmin!, { email: fresh('back'), name: 'Chưa tham gia', organisationId: quangNinh, role: 'reporter' })
    await deactivateUser(as.orgAdmin!, invited.user.id)
    await reactivateUser(as.orgAdmin!, invited.user.id)
    const detail = await getUser(as.orgAdmin!, invited.user.id)
    expect(detail.user.status).toBe('invited')
    expect(detail.openInvitation).toBeNull()
    expect(detail.can.resendInvitation).toBe(true)
  })

  test('re-sending an invitation is only for people who have not joined', async () => {
    expect((await refusal(resendInvitation(as.orgAdmin!, target.qnReporter!.id))).code).toBe('conflict')
  })
})
