import { eq, sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import {
  accessGrants,
  clusterMembers,
  clusterOfficers,
  clusters,
  contactPoints,
  incidentReferenceCounters,
  incidents,
  organisations,
  provinces,
  users,
} from '../db/schema/index.ts'
import { seedNetwork } from '../db/seed.ts'
import { hashPassword } from '../app/auth/password.server.ts'
import { incidents as incidentTexts } from '../app/i18n/resources/incidents.ts'
import { runDeadlineReminders } from '../app/incidents/deadlines.server.ts'
import { createIncident } from '../app/incidents/incidents.server.ts'
import { foldForSearch, meetsSeriousTest, rsitFor, SERIOUS_HARMS, SEVERITIES, type IncidentCategory } from '../app/incidents/taxonomy.ts'
import type { ActingContext, Services } from '../app/lib/context.server.ts'
import { calendarDate } from '../app/lib/dates.ts'
import { loadActor } from '../app/policy/actor.server.ts'
import { visibleIncidentsWhere } from '../app/policy/policy.server.ts'
import type { JobQueue } from '../workers/queue.ts'
import type { TlpLabel } from '../app/policy/actor.ts'
import { insertMany } from '../db/bulk-insert.ts'
import { BENCH_PASSWORD } from './seed.ts'

// The incident register of a network the size of the real one: the 16 organisations and two
// clusters of the reference seed grow to 64 (provincial departments, ministries' IT centres,
// banks, ISPs) in 7 clusters with three years of officer terms, and N incidents with the
// variety of a live register — every status, category, severity and TLP label, Vietnamese
// titles and descriptions with diacritics, deadlines met, missed and pending, escalations to
// the national CERT with their grants, TLP:RED recipients, responding organisations, and the
// deadline reminders a live server would already have sent for them.
//
// Incident i is i steps old (a step is three years / the largest size planned), and everything
// about it is drawn from a generator seeded with i, so growing the register from 10k to 100k
// adds the older 90k and leaves the newest 10k exactly as they were: the first pages a viewer
// sees do not change, only the history behind them grows, as it does on a live server.

export const BENCH_LEAD = 'bench-lead@bench.test'
export const BENCH_ANALYST = 'bench-analyst@bench.test'

/** The directory search that lists exactly the 20 banks: the bare 20-row page of the scenario. */
export const BANK_QUERY = 'Ngân hàng'
export const BANK_COUNT = 20

const HOUR = 3_600_000
const DAY = 24 * HOUR
const HISTORY_MS = 3 * 365 * DAY
// Rows per statement (insertMany: one JSON parameter, about 2.5 kB per incident).
const INCIDENT_BATCH = 2_000
const GRANT_BATCH = 5_000

// ---------------------------------------------------------------------------------------------
// The network

type OrgType = 'department' | 'bank' | 'isp' | 'ministry' | 'cert'

interface OrgPlan {
  slug: string
  type: OrgType
  nameVi: string
  nameEn: string
  shortName: string
  /** Second-level domain of its systems. */
  domain: string
  province?: [code: string, vi: string, en: string]
}

const PROVINCES: [string, string, string][] = [
  ['ha-noi', 'Hà Nội', 'Ha Noi'], ['ho-chi-minh', 'Thành phố Hồ Chí Minh', 'Ho Chi Minh City'], ['da-nang', 'Đà Nẵng', 'Da Nang'],
  ['can-tho', 'Cần Thơ', 'Can Tho'], ['thanh-hoa', 'Thanh Hóa', 'Thanh Hoa'], ['nghe-an', 'Nghệ An', 'Nghe An'],
  ['ha-tinh', 'Hà Tĩnh', 'Ha Tinh'], ['quang-binh', 'Quảng Bình', 'Quang Binh'], ['hue', 'Huế', 'Hue'],
  ['quang-nam', 'Quảng Nam', 'Quang Nam'], ['khanh-hoa', 'Khánh Hòa', 'Khanh Hoa'], ['lam-dong', 'Lâm Đồng', 'Lam Dong'],
  ['dak-lak', 'Đắk Lắk', 'Dak Lak'], ['binh-duong', 'Bình Dương', 'Binh Duong'], ['dong-nai', 'Đồng Nai', 'Dong Nai'],
  ['long-an', 'Long An', 'Long An'], ['an-giang', 'An Giang', 'An Giang'], ['kien-giang', 'Kiên Giang', 'Kien Giang'],
  ['ca-mau', 'Cà Mau', 'Ca Mau'], ['lao-cai', 'Lào Cai', 'Lao Cai'],
]
// Fictional banks and carriers: the incidents are invented, so the names are too.
const BANKS: [string, string][] = [
  ['Sông Hồng', 'Song Hong'], ['Trường Sơn', 'Truong Son'], ['Cửu Long', 'Cuu Long'], ['Hạ Long', 'Ha Long'],
  ['Tây Nguyên', 'Tay Nguyen'], ['Phương Nam', 'Phuong Nam'], ['Đông Dương', 'Dong Duong'], ['Bắc Hà', 'Bac Ha'],
  ['Hải Vân', 'Hai Van'], ['Thăng Long', 'Thang Long'], ['Sài Gòn Mới', 'Sai Gon Moi'], ['Hoàng Liên', 'Hoang Lien'],
  ['Tràng An', 'Trang An'], ['Kinh Bắc', 'Kinh Bac'], ['Lam Sơn', 'Lam Son'], ['Bạch Đằng', 'Bach Dang'],
  ['Hương Giang', 'Huong Giang'], ['Đồng Bằng', 'Dong Bang'], ['Ngọc Hiển', 'Ngoc Hien'], ['Phú Quốc', 'Phu Quoc'],
]
const ISPS: [string, string, string][] = [
  ['Công ty Cổ phần Viễn thông Lạc Hồng', 'Lac Hong Telecom JSC', 'Lạc Hồng Telecom'],
  ['Tổng công ty Dữ liệu Âu Cơ', 'Au Co Data Corporation', 'Âu Cơ Data'],
  ['Công ty Viễn thông Rồng Việt', 'Rong Viet Telecom', 'Rồng Việt Telecom'],
]
const MINISTRIES: [string, string, string][] = [
  ['Bộ Y tế', 'Ministry of Health', 'yte'], ['Bộ Giáo dục và Đào tạo', 'Ministry of Education and Training', 'moet'],
  ['Bộ Tài chính', 'Ministry of Finance', 'mof'], ['Bộ Tư pháp', 'Ministry of Justice', 'moj'], ['Bộ Xây dựng', 'Ministry of Construction', 'moc'],
]

const ascii = (s: string) => foldForSearch(s).replace(/[^a-z0-9]+/g, '')

/** The 48 organisations added to the reference network (slugs prefixed bench-). */
function organisationPlans(): OrgPlan[] {
  return [
    ...PROVINCES.map(([code, vi, en]): OrgPlan => ({
      slug: `bench-so-tttt-${code}`,
      type: 'department',
      nameVi: `Sở Thông tin và Truyền thông ${vi}`,
      nameEn: `${en} Department of Information and Communications`,
      shortName: `Sở TT&TT ${vi}`,
      domain: `${code.replace(/-/g, '')}.gov.vn`,
      province: [`bench-${code}`, vi, en],
    })),
    ...BANKS.map(([vi, en]): OrgPlan => ({
      slug: `bench-nh-${ascii(en)}`,
      type: 'bank',
      nameVi: `Ngân hàng Thương mại cổ phần ${vi}`,
      nameEn: `${en} Commercial Joint Stock Bank`,
      shortName: `NH ${vi}`,
      domain: `${ascii(en)}bank.com.vn`,
    })),
    ...ISPS.map(([vi, en, short]): OrgPlan => ({ slug: `bench-isp-${ascii(short)}`, type: 'isp', nameVi: vi, nameEn: en, shortName: short, domain: `${ascii(short)}.net.vn` })),
    ...MINISTRIES.map(([vi, en, code]): OrgPlan => ({
      slug: `bench-ttcntt-${code}`,
      type: 'ministry',
      nameVi: `Trung tâm Công nghệ thông tin, ${vi}`,
      nameEn: `IT Centre, ${en}`,
      shortName: `TTCNTT ${vi}`,
      domain: `${code}.gov.vn`,
    })),
  ]
}

interface ClusterPlan {
  code: string
  nameVi: string
  nameEn: string
  /** Slugs of the member organisations; the first ones take turns as lead and deputy. */
  members: string[]
}

function clusterPlans(orgs: OrgPlan[]): ClusterPlan[] {
  const of = (type: OrgType) => orgs.filter((o) => o.type === type).map((o) => o.slug)
  const departments = of('department')
  return [
    { code: 'bench-cum-2', nameVi: 'Cụm 2', nameEn: 'Cluster 2', members: departments.slice(0, 6) },
    { code: 'bench-cum-4', nameVi: 'Cụm 4', nameEn: 'Cluster 4', members: departments.slice(6, 13) },
    { code: 'bench-cum-5', nameVi: 'Cụm 5', nameEn: 'Cluster 5', members: departments.slice(13) },
    { code: 'bench-cum-ngan-hang', nameVi: 'Cụm Ngân hàng – Tài chính', nameEn: 'Banking and Finance Cluster', members: of('bank') },
    { code: 'bench-cum-bo-nganh', nameVi: 'Cụm Bộ, ngành và Viễn thông', nameEn: 'Ministries and Telecoms Cluster', members: [...of('ministry'), ...of('isp')] },
  ]
}

export interface SeededUser {
  id: string
  role: 'reporter' | 'responder' | 'org_admin' | 'cert_analyst'
}

interface SeededOrg {
  id: string
  slug: string
  type: OrgType
  domain: string
  shortName: string
  /** How many incidents it files relative to a provincial department. */
  weight: number
  users: SeededUser[]
  /** The lead organisation of its cluster this year (null for the national CERT). */
  clusterLeadId: string | null
}

export interface IncidentNetwork {
  orgs: SeededOrg[]
  vncertId: string
  /** National-CERT analysts and admins: escalating a RED incident names them. */
  triagerIds: string[]
  /** Cụm 3, which the lead viewer's organisation (Nam Định) leads this year. */
  leadClusterId: string
  viewers: { lead: { email: string; userId: string }; analyst: { email: string; userId: string } }
}

const WEIGHTS: Record<OrgType, number> = { department: 1, bank: 1.6, isp: 2.5, ministry: 0.8, cert: 0.3 }

/**
 * The network: reference seed, 48 more organisations with contact points and provinces, five
 * more clusters with lead and deputy for the last three terms, five to eight users per
 * organisation (one shared argon2id hash, as in seed.ts), and the two viewers the scenario signs
 * in as: a responder at Nam Định (lead of Cụm 3 this year) and a national-CERT analyst.
 */
export async function seedIncidentNetwork(db: Database, now: Date): Promise<IncidentNetwork> {
  const today = calendarDate(now)
  const year = Number(today.slice(0, 4))
  const refIds = await seedNetwork(db, today)
  const plans = organisationPlans()

  const provinceRows = await db
    .insert(provinces)
    .values(plans.flatMap((o) => (o.province ? [{ code: o.province[0], nameVi: o.province[1], nameEn: o.province[2] }] : [])))
    .returning({ id: provinces.id, code: provinces.code })
  const provinceId = new Map(provinceRows.map((p) => [p.code, p.id]))
  const orgRows = await db
    .insert(organisations)
    .values(
      plans.map((o) => ({
        slug: o.slug,
        kind: 'member' as const,
        nameVi: o.nameVi,
        nameEn: o.nameEn,
        shortName: o.shortName,
        provinceId: o.province ? provinceId.get(o.province[0])! : null,
        email: `soc@${o.domain}`,
        website: `https://${o.domain}`,
      })),
    )
    .returning({ id: organisations.id, slug: organisations.slug })
  const idOf = new Map<string, string>([...refIds, ...orgRows.map((r) => [r.slug, r.id] as const)])
  await db.insert(contactPoints).values(
    plans.map((o, i) => ({
      organisationId: idOf.get(o.slug)!,
      name: `Đầu mối ứng cứu ${o.shortName}`,
      title: 'Đầu mối ứng cứu sự cố',
      email: `ir@${o.domain}`,
      phone: `+84 24 3900 ${String(1000 + i).padStart(4, '0')}`,
      available24x7: o.type === 'bank' || o.type === 'isp',
    })),
  )

  const clusterList = clusterPlans(plans)
  const clusterRows = await db
    .insert(clusters)
    .values(clusterList.map((c) => ({ code: c.code, nameVi: c.nameVi, nameEn: c.nameEn, foundedOn: `${year - 3}-01-01` })))
    .returning({ id: clusters.id, code: clusters.code })
  const clusterId = new Map(clusterRows.map((c) => [c.code, c.id]))
  await db.insert(clusterMembers).values(
    clusterList.flatMap((c) => c.members.map((slug) => ({ clusterId: clusterId.get(c.code)!, organisationId: idOf.get(slug)!, since: `${year - 3}-01-01` }))),
  )
  await db.insert(clusterOfficers).values(
    clusterList.flatMap((c) =>
      [year - 2, year - 1, year].flatMap((y, t) => [
        { clusterId: clusterId.get(c.code)!, organisationId: idOf.get(c.members[t % c.members.length]!)!, role: 'lead' as const, termStart: `${y}-01-01`, termEnd: `${y}-12-31` },
        { clusterId: clusterId.get(c.code)!, organisationId: idOf.get(c.members[(t + 1) % c.members.length]!)!, role: 'deputy' as const, termStart: `${y}-01-01`, termEnd: `${y}-12-31` },
      ]),
    ),
  )

  // Who leads whose cluster this year, from the rows just written and the reference seed's.
  const leads = await db
    .select({ clusterId: clusterOfficers.clusterId, organisationId: clusterOfficers.organisationId })
    .from(clusterOfficers)
    .where(sql`${clusterOfficers.role} = 'lead' and ${clusterOfficers.termStart} <= ${today} and ${clusterOfficers.termEnd} >= ${today}`)
  const leadOfCluster = new Map(leads.map((l) => [l.clusterId, l.organisationId]))
  const memberships = await db.select({ clusterId: clusterMembers.clusterId, organisationId: clusterMembers.organisationId }).from(clusterMembers)
  const clusterLeadOf = new Map(memberships.map((m) => [m.organisationId, leadOfCluster.get(m.clusterId) ?? null]))
  const [cum3] = await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.code, 'cum-3'))

  const allOrgs = await db.select({ id: organisations.id, slug: organisations.slug, kind: organisations.kind, shortName: organisations.shortName }).from(organisations)
  const planBySlug = new Map(plans.map((p) => [p.slug, p]))
  const vncertId = idOf.get('vncert')!

  // Users: a reporter or three, responders, an admin; the national CERT has analysts.
  const passwordHash = await hashPassword(BENCH_PASSWORD)
  const userValues = allOrgs.flatMap((o) => {
    const type: OrgType = o.kind === 'national_cert' ? 'cert' : (planBySlug.get(o.slug)?.type ?? 'department')
    const roles: SeededUser['role'][] =
      type === 'cert'
        ? ['cert_analyst', 'cert_analyst', 'cert_analyst', 'cert_analyst', 'org_admin', 'responder', 'responder']
        : type === 'bank' || type === 'isp'
          ? ['reporter', 'reporter', 'reporter', 'responder', 'responder', 'responder', 'org_admin']
          : ['reporter', 'reporter', 'responder', 'responder', 'org_admin']
    return roles.map((role, k) => ({
      email: `bench-${o.slug.replace(/^bench-/, '')}-${k + 1}@bench.test`,
      name: `Cán bộ ${o.shortName} ${k + 1}`,
      organisationId: o.id,
      role,
    }))
  })
  const namDinh = idOf.get('so-tttt-nam-dinh')!
  userValues.push(
    { email: BENCH_LEAD, name: 'Trần Thị Điều Phối', organisationId: namDinh, role: 'responder' },
    { email: BENCH_ANALYST, name: 'Nguyễn Văn Phân Tích', organisationId: vncertId, role: 'cert_analyst' },
  )
  const userRows = await db
    .insert(users)
    .values(userValues.map((u) => ({ ...u, status: 'active' as const, passwordHash, passwordChangedAt: now })))
    .returning({ id: users.id, email: users.email, organisationId: users.organisationId, role: users.role })
  const usersOf = new Map<string, SeededUser[]>()
  for (const u of userRows) {
    if (u.role === 'sysadmin') continue
    usersOf.set(u.organisationId, [...(usersOf.get(u.organisationId) ?? []), { id: u.id, role: u.role }])
  }
  const userId = (email: string) => userRows.find((u) => u.email === email)!.id

  const orgs: SeededOrg[] = allOrgs
    .map((o) => {
      const plan = planBySlug.get(o.slug)
      const type: OrgType = o.kind === 'national_cert' ? 'cert' : (plan?.type ?? 'department')
      return {
        id: o.id,
        slug: o.slug,
        type,
        shortName: o.shortName,
        domain: plan?.domain ?? (type === 'cert' ? 'vncert.vn' : `${o.slug.replace(/^so-tttt-/, '').replace(/-/g, '')}.gov.vn`),
        weight: WEIGHTS[type],
        users: usersOf.get(o.id) ?? [],
        clusterLeadId: clusterLeadOf.get(o.id) ?? null,
      }
    })
    .sort((a, b) => a.slug.localeCompare(b.slug))
  return {
    orgs,
    vncertId,
    triagerIds: userRows.filter((u) => u.organisationId === vncertId && (u.role === 'cert_analyst' || u.role === 'org_admin')).map((u) => u.id),
    leadClusterId: cum3!.id,
    viewers: { lead: { email: BENCH_LEAD, userId: userId(BENCH_LEAD) }, analyst: { email: BENCH_ANALYST, userId: userId(BENCH_ANALYST) } },
  }
}

