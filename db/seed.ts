import { and, eq } from 'drizzle-orm'
import type { Executor } from './client.ts'
import { clusterMembers, clusterOfficers, clusters, contactPoints, organisations, provinces, users } from './schema/index.ts'

// Idempotent seed: running it again changes nothing. The network's structure (national CERT,
// Cluster 1 and Cluster 3 as founded; domain.md §1) is real reference data. Demo accounts are
// added only when the caller asks (demo/development mode), never in production.

interface OrgSeed {
  slug: string
  province: [code: string, vi: string, en: string] | null
  kind: 'national_cert' | 'member'
  nameVi: string
  nameEn: string
  shortName: string
}

const province = (code: string, vi: string, en: string): OrgSeed['province'] => [code, vi, en]
const dept = (slug: string, code: string, vi: string, en: string): OrgSeed => ({
  slug,
  province: province(code, vi, en),
  kind: 'member',
  // Names as at the founding of the clusters; the 2025 mergers are recorded as history by admins.
  nameVi: `Sở Thông tin và Truyền thông ${vi}`,
  nameEn: `${en} Department of Information and Communications`,
  shortName: `Sở TT&TT ${vi}`,
})

export const NETWORK_ORGANISATIONS: OrgSeed[] = [
  {
    slug: 'vncert',
    province: null,
    kind: 'national_cert',
    nameVi: 'Trung tâm Ứng cứu khẩn cấp không gian mạng Việt Nam',
    nameEn: 'Vietnam Computer Emergency Response Team',
    shortName: 'VNCERT/CC',
  },
  // Cluster 3 (founded November 2020)
  dept('so-tttt-nam-dinh', 'nam-dinh', 'Nam Định', 'Nam Dinh'),
  dept('so-tttt-hai-duong', 'hai-duong', 'Hải Dương', 'Hai Duong'),
  dept('so-tttt-quang-ninh', 'quang-ninh', 'Quảng Ninh', 'Quang Ninh'),
  dept('so-tttt-hai-phong', 'hai-phong', 'Hải Phòng', 'Hai Phong'),
  dept('so-tttt-hung-yen', 'hung-yen', 'Hưng Yên', 'Hung Yen'),
  dept('so-tttt-thai-binh', 'thai-binh', 'Thái Bình', 'Thai Binh'),
  dept('so-tttt-ninh-binh', 'ninh-binh', 'Ninh Bình', 'Ninh Binh'),
  dept('so-tttt-ha-nam', 'ha-nam', 'Hà Nam', 'Ha Nam'),
  dept('so-tttt-hoa-binh', 'hoa-binh', 'Hòa Bình', 'Hoa Binh'),
  // Cluster 1
  dept('so-tttt-bac-kan', 'bac-kan', 'Bắc Kạn', 'Bac Kan'),
  dept('so-tttt-bac-giang', 'bac-giang', 'Bắc Giang', 'Bac Giang'),
  dept('so-tttt-bac-ninh', 'bac-ninh', 'Bắc Ninh', 'Bac Ninh'),
  dept('so-tttt-cao-bang', 'cao-bang', 'Cao Bằng', 'Cao Bang'),
  dept('so-tttt-lang-son', 'lang-son', 'Lạng Sơn', 'Lang Son'),
  dept('so-tttt-thai-nguyen', 'thai-nguyen', 'Thái Nguyên', 'Thai Nguyen'),
]

const CLUSTER_3 = [
  'so-tttt-nam-dinh', 'so-tttt-hai-duong', 'so-tttt-quang-ninh', 'so-tttt-hai-phong', 'so-tttt-hung-yen',
  'so-tttt-thai-binh', 'so-tttt-ninh-binh', 'so-tttt-ha-nam', 'so-tttt-hoa-binh',
]
const CLUSTER_1 = [
  'so-tttt-bac-kan', 'so-tttt-bac-giang', 'so-tttt-bac-ninh', 'so-tttt-cao-bang', 'so-tttt-lang-son', 'so-tttt-thai-nguyen',
]

export interface DemoAccount {
  email: string
  password: string
  role: 'reporter' | 'responder' | 'org_admin' | 'cert_analyst' | 'sysadmin'
  organisationSlug: string
  name: string
  what: string
}

export const DEMO_PASSWORD = 'csirt-demo-2026'

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { email: 'admin@vncert.demo', role: 'sysadmin', organisationSlug: 'vncert', name: 'Quản trị hệ thống', what: 'system administrator' },
  { email: 'analyst@vncert.demo', role: 'cert_analyst', organisationSlug: 'vncert', name: 'Nguyễn Văn An', what: 'national-CERT analyst' },
  { email: 'lead@namdinh.demo', role: 'responder', organisationSlug: 'so-tttt-nam-dinh', name: 'Trần Thị Bình', what: 'responder at the Cluster 3 lead (Nam Định)' },
  { email: 'admin@namdinh.demo', role: 'org_admin', organisationSlug: 'so-tttt-nam-dinh', name: 'Lê Văn Cường', what: 'organisation admin, Nam Định' },
  { email: 'responder@haiphong.demo', role: 'responder', organisationSlug: 'so-tttt-hai-phong', name: 'Phạm Thị Dung', what: 'responder, Hải Phòng (Cluster 3 member)' },
  { email: 'reporter@quangninh.demo', role: 'reporter', organisationSlug: 'so-tttt-quang-ninh', name: 'Hoàng Văn Em', what: 'reporter, Quảng Ninh (Cluster 3 member)' },
  { email: 'reporter@bacninh.demo', role: 'reporter', organisationSlug: 'so-tttt-bac-ninh', name: 'Vũ Thị Giang', what: 'reporter, Bắc Ninh (Cluster 1 member)' },
  { email: 'responder@bacninh.demo', role: 'responder', organisationSlug: 'so-tttt-bac-ninh', name: 'Đỗ Văn Hùng', what: 'responder, Bắc Ninh (Cluster 1 member)' },
].map((a) => ({ ...a, password: DEMO_PASSWORD })) as DemoAccount[]

