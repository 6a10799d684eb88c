import crypto from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { clusterMembers, clusterOfficers, clusters, organisations, users } from '../../db/schema/index.ts'
import { hashPassword } from '../../app/auth/password.server.ts'
import type { UserRole } from '../../app/policy/actor.ts'

export const TEST_PASSWORD = 'correct horse battery staple'
let cachedHash: Promise<string> | undefined
const passwordHash = () => (cachedHash ??= hashPassword(TEST_PASSWORD))

const uid = () => crypto.randomBytes(4).toString('hex')

export async function makeOrganisation(db: Executor, over: Partial<typeof organisations.$inferInsert> = {}) {
  const slug = over.slug ?? `org-${uid()}`
  const [row] = await db
    .insert(organisations)
    .values({ slug, nameVi: `Tổ chức ${slug}`, nameEn: `Organisation ${slug}`, shortName: slug, kind: 'member', ...over })
    .returning()
  return row!
}

export async function makeUser(
  db: Executor,
  organisationId: string,
  role: UserRole = 'reporter',
  over: Partial<typeof users.$inferInsert> = {},
) {
  const [row] = await db
    .insert(users)
    .values({
      email: `${role}-${uid()}@example.test`,
      name: `Test ${role}`,
      organisationId,
      role,
      status: 'active',
      passwordHash: await passwordHash(),
      ...over,
    })
    .returning()
  return row!
}

export async function makeCluster(
  db: Executor,
  opts: { members: string[]; lead?: string; deputy?: string; termStart?: string; termEnd?: string; code?: string },
) {
  const code = opts.code ?? `cum-${uid()}`
  const [cluster] = await db.insert(clusters).values({ code, nameVi: code, nameEn: code }).returning()
  for (const organisationId of opts.members) {
    await db.insert(clusterMembers).values({ clusterId: cluster!.id, organisationId, since: '2020-01-01' })
  }
  const termStart = opts.termStart ?? '2000-01-01'
  const termEnd = opts.termEnd ?? '2999-12-31'
  if (opts.lead) await db.insert(clusterOfficers).values({ clusterId: cluster!.id, organisationId: opts.lead, role: 'lead', termStart, termEnd })
  if (opts.deputy) await db.insert(clusterOfficers).values({ clusterId: cluster!.id, organisationId: opts.deputy, role: 'deputy', termStart, termEnd })
  return cluster!
}

export async function userByEmail(db: Executor, email: string) {
  const [row] = await db.select().from(users).where(eq(users.email, email))
  return row
}