// ---------------------------------------------------------------------------------------------
// Incidents

/** mulberry32: small, fast, and the same sequence for the same seed on every run. */
function generator(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
type Random = ReturnType<typeof generator>
const pick = <T>(r: Random, list: readonly T[]): T => list[Math.floor(r() * list.length)]!
function weighted<T extends string>(r: Random, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((s, [, w]) => s + w, 0)
  let x = r() * total
  for (const [value, w] of table) {
    x -= w
    if (x < 0) return value
  }
  return table[table.length - 1]![0]
}
const between = (r: Random, lo: number, hi: number) => lo + r() * (hi - lo)
/** A version-4-shaped UUID from the generator, so that incident i has the same id on every run. */
function uuidFrom(r: Random): string {
  const b = Array.from({ length: 16 }, () => Math.floor(r() * 256))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const hex = b.map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const CATEGORY_MIX = [
  ['phishing', 22], ['malware', 20], ['intrusion', 12], ['ddos', 10], ['defacement', 9], ['ransomware', 8],
  ['eavesdropping', 6], ['combined', 5], ['destruction', 3], ['other', 5],
] as const satisfies readonly (readonly [IncidentCategory, number])[]
const SEVERITY_MIX = [['low', 28], ['medium', 42], ['high', 22], ['critical', 8]] as const satisfies readonly (readonly [(typeof SEVERITIES)[number], number])[]
const TLP_MIX = [['CLEAR', 5], ['GREEN', 30], ['AMBER', 48], ['AMBER+STRICT', 13], ['RED', 4]] as const satisfies readonly (readonly [TlpLabel, number])[]

const SYSTEMS: Record<OrgType, readonly [name: string, host: string][]> = {
  department: [
    ['Cổng thông tin điện tử tỉnh', 'www'], ['Cổng dịch vụ công trực tuyến', 'dichvucong'], ['Hệ thống quản lý văn bản và điều hành', 'qlvb'],
    ['Hệ thống thư điện tử công vụ', 'mail'], ['Hệ thống một cửa điện tử', 'motcua'], ['Hệ thống hội nghị truyền hình', 'hop'],
  ],
  ministry: [
    ['Cổng thông tin điện tử của Bộ', 'www'], ['Hệ thống cơ sở dữ liệu chuyên ngành', 'csdl'], ['Hệ thống thư điện tử', 'mail'],
    ['Cổng dịch vụ công của Bộ', 'dichvucong'], ['Hệ thống quản lý hồ sơ công việc', 'hoso'],
  ],
  bank: [
    ['Ứng dụng ngân hàng số', 'app'], ['Hệ thống Internet Banking', 'ebank'], ['Hệ thống thanh toán thẻ', 'card'],
    ['Hệ thống ngân hàng lõi (Core Banking)', 'core'], ['Cổng thanh toán trực tuyến', 'pay'], ['Hệ thống thư điện tử nội bộ', 'mail'],
  ],
  isp: [
    ['Hệ thống phân giải tên miền (DNS)', 'dns'], ['Mạng lõi băng rộng cố định', 'core'], ['Trung tâm dữ liệu', 'dc'],
    ['Cổng chăm sóc khách hàng', 'my'], ['Hệ thống máy chủ thư điện tử khách hàng', 'mail'],
  ],
  cert: [['Hệ thống giám sát an toàn thông tin quốc gia', 'soc'], ['Cổng thông tin điện tử', 'www']],
}

const TITLES: Record<IncidentCategory, readonly string[]> = {
  ddos: ['Tấn công từ chối dịch vụ (DDoS) vào {sys}', 'Lưu lượng bất thường làm gián đoạn {sys}', '{sys} không truy cập được do tấn công DDoS'],
  phishing: [
    'Thư điện tử giả mạo lãnh đạo gửi tới cán bộ {org}', 'Trang web giả mạo {sys} lừa lấy thông tin đăng nhập',
    'Tin nhắn giả mạo thương hiệu {org} dẫn tới trang lừa đảo', 'Chiến dịch lừa đảo qua thư điện tử đính kèm tệp độc hại',
  ],
  malware: [
    'Phát hiện mã độc trên máy trạm của {org}', 'Mã độc đánh cắp thông tin lây lan qua USB', 'Máy chủ {sys} nhiễm mã độc đào tiền ảo',
    'Mã độc gián điệp (APT) kết nối tới máy chủ điều khiển', 'Cảnh báo mã độc trên {sys}',
  ],
  intrusion: ['Truy cập trái phép vào {sys}', 'Tài khoản quản trị {sys} bị chiếm quyền', 'Khai thác lỗ hổng bảo mật trên {sys}', 'Đăng nhập bất thường từ nước ngoài vào {sys}'],
  defacement: ['Trang chủ {sys} bị thay đổi giao diện', 'Tấn công thay đổi giao diện trang con của {sys}', 'Chèn nội dung cờ bạc trực tuyến vào {sys}'],
  ransomware: ['Mã độc mã hóa dữ liệu tống tiền trên {sys}', 'Ransomware mã hóa máy chủ tệp của {org}', 'Dữ liệu sao lưu của {sys} bị mã hóa đòi tiền chuộc'],
  destruction: ['Xóa dữ liệu trái phép trên {sys}', 'Phá hoại cơ sở dữ liệu của {sys}'],
  eavesdropping: ['Lộ lọt dữ liệu cá nhân từ {sys}', 'Nghe lén lưu lượng mạng nội bộ của {org}', 'Rò rỉ tài liệu nội bộ của {org} trên mạng xã hội'],
  combined: ['Chiến dịch tấn công có chủ đích kết hợp lừa đảo và mã độc vào {org}', 'Tấn công tổng hợp vào {sys}: dò quét, khai thác, cài cửa hậu'],
  other: ['Dò quét cổng dịch vụ bất thường từ dải IP nước ngoài', 'Hành vi đáng ngờ trên {sys}', 'Cảnh báo từ đối tác về địa chỉ IP của {org}'],
}
const DETECTIONS = [
  'Trung tâm giám sát an toàn thông tin (SOC) phát hiện cảnh báo lúc {time}.',
  'Cán bộ quản trị phát hiện khi kiểm tra nhật ký hệ thống lúc {time}.',
  'Người dùng phản ánh qua đường dây nóng lúc {time}.',
  'VNCERT/CC gửi cảnh báo về địa chỉ IP {ip} lúc {time}.',
  'Hệ thống phát hiện xâm nhập (IDS) ghi nhận lưu lượng đáng ngờ từ {ip} lúc {time}.',
]
const EFFECTS: Record<IncidentCategory, readonly string[]> = {
  ddos: ['Dịch vụ gián đoạn khoảng {n} giờ; lưu lượng đỉnh {n}0 Gbps.', 'Người dân không nộp được hồ sơ trực tuyến trong {n} giờ.'],
  phishing: ['{n} cán bộ đã nhập mật khẩu vào trang giả mạo.', 'Thư giả mạo gửi tới {n}0 hộp thư, có tệp đính kèm chứa mã độc.'],
  malware: ['Mã độc tạo tiến trình ẩn và kết nối tới máy chủ điều khiển {bad}.', '{n} máy trạm nhiễm mã độc, đã cách ly khỏi mạng nội bộ.'],
  intrusion: ['Đối tượng tạo tài khoản quản trị mới và tải lên webshell.', 'Phát hiện {n} phiên đăng nhập trái phép bằng tài khoản bị lộ.'],
  defacement: ['Trang chủ hiển thị nội dung xuyên tạc trong {n} giờ.', 'Nội dung quảng cáo cờ bạc được chèn vào {n}0 trang.'],
  ransomware: ['{n}0 máy chủ bị mã hóa, đối tượng để lại thư đòi tiền chuộc.', 'Tệp bị đổi đuôi, dữ liệu sao lưu trực tuyến cũng bị mã hóa.'],
  destruction: ['Cơ sở dữ liệu bị xóa {n}0 nghìn bản ghi.', 'Cấu hình thiết bị mạng bị xóa, dịch vụ gián đoạn {n} giờ.'],
  eavesdropping: ['Khoảng {n}0 nghìn bản ghi dữ liệu cá nhân bị rao bán trên diễn đàn.', 'Phát hiện thiết bị lạ thu thập lưu lượng trong mạng nội bộ.'],
  combined: ['Đối tượng gửi thư lừa đảo, cài mã độc rồi leo thang đặc quyền lên máy chủ.', 'Chuỗi tấn công kéo dài {n} tuần trước khi bị phát hiện.'],
  other: ['Chưa ghi nhận thiệt hại; đang theo dõi thêm.', 'Đối tác đề nghị kiểm tra địa chỉ IP {ip}.'],
}
const ACTIONS = [
  'Đã cô lập máy chủ, thu thập mẫu và gửi VNCERT/CC phân tích.',
  'Đã đổi mật khẩu các tài khoản liên quan và bật xác thực hai lớp.',
  'Đã chặn địa chỉ IP {ip} và tên miền {bad} trên tường lửa.',
  'Đã khôi phục dịch vụ từ bản sao lưu và vá lỗ hổng.',
  'Đề nghị Cụm trưởng hỗ trợ điều phối xử lý.',
  'Đang phối hợp với nhà cung cấp dịch vụ để xác minh nguồn tấn công.',
]
const ESCALATION_REASONS = [
  'Vượt quá khả năng xử lý của đơn vị, đề nghị VNCERT/CC hỗ trợ.',
  'Sự cố có dấu hiệu tấn công có chủ đích (APT) vào nhiều đơn vị.',
  'Ảnh hưởng tới hệ thống thông tin cấp độ 4, cần điều phối quốc gia.',
  'Dữ liệu cá nhân của người dân có thể đã bị lộ lọt.',
]
const CLOSURES = {
  whatHappened: ['Đối tượng khai thác lỗ hổng chưa được vá để xâm nhập.', 'Cán bộ mở tệp đính kèm độc hại trong thư giả mạo.', 'Tấn công từ mạng máy tính ma (botnet) ở nước ngoài.'],
  resolution: ['Gỡ bỏ mã độc, vá lỗ hổng, khôi phục dữ liệu từ bản sao lưu.', 'Chặn nguồn tấn công, phối hợp ISP lọc lưu lượng.', 'Thu hồi tài khoản bị lộ, rà soát toàn bộ máy trạm.'],
  prevention: ['Cập nhật bản vá định kỳ hằng tháng.', 'Tập huấn nhận diện thư lừa đảo cho toàn bộ cán bộ.', 'Triển khai giám sát 24/7 và sao lưu ngoại tuyến.'],
}
const PEOPLE = ['Nguyễn Văn Hùng', 'Trần Thị Lan', 'Lê Minh Đức', 'Phạm Thu Hà', 'Hoàng Quốc Việt', 'Vũ Thị Hằng', 'Đặng Văn Thành', 'Bùi Thị Ngọc']

export interface IncidentPlan {
  /** The largest size this register will grow to: fixes the spacing in time and the numbering. */
  total: number
  now: Date
}

/**
 * The search text of an incident, from the same exported helpers and in the same order as the
 * domain module's searchTextOf (app/incidents/incidents.server.ts, not exported):
 * foldForSearch over reference, title, description, system, domains, IPs and the category's
 * code, RSIT name and Vietnamese and English labels. verifySearchText checks it against a
 * report filed through createIncident, so a change there fails the benchmark, not its figures.
 */
function searchTextFor(v: { reference: string; title: string; description: string; systemName: string | null; systemDomains: string[]; systemPublicIps: string[]; category: string }): string {
  const category = v.category as keyof typeof incidentTexts.vi.categories
  const labels = v.category ? [v.category, rsitFor(v.category), incidentTexts.vi.categories[category] ?? '', incidentTexts.en.categories[category] ?? ''] : []
  return foldForSearch([v.reference, v.title, v.description, v.systemName ?? '', ...v.systemDomains, ...v.systemPublicIps, ...labels].join(' '))
}

/**
 * Files one draft through the domain's createIncident as the lead viewer and compares its
 * search_text with searchTextFor over the stored row. The draft stays: one more draft among
 * the Nam Định department's.
 */
export async function verifySearchText(db: Database, network: IncidentNetwork, now: Date) {
  const actor = await loadActor(db, network.viewers.lead.userId, now)
  if (!actor) throw new Error('the lead viewer cannot act')
  // A draft touches the database and the clock only: no notification, no job, no mail.
  const services = { db, now: () => now } as Partial<Services> as Services
  const acting: ActingContext = { services, actor, ip: null }
  const { id } = await createIncident(acting, {
    title: 'Mã độc mã hóa dữ liệu trên máy chủ Đà Nẵng',
    description: 'Phát hiện tệp lạ; đã cô lập máy chủ. Địa chỉ độc hại 203.0.113.9',
    systemName: 'Hệ thống quản lý văn bản',
    systemDomains: 'qlvb.namdinh.gov.vn, mail.namdinh.gov.vn',
    systemPublicIps: '198.51.100.20',
    category: 'ransomware',
    severity: 'high',
    tlp: 'AMBER',
  })
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id))
  const expected = searchTextFor({ ...row!, category: row!.category })
  if (row!.searchText !== expected) {
    throw new Error(`bench/seed-incidents.ts folds search text differently from createIncident:\n  domain: ${row!.searchText}\n  bench:  ${expected}`)
  }
}