export async function seedNetwork(db: Executor, today: string): Promise<Map<string, string>> {
  const orgIds = new Map<string, string>()
  for (const org of NETWORK_ORGANISATIONS) {
    let provinceId: string | null = null
    if (org.province) {
      const [code, nameVi, nameEn] = org.province
      await db.insert(provinces).values({ code, nameVi, nameEn }).onConflictDoNothing({ target: provinces.code })
      const [p] = await db.select({ id: provinces.id }).from(provinces).where(eq(provinces.code, code))
      provinceId = p!.id
    }
    await db
      .insert(organisations)
      .values({ slug: org.slug, kind: org.kind, nameVi: org.nameVi, nameEn: org.nameEn, shortName: org.shortName, provinceId })
      .onConflictDoNothing({ target: organisations.slug })
    const [row] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.slug, org.slug))
    orgIds.set(org.slug, row!.id)
  }
  const vncert = orgIds.get('vncert')!
  const [hasContact] = await db.select({ id: contactPoints.id }).from(contactPoints).where(eq(contactPoints.organisationId, vncert))
  if (!hasContact) {
    await db.insert(contactPoints).values({
      organisationId: vncert,
      name: 'Trực ứng cứu sự cố 24/7',
      title: 'Đầu mối ứng cứu sự cố',
      email: 'ir@vncert.vn',
      phone: '+84 24 3640 4421',
      available24x7: true,
    })
  }

  const clusterSeeds = [
    { code: 'cum-1', nameVi: 'Cụm 1', nameEn: 'Cluster 1', members: CLUSTER_1, foundedOn: null },
    { code: 'cum-3', nameVi: 'Cụm 3', nameEn: 'Cluster 3', members: CLUSTER_3, foundedOn: '2020-11-01' },
  ]
  for (const c of clusterSeeds) {
    await db
      .insert(clusters)
      .values({ code: c.code, nameVi: c.nameVi, nameEn: c.nameEn, foundedOn: c.foundedOn })
      .onConflictDoNothing({ target: clusters.code })
    const [cluster] = await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.code, c.code))
    for (const slug of c.members) {
      const organisationId = orgIds.get(slug)!
      const [existing] = await db
        .select({ id: clusterMembers.id })
        .from(clusterMembers)
        .where(and(eq(clusterMembers.clusterId, cluster!.id), eq(clusterMembers.organisationId, organisationId)))
      if (!existing) {
        await db.insert(clusterMembers).values({ clusterId: cluster!.id, organisationId, since: c.foundedOn ?? '2020-11-01' })
      }
    }
    if (c.code === 'cum-3') {
      // The founding term (Nam Định lead, Hải Dương deputy), and for the demo the same pair for
      // the current year: the real rotation after 2021 is not confirmed (domain.md §1).
      const year = today.slice(0, 4)
      const terms: [string, string][] = [['2020-11-01', '2021-10-31'], [`${year}-01-01`, `${year}-12-31`]]
      for (const [termStart, termEnd] of terms) {
        for (const [slug, role] of [['so-tttt-nam-dinh', 'lead'], ['so-tttt-hai-duong', 'deputy']] as const) {
          const organisationId = orgIds.get(slug)!
          const [existing] = await db
            .select({ id: clusterOfficers.id })
            .from(clusterOfficers)
            .where(and(eq(clusterOfficers.clusterId, cluster!.id), eq(clusterOfficers.role, role), eq(clusterOfficers.termStart, termStart)))
          if (!existing) {
            await db.insert(clusterOfficers).values({ clusterId: cluster!.id, organisationId, role, termStart, termEnd })
          }
        }
      }
    }
  }
  return orgIds
}

export async function seedDemoAccounts(
  db: Executor,
  orgIds: Map<string, string>,
  hashPassword: (password: string) => Promise<string>,
): Promise<DemoAccount[]> {
  let passwordHash: string | undefined
  for (const account of DEMO_ACCOUNTS) {
    const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, account.email))
    if (existing) continue
    passwordHash ??= await hashPassword(account.password)
    await db.insert(users).values({
      email: account.email,
      name: account.name,
      organisationId: orgIds.get(account.organisationSlug)!,
      role: account.role,
      status: 'active',
      passwordHash,
      passwordChangedAt: new Date(),
    })
  }
  return DEMO_ACCOUNTS
}
