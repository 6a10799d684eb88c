import { and, eq, inArray } from 'drizzle-orm'
import { indicators, users } from '../../db/schema/index.ts'
import type { ActingContext, Services } from '../lib/context.server.ts'
import { log } from '../lib/log.server.ts'
import { loadActor } from '../policy/actor.server.ts'
import { addSighting, createIndicator, savePaste } from './indicators.server.ts'

// Demo only: indicators for the pages to show on a fresh start, shared by the demo accounts
// through the same domain acts the pages call — a Hải Phòng responder pastes a defanged phishing
// report, the Cluster 3 lead shares the phishing domain it also saw (a correlation within the
// cluster), a Bắc Ninh responder in Cluster 1 shares the C2 address (a correlation across
// clusters, which the Cluster 3 lead and VNCERT/CC are told of), and the lead records a sighting.
// Seeded only into an installation without any indicator, so people's own are never mixed in.

const HOUR = 3600_000
const DAY = 24 * HOUR

const DEMO_PEOPLE = {
  haiPhong: 'responder@haiphong.demo',
  lead: 'lead@namdinh.demo',
  bacNinh: 'responder@bacninh.demo',
} as const
type Person = keyof typeof DEMO_PEOPLE

export const DEMO_PHISHING_DOMAIN = 'dichvucong-gov.example.vn'
export const DEMO_C2_ADDRESS = '198.51.100.45'

const REPORT = [
  'Cảnh báo chiến dịch lừa đảo giả mạo Cổng dịch vụ công (Sở TT&TT Hải Phòng)',
  `Tên miền giả mạo: ${DEMO_PHISHING_DOMAIN.replaceAll('.', '[.]')}`,
  `Đường dẫn trong email: hxxps://${DEMO_PHISHING_DOMAIN.replaceAll('.', '[.]')}/dang-nhap?ma=2026`,
  `Máy chủ điều khiển: ${DEMO_C2_ADDRESS.replaceAll('.', '[.]')}`,
  'Người gửi: thongbao[at]dichvucong-gov[.]example[.]vn',
  'Tệp đính kèm HoaDon_T11.doc.exe — SHA-256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
].join('\n')

/** Seeds the demo indicators once; without the demo accounts it does nothing. */
export async function seedDemoIndicators(services: Services): Promise<number> {
  const [existing] = await services.db.select({ id: indicators.id }).from(indicators).limit(1)
  if (existing) return 0
  const rows = await services.db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, Object.values(DEMO_PEOPLE)))
  const base = services.now()
  let clock = base
  const clocked: Services = { ...services, now: () => clock }
  const people = {} as Record<Person, ActingContext>
  for (const [person, email] of Object.entries(DEMO_PEOPLE) as [Person, string][]) {
    const row = rows.find((r) => r.email === email)
    const actor = row ? await loadActor(services.db, row.id, base) : null
    if (!actor) return 0
    people[person] = { services: clocked, actor, ip: null }
  }
  const at = (days: number, hours = 0) => {
    clock = new Date(base.getTime() + days * DAY + hours * HOUR)
  }
  const sharing = { tlp: 'GREEN', pap: 'GREEN', confidence: '80', tags: 'phishing, T1566.002' }
  try {
    at(-3)
    const pasted = await savePaste(people.haiPhong, { ...sharing, text: REPORT, description: 'Chiến dịch lừa đảo nhắm vào người dân Hải Phòng, tháng 11/2026.' })
    at(-2, 5)
    await createIndicator(people.lead, { type: 'domain', value: DEMO_PHISHING_DOMAIN, tlp: 'GREEN', confidence: '70', description: 'Cũng xuất hiện trong email gửi cán bộ Sở TT&TT Nam Định.' })
    at(-1, 2)
    await createIndicator(people.bacNinh, { type: 'ipv4', value: DEMO_C2_ADDRESS, tlp: 'GREEN', confidence: '60', tags: 'c2', description: 'Máy chủ điều khiển thấy trong nhật ký tường lửa của Sở TT&TT Bắc Ninh.' })
    at(-1, 6)
    const [c2] = await services.db
      .select({ id: indicators.id })
      .from(indicators)
      .where(and(eq(indicators.type, 'ipv4'), eq(indicators.value, DEMO_C2_ADDRESS), eq(indicators.sourceOrganisationId, people.haiPhong.actor.organisationId)))
    if (c2) await addSighting(people.lead, c2.id, { count: '4', note: 'Bốn máy trong mạng nội bộ Sở TT&TT Nam Định kết nối tới địa chỉ này.' })
    return pasted.created + 2
  } catch (error) {
    log(services.env.LOG_LEVEL, 'warn', 'demo indicators skipped', { error: String(error) })
    return 0
  }
}