interface Generated {
  row: typeof incidents.$inferInsert
  grants: (typeof accessGrants.$inferInsert)[]
}

function fill(template: string, r: Random, ctx: { sys: string; org: string; time: string }) {
  return template
    .replace(/\{sys\}/g, ctx.sys)
    .replace(/\{org\}/g, ctx.org)
    .replace(/\{time\}/g, ctx.time)
    .replace(/\{ip\}/g, () => `203.0.113.${1 + Math.floor(r() * 254)}`)
    .replace(/\{bad\}/g, () => `${pick(r, ['update-secure', 'cdn-static', 'login-verify', 'office365-auth', 'vn-gov-portal'])}-${Math.floor(r() * 900 + 100)}.example`)
    .replace(/\{n\}/g, () => String(2 + Math.floor(r() * 8)))
}

const clamp = (t: number, max: number) => Math.min(t, max)
const CLOCK = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric' })
const timeOfDay = (d: Date) => CLOCK.format(d)

/** Incident i of the register: everything about it follows from i (see the header). */
function generate(i: number, plan: IncidentPlan, network: IncidentNetwork, orgPicker: (x: number) => SeededOrg): Generated {
  const r = generator(Math.imul(i + 1, 0x9e3779b1) ^ 0x5bd1e995)
  const id = uuidFrom(r)
  const now = plan.now.getTime()
  const step = HISTORY_MS / plan.total
  const createdMs = now - (i + 0.5 + (r() - 0.5) * 0.8) * step
  const age = now - createdMs
  const latest = now - 60_000
  const org = orgPicker(r())
  const staff = org.users
  const responders = staff.filter((u) => u.role === 'responder' || u.role === 'org_admin' || u.role === 'cert_analyst')
  const creator = r() < 0.6 ? pick(r, staff) : pick(r, responders.length ? responders : staff)

  const category = weighted(r, CATEGORY_MIX)
  let severity = weighted(r, SEVERITY_MIX)
  if (category === 'ransomware' && severity === 'low') severity = 'high'
  const tlp = weighted(r, TLP_MIX)
  const [systemName, host] = pick(r, SYSTEMS[org.type])
  const domain = `${host}.${org.domain}`
  const ctx = { sys: systemName, org: org.shortName, time: '' }
  const detectedMs = createdMs - between(r, 0.1, 72) * HOUR
  ctx.time = timeOfDay(new Date(detectedMs))
  const title = fill(pick(r, TITLES[category]), r, ctx)
  const description = [fill(pick(r, DETECTIONS), r, ctx), fill(pick(r, EFFECTS[category]), r, ctx), fill(pick(r, ACTIONS), r, ctx)]
    .slice(0, 2 + Math.floor(r() * 2))
    .join(' ')
  const systemLevel = 1 + Math.floor(r() * 5)
  const harms = Object.fromEntries(SERIOUS_HARMS.map((h) => [h, severity === 'critical' && r() < 0.4])) as Record<(typeof SERIOUS_HARMS)[number], boolean>
  const beyondOwnerCapacity = severity === 'critical' && r() < 0.5
  const criticalNationalSystem = systemLevel === 5 && r() < 0.3
  const serious = meetsSeriousTest({ systemLevel, criticalNationalSystem, harms, beyondOwnerCapacity })

  // The life cycle, by age: recent reports are open, the old ones mostly closed, some not.
  const ageDays = age / DAY
  const draft = r() < 0.025
  type Status = NonNullable<typeof incidents.$inferInsert.status>
  const status: Status = draft
    ? 'draft'
    : ageDays < 1
      ? weighted(r, [['new', 50], ['acknowledged', 30], ['investigating', 20]])
      : ageDays < 7
        ? weighted(r, [['new', 8], ['acknowledged', 20], ['investigating', 45], ['contained', 20], ['resolved', 7]])
        : ageDays < 30
          ? weighted(r, [['investigating', 25], ['contained', 20], ['resolved', 25], ['closed', 30]])
          : weighted(r, [['closed', 88], ['resolved', 6], ['investigating', 4], ['contained', 2]])
  const rank = ['draft', 'new', 'acknowledged', 'investigating', 'contained', 'resolved', 'closed'].indexOf(status)
  const submittedMs = draft ? null : clamp(createdMs + between(r, 0, 0.5) * HOUR, latest)
  // One in ten acknowledgements comes after the 24-hour deadline.
  const acknowledgedMs = submittedMs !== null && rank >= 2 ? clamp(submittedMs + (r() < 0.1 ? between(r, 24, 60) : between(r, 0.2, 20)) * HOUR, latest) : null
  const resolvedMs = acknowledgedMs !== null && rank >= 5 ? clamp(acknowledgedMs + (latest - acknowledgedMs) * between(r, 0.05, 0.6), latest) : null
  const closureMs = resolvedMs !== null && (rank === 6 || r() < 0.3) ? clamp(resolvedMs + between(r, 0.2, 7) * DAY, latest) : null
  const closedMs = closureMs !== null && rank === 6 ? clamp(closureMs + between(r, 0, 2) * DAY, latest) : null

  // Escalation to the national CERT, more often the worse it is.
  const escalationOdds = { low: 0.01, medium: 0.03, high: 0.1, critical: 0.3 }[severity]
  const escalated = submittedMs !== null && org.type !== 'cert' && r() < escalationOdds
  const escalatedMs = escalated ? clamp(submittedMs! + between(r, 1, 48) * HOUR, latest) : null
  const triageStatus = escalated ? (now - escalatedMs! < 2 * DAY ? 'pending' : weighted(r, [['accepted', 60], ['declined', 20], ['info_requested', 5], ['pending', 15]] as const)) : null
  const triaged = triageStatus !== null && triageStatus !== 'pending'
  const analystId = triaged ? pick(r, network.triagerIds) : null

  const assigned = rank >= 3 && responders.length > 0 && r() < 0.6
  const responding = rank >= 3 && org.clusterLeadId !== null && org.clusterLeadId !== org.id && r() < 0.08
  const grants: Generated['grants'] = []
  const grant = (to: { granteeOrganisationId?: string; granteeUserId?: string }, reason: string, grantedBy: string) =>
    grants.push({ objectType: 'incident', objectId: id, granteeOrganisationId: to.granteeOrganisationId ?? null, granteeUserId: to.granteeUserId ?? null, reason, grantedBy, createdAt: new Date(createdMs) })
  if (tlp === 'RED') {
    const others = staff.filter((u) => u.id !== creator.id)
    const named = new Set([pick(r, others), ...(r() < 0.4 ? [pick(r, others)] : [])].map((u) => u.id))
    for (const userId of named) grant({ granteeUserId: userId }, 'tlp_red_recipient', creator.id)
  }
  if (escalated) {
    grant({ granteeOrganisationId: network.vncertId }, 'escalation', creator.id)
    if (tlp === 'RED') for (const userId of network.triagerIds) grant({ granteeUserId: userId }, 'escalation', creator.id)
  }
  if (responding) grant({ granteeOrganisationId: org.clusterLeadId! }, 'responding', creator.id)

  const createdAt = new Date(createdMs)
  const year = calendarDate(createdAt).slice(0, 4)
  const reference = `IR-${year}-${String(plan.total - i).padStart(6, '0')}`
  const systemDomains = r() < 0.8 ? [domain] : []
  const systemPublicIps = r() < 0.6 ? [`198.51.100.${1 + Math.floor(r() * 254)}`] : []
  // A draft may leave the category open: the column holds '' until the report is submitted.
  const storedCategory = draft && r() < 0.5 ? '' : category
  const contact = pick(r, PEOPLE)
  const times = [createdMs, submittedMs, acknowledgedMs, resolvedMs, closureMs, closedMs, escalatedMs].filter((t): t is number => t !== null)
  const date = (ms: number | null) => (ms === null ? null : new Date(ms))
  return {
    grants,
    row: {
      id,
      reference,
      status,
      reportingOrganisationId: org.id,
      createdBy: creator.id,
      title,
      category: storedCategory,
      severity,
      serious,
      seriousCriteria: { criticalNationalSystem, beyondOwnerCapacity, ...harms },
      tlp,
      pap: weighted(r, [['CLEAR', 5], ['GREEN', 25], ['AMBER', 60], ['RED', 10]] as const),
      contactName: contact,
      contactTitle: 'Cán bộ quản trị hệ thống',
      contactPhone: `+84 9${Math.floor(r() * 1e8).toString().padStart(8, '0')}`,
      contactEmail: `ir@${org.domain}`,
      systemName,
      systemDomains,
      systemPublicIps,
      systemLevel,
      systemOwner: org.shortName,
      description,
      detectedAt: new Date(detectedMs),
      handled: rank >= 4,
      detectionMethods: [pick(r, ['ids', 'logs', 'notified', 'other'] as const)],
      alreadyNotified: r() < 0.3 ? ['national_cert'] : [],
      confidential: tlp === 'RED' || r() < 0.05,
      assignedUserId: assigned ? pick(r, responders).id : null,
      respondingOrganisationId: responding ? org.clusterLeadId : null,
      escalatedAt: date(escalatedMs),
      escalatedBy: escalated ? creator.id : null,
      escalationReason: escalated ? pick(r, ESCALATION_REASONS) : null,
      escalationUrgency: escalated ? weighted(r, [['normal', 60], ['urgent', 30], ['immediate', 10]] as const) : null,
      triageStatus,
      triageClassification: triaged ? (serious ? 'serious' : 'normal') : null,
      triageAnalystId: analystId,
      triagedAt: triaged ? new Date(clamp(escalatedMs! + between(r, 0.5, 24) * HOUR, latest)) : null,
      submittedAt: date(submittedMs),
      acknowledgedAt: date(acknowledgedMs),
      resolvedAt: date(resolvedMs),
      closedAt: date(closedMs),
      closureWhatHappened: closureMs !== null ? pick(r, CLOSURES.whatHappened) : null,
      closureResolution: closureMs !== null ? pick(r, CLOSURES.resolution) : null,
      closurePrevention: closureMs !== null ? pick(r, CLOSURES.prevention) : null,
      closureSubmittedAt: date(closureMs),
      searchText: searchTextFor({ reference, title, description, systemName, systemDomains, systemPublicIps, category: storedCategory }),
      createdAt,
      updatedAt: new Date(Math.max(...times)),
    },
  }
}

