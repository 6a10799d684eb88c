import { eq, sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import {
  auditLog,
  clusterMembers,
  clusterOfficers,
  clusters,
  contactPoints,
  organisations,
  provinces,
  users,
} from '../db/schema/index.ts'
import { seedNetwork } from '../db/seed.ts'
import { hashPassword } from '../app/auth/password.server.ts'
import { calendarDate } from '../app/lib/dates.ts'

// A network at the scale the product is sized for: the 16 real organisations and 2 clusters of
// the reference seed grow to 64 organisations in 11 clusters with three years of officer terms,
// 2,000 users and a year of audit trail. Rows go in through the query builder in batches.

export const BENCH_PASSWORD = 'bench-password-not-for-production'
export const BENCH_SYSADMIN = 'bench-sysadmin@bench.test'
export const BENCH_MEMBER = 'bench-responder@bench.test'

export interface ScaleOptions {
  organisations: number
  clusters: number
  users: number
  auditRows: number
}

export interface SeedTimings {
  /** Everything but the audit trail. */
  networkSeconds: number
  auditSeconds: number
}

// Postgres takes at most 65,535 parameters per statement; an audit row binds 9.
const AUDIT_BATCH = 2_000
const USER_BATCH = 500

const AUDIT_ACTIONS = [
  ['auth.login', 'user'],
  ['auth.login', 'user'],
  ['auth.login', 'user'],
  ['auth.logout', 'user'],
  ['auth.login_failed', 'user'],
  ['organisation.update', 'organisation'],
  ['contact.update', 'contact_point'],
  ['user.invite', 'user'],
  ['user.update', 'user'],
  ['cluster.officer_set', 'cluster'],
] as const

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

export async function seedScale(db: Database, opts: ScaleOptions, now = new Date()): Promise<SeedTimings> {
  const started = performance.now()
  const today = calendarDate(now)
  const year = Number(today.slice(0, 4))
  const orgIds = await seedNetwork(db, today)

  // Organisations and provinces up to the target count.
  const extraOrgs = Math.max(opts.organisations - orgIds.size, 0)
  const provinceRows = await db
    .insert(provinces)
    .values(
      Array.from({ length: extraOrgs }, (_, i) => ({
        code: `bench-province-${pad(i + 1)}`,
        nameVi: `Tỉnh đo tải ${pad(i + 1)}`,
        nameEn: `Benchmark province ${pad(i + 1)}`,
      })),
    )
    .returning({ id: provinces.id })
  const benchOrgs = await db
    .insert(organisations)
    .values(
      provinceRows.map((p, i) => ({
        slug: `bench-org-${pad(i + 1)}`,
        kind: 'member' as const,
        nameVi: `Sở Khoa học và Công nghệ đo tải ${pad(i + 1)}`,
        nameEn: `Benchmark Department of Science and Technology ${pad(i + 1)}`,
        shortName: `Sở KH&CN đo tải ${pad(i + 1)}`,
        provinceId: p.id,
        email: `soc-${pad(i + 1)}@bench.test`,
      })),
    )
    .returning({ id: organisations.id })
  if (benchOrgs.length) {
    await db.insert(contactPoints).values(
      benchOrgs.map((o, i) => ({
        organisationId: o.id,
        name: `Đầu mối ${pad(i + 1)}`,
        title: 'Đầu mối ứng cứu sự cố',
        email: `ir-${pad(i + 1)}@bench.test`,
        phone: `+84 24 0000 ${pad(i + 1, 4)}`,
        available24x7: i % 3 === 0,
      })),
    )
  }

  // Clusters up to the target count, the new organisations spread over them, and a lead and
  // deputy for each of the last three yearly terms.
  const [{ n: existingClusters } = { n: 0 }] = await db.select({ n: sql<number>`count(*)::int` }).from(clusters)
  const extraClusters = Math.max(opts.clusters - Number(existingClusters), 0)
  const clusterRows = extraClusters
    ? await db
        .insert(clusters)
        .values(
          Array.from({ length: extraClusters }, (_, i) => ({
            code: `bench-cum-${pad(i + 1)}`,
            nameVi: `Cụm đo tải ${pad(i + 1)}`,
            nameEn: `Benchmark cluster ${pad(i + 1)}`,
            foundedOn: `${year - 3}-01-01`,
          })),
        )
        .returning({ id: clusters.id })
    : []
  if (clusterRows.length && benchOrgs.length) {
    const membersOf = clusterRows.map((_, c) => benchOrgs.filter((_, i) => i % clusterRows.length === c))
    await db.insert(clusterMembers).values(
      clusterRows.flatMap((c, k) => membersOf[k]!.map((o) => ({ clusterId: c.id, organisationId: o.id, since: `${year - 3}-01-01` }))),
    )
    const officers = clusterRows.flatMap((c, k) => {
      const members = membersOf[k]!
      if (members.length < 2) return []
      return [year - 2, year - 1, year].flatMap((y, t) => [
        { clusterId: c.id, organisationId: members[t % members.length]!.id, role: 'lead' as const, termStart: `${y}-01-01`, termEnd: `${y}-12-31` },
        { clusterId: c.id, organisationId: members[(t + 1) % members.length]!.id, role: 'deputy' as const, termStart: `${y}-01-01`, termEnd: `${y}-12-31` },
      ])
    })
    if (officers.length) await db.insert(clusterOfficers).values(officers)
  }

  // Users: one argon2id hash shared by all (hashing 2,000 passwords would measure argon2, not
  // the application), roles in a plausible mix, analysts only at the national CERT.
  const passwordHash = await hashPassword(BENCH_PASSWORD)
  const [vncert] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.slug, 'vncert'))
  const allOrgs = (await db.select({ id: organisations.id }).from(organisations).orderBy(organisations.slug)).map((o) => o.id)
  const memberOrgs = allOrgs.filter((id) => id !== vncert!.id)
  const memberRoles = ['reporter', 'reporter', 'responder', 'responder', 'responder', 'org_admin'] as const
  const userValues = [
    { email: BENCH_SYSADMIN, name: 'Quản trị đo tải', organisationId: vncert!.id, role: 'sysadmin' as const },
    { email: BENCH_MEMBER, name: 'Ứng cứu viên đo tải', organisationId: benchOrgs[0]?.id ?? memberOrgs[0]!, role: 'responder' as const },
    ...Array.from({ length: Math.max(opts.users - 2, 0) }, (_, i) => {
      const atCert = i % 20 === 0
      return {
        email: `bench-user-${pad(i + 1, 4)}@bench.test`,
        name: `Người dùng đo tải ${pad(i + 1, 4)}`,
        organisationId: atCert ? vncert!.id : memberOrgs[i % memberOrgs.length]!,
        role: atCert ? ('cert_analyst' as const) : memberRoles[i % memberRoles.length]!,
      }
    }),
  ].map((u) => ({ ...u, status: 'active' as const, passwordHash, passwordChangedAt: now }))
  const userIds: { id: string; organisationId: string }[] = []
  for (let i = 0; i < userValues.length; i += USER_BATCH) {
    userIds.push(
      ...(await db
        .insert(users)
        .values(userValues.slice(i, i + USER_BATCH))
        .returning({ id: users.id, organisationId: users.organisationId })),
    )
  }
  const networkSeconds = (performance.now() - started) / 1000

  // A year of audit trail; entry i is (rows − i) steps old, so ids grow with time as they do live.
  const auditStarted = performance.now()
  const stepMs = Math.floor((365 * 24 * 3600 * 1000) / Math.max(opts.auditRows, 1))
  for (let start = 0; start < opts.auditRows; start += AUDIT_BATCH) {
    const batch = []
    for (let i = start; i < Math.min(start + AUDIT_BATCH, opts.auditRows); i++) {
      const actor = userIds[(i * 7919) % userIds.length]!
      const [action, objectType] = AUDIT_ACTIONS[i % AUDIT_ACTIONS.length]!
      const objectOrganisationId = objectType === 'user' ? actor.organisationId : allOrgs[(i * 31) % allOrgs.length]!
      batch.push({
        at: new Date(now.getTime() - (opts.auditRows - i) * stepMs),
        actorUserId: actor.id,
        actorOrganisationId: actor.organisationId,
        action,
        objectType,
        objectId: objectType === 'user' ? actor.id : String(i),
        objectOrganisationId,
        sourceIp: `198.51.100.${i % 250}`,
        details: { seq: i },
      })
    }
    await db.insert(auditLog).values(batch)
  }
  const auditSeconds = (performance.now() - auditStarted) / 1000

  // Fresh planner statistics, as autovacuum would leave them on a live server. PGlite runs no
  // autovacuum, so without this its planner would work from defaults.
  await db.execute(sql`analyze`)
  return { networkSeconds, auditSeconds }
}