/**
 * Incidents from..to-1 of the plan (0 is the newest), in multi-row inserts of 2,000 (see
 * bulk-insert.ts), their grants after them, the deadline reminders already sent, the
 * reference counters moved past every number used, and fresh planner statistics (PGlite runs no autovacuum). Returns the seconds taken.
 */
export async function seedIncidents(db: Database, network: IncidentNetwork, plan: IncidentPlan, from: number, to: number): Promise<number> {
  const started = performance.now()
  const cumulative: number[] = []
  let sum = 0
  for (const o of network.orgs) cumulative.push((sum += o.users.length ? o.weight : 0))
  const orgPicker = (x: number) => network.orgs[Math.max(0, cumulative.findIndex((c) => c > x * sum))]!
  const maxSeqByYear = new Map<number, number>()
  let pending: Generated['grants'] = []
  for (let start = from; start < to; start += INCIDENT_BATCH) {
    const batch: Generated[] = []
    for (let i = start; i < Math.min(start + INCIDENT_BATCH, to); i++) batch.push(generate(i, plan, network, orgPicker))
    await insertMany(db, incidents, batch.map((b) => b.row))
    pending.push(...batch.flatMap((b) => b.grants))
    if (pending.length >= GRANT_BATCH) {
      await insertMany(db, accessGrants, pending)
      pending = []
    }
    for (const { row } of batch) {
      const [, year, seq] = row.reference.split('-')
      maxSeqByYear.set(Number(year), Math.max(maxSeqByYear.get(Number(year)) ?? 0, Number(seq)))
    }
  }
  await insertMany(db, accessGrants, pending)
  await settleReminders(db, plan.now)
  for (const [year, last] of maxSeqByYear) {
    await db
      .insert(incidentReferenceCounters)
      .values({ year, last })
      .onConflictDoUpdate({ target: incidentReferenceCounters.year, set: { last: sql`greatest(${incidentReferenceCounters.last}, excluded.last)` } })
  }
  await db.execute(sql`analyze`)
  return (performance.now() - started) / 1000
}

/**
 * The deadline reminders a live server would already have sent for this history (Circular
 * 20/2017: notification, acknowledgement, closure report), claimed by the domain's own
 * runDeadlineReminders until a run finds none left. Without them the first run of the worker's
 * 15-minute job after start-up would work off thousands of reminders, fanning each out while
 * the pages are measured: a backlog no live server has. Their events are recorded, their
 * fan-out is not enqueued (delivering past reminders is not what this benchmark measures).
 */
async function settleReminders(db: Database, now: Date) {
  const jobs = { enqueue: async () => null } as Partial<JobQueue> as JobQueue
  const services = { db, now: () => now, jobs } as Partial<Services> as Services
  for (;;) {
    const run = await runDeadlineReminders(services)
    if (run.sent.length === 0) return
  }
}

/** How many incidents the user may see, by the policy's own condition (for the log). */
export async function visibleCount(db: Database, userId: string, now: Date): Promise<number> {
  const actor = await loadActor(db, userId, now)
  if (!actor) return 0
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(incidents).where(visibleIncidentsWhere(actor))
  return Number(row?.n ?? 0)
}
