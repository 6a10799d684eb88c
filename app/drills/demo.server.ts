import { eq, inArray } from 'drizzle-orm'
import { clusters, drills, users } from '../../db/schema/index.ts'
import type { ActingContext, Services } from '../lib/context.server.ts'
import { calendarDate, dateToLocalDateTime, DEFAULT_TIME_ZONE } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { log } from '../lib/log.server.ts'
import type { Actor } from '../policy/actor.ts'
import { loadActor } from '../policy/actor.server.ts'
import { markAttendance } from './attendance.server.ts'
import { createDrill, transitionDrill } from './drills.server.ts'
import { signUpForDrill } from './registrations.server.ts'
import { addActionItem, publishReport, recordObservation, saveReport, setActionItemDone } from './report.server.ts'

// Demo only: Cluster 3's drills, so the drill pages have something to show on a fresh start —
// a tabletop exercise held three weeks ago (completed, with its participants, their attendance,
// observations and a published after-action report whose action items are owned by two
// members, one done and one open) and the next one,
// open for registration, that a member's staff can sign up for. As with the demo incidents
// (app/incidents/demo.server.ts), each drill is made by the demo accounts through the domain
// acts the pages call, on a clock set back to when each act happened, so the policy, the row
// lock, the audit entries and the notifications are the real ones.

const HOUR = 3600_000
const DAY = 24 * HOUR

const DEMO_PEOPLE = {
  lead: 'lead@namdinh.demo',
  haiPhong: 'responder@haiphong.demo',
  quangNinh: 'reporter@quangninh.demo',
  namDinhAdmin: 'admin@namdinh.demo',
} as const
type Person = keyof typeof DEMO_PEOPLE

export const DEMO_DRILLS = ['past', 'upcoming'] as const
export type DemoDrill = (typeof DEMO_DRILLS)[number]

const local = (at: Date) => dateToLocalDateTime(at, DEFAULT_TIME_ZONE)

interface Plan {
  key: DemoDrill
  /** Days from now (negative: in the past) of each moment of the drill's life. */
  opensInDays: number
  closesInDays: number
  startsInDays: number
  hours: number
  form: Record<string, string | string[]>
  signUps: [Person, string][]
  /** Steps the lead takes after the sign-ups, each on the day given. */
  steps: ['start' | 'complete' | 'close_registration', number][]
}

const PLANS: Plan[] = [
  {
    key: 'past',
    opensInDays: -40,
    closesInDays: -25,
    startsInDays: -21,
    hours: 4,
    form: {
      title: 'Diễn tập trên bàn: ứng cứu sự cố mã độc tống tiền tại cổng dịch vụ công',
      kind: 'tabletop',
      description: 'Diễn tập trên bàn của Cụm 3 năm 2026: từ phát hiện, báo cáo ban đầu (Mẫu 03) đến báo cáo kết thúc (Mẫu 04).',
      scenario: 'Lúc 02:00, máy chủ cổng dịch vụ công của một Sở bị mã hóa; kẻ tấn công đòi tiền chuộc và đe dọa công bố dữ liệu.',
      objectives: 'Báo cáo ban đầu trong ngày; phối hợp trong cụm trong 24 giờ; chuyển VNCERT/CC khi vượt khả năng xử lý.',
      venue: 'Sở KH&CN Nam Định, phòng họp tầng 3',
      capacity: '20',
      rolesOffered: ['participant', 'observer', 'controller'],
    },
    signUps: [
      ['haiPhong', 'participant'],
      ['quangNinh', 'participant'],
      ['namDinhAdmin', 'controller'],
    ],
    steps: [
      ['close_registration', -25],
      ['start', -21],
      ['complete', -21],
    ],
  },
  {
    key: 'upcoming',
    opensInDays: -3,
    closesInDays: 10,
    startsInDays: 14,
    hours: 6,
    form: {
      title: 'Diễn tập thực chiến Cụm 3: tấn công lừa đảo và chiếm quyền thư điện tử công vụ',
      kind: 'live_fire',
      description: 'Đội đỏ mô phỏng chiến dịch thư lừa đảo; đội xanh của các Sở phát hiện, ngăn chặn và báo cáo theo quy trình của cụm.',
      scenario: 'Chiến dịch thư giả mạo văn bản chỉ đạo, đính kèm tài liệu chứa mã độc; một tài khoản thư công vụ bị chiếm quyền.',
      objectives: 'Phát hiện trong 2 giờ; chặn tên miền độc hại trên toàn cụm; chia sẻ dấu hiệu nhận biết (IOC) với các thành viên.',
      venue: '',
      onlineUrl: 'https://meet.example.gov.vn/cum3-dien-tap',
      capacity: '12',
      perOrganisationCapacity: '3',
      rolesOffered: ['blue_team', 'red_team', 'observer'],
    },
    signUps: [['haiPhong', 'blue_team']],
    steps: [],
  },
]

interface Evaluation {
  as(person: Person): ActingContext
  /** Sets the clock to `days` from now, plus `hours`. */
  setClock(days: number, hours?: number): void
  registrations: Map<Person, string>
  organisationOf(person: Person): string
  /** The calendar date (Asia/Ho_Chi_Minh) `days` from now. */
  dueOn(days: number): string
}

/**
 * The past tabletop's evaluation, as the lead did it: attendance at the end of the session,
 * two observations, the report drafted and published the day after, and the action items —
 * Hải Phòng's since done, Quảng Ninh's still open.
 */
async function evaluatePastDrill(id: string, e: Evaluation) {
  const lead = e.as('lead')
  e.setClock(-21, 4)
  for (const [person, attendance] of [
    ['haiPhong', 'attended'],
    ['namDinhAdmin', 'attended'],
    ['quangNinh', 'absent'],
  ] as const) {
    await markAttendance(lead, id, { registrationId: e.registrations.get(person), attendance })
  }
  await recordObservation(lead, id, {
    objective: 'Báo cáo ban đầu trong ngày',
    organisationId: e.organisationOf('haiPhong'),
    score: '4',
    text: 'Hải Phòng gửi báo cáo ban đầu (Mẫu 03) sau 3 giờ, đủ thông tin; chưa đính kèm nhật ký máy chủ.',
  })
  await recordObservation(lead, id, {
    objective: 'phối hợp trong cụm trong 24 giờ',
    organisationId: e.organisationOf('quangNinh'),
    score: '2',
    text: 'Quảng Ninh không có người trực; yêu cầu hỗ trợ của cụm chỉ được trả lời sau 30 giờ.',
  })
  e.setClock(-20)
  await saveReport(lead, id, {
    assessment_0: 'met',
    assessment_1: 'partly',
    assessment_2: 'met',
    objectivesMet: 'Hai trên ba mục tiêu đạt; phối hợp trong cụm chậm hơn 24 giờ vì thiếu đầu mối trực.',
    observationsSummary: 'Quy trình báo cáo ban đầu được thực hiện đúng; việc chuyển VNCERT/CC diễn ra kịp thời. Đầu mối trực ngoài giờ chưa rõ ở một số đơn vị.',
    recommendations: 'Cập nhật danh bạ đầu mối trực 24/7 của cụm; bổ sung hướng dẫn thu thập nhật ký vào quy trình ứng cứu.',
  })
  const done = await addActionItem(lead, id, { description: 'Bổ sung hướng dẫn thu thập nhật ký máy chủ vào quy trình ứng cứu', ownerOrganisationId: e.organisationOf('haiPhong'), dueOn: e.dueOn(-7) })
  await addActionItem(lead, id, { description: 'Cử đầu mối trực 24/7 và cập nhật danh bạ của cụm', ownerOrganisationId: e.organisationOf('quangNinh'), dueOn: e.dueOn(30) })
  await publishReport(lead, id)
  e.setClock(-10)
  await setActionItemDone(lead, id, { itemId: done.id, done: 'true' })
}

interface DemoPerson {
  id: string
  actor: Actor
}

async function loadPeople(services: Services): Promise<Record<Person, DemoPerson> | null> {
  const rows = await services.db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, Object.values(DEMO_PEOPLE)))
  const people = {} as Record<Person, DemoPerson>
  for (const [person, email] of Object.entries(DEMO_PEOPLE) as [Person, string][]) {
    const row = rows.find((r) => r.email === email)
    const actor = row ? await loadActor(services.db, row.id, services.now()) : null
    if (!row || !actor) return null
    people[person] = { id: row.id, actor }
  }
  return people
}

/**
 * Seeds the demo drills once: only into an installation without any drill, so a second start
 * adds nothing and drills people scheduled are never mixed with the demo's. Needs the demo
 * accounts and Cluster 3; without them it does nothing. A step the policy refuses (accounts or
 * terms changed before this ran) skips that drill with a warning.
 */
export async function seedDemoDrills(services: Services): Promise<Map<DemoDrill, string>> {
  const made = new Map<DemoDrill, string>()
  const [existing] = await services.db.select({ id: drills.id }).from(drills).limit(1)
  if (existing) return made
  const people = await loadPeople(services)
  const [cluster] = await services.db.select({ id: clusters.id }).from(clusters).where(eq(clusters.code, 'cum-3'))
  if (!people || !cluster) return made

  const base = services.now()
  let clock = base
  const clocked: Services = { ...services, now: () => clock }
  const as = (person: Person): ActingContext => ({ services: clocked, actor: people[person].actor, ip: null })
  const at = (days: number) => new Date(base.getTime() + days * DAY)

  for (const plan of PLANS) {
    try {
      const starts = at(plan.startsInDays)
      clock = at(plan.opensInDays - 2)
      const { id } = await createDrill(
        as('lead'),
        {
          level: 'cluster',
          scope: 'cluster',
          clusterId: cluster.id,
          tlp: 'GREEN',
          perOrganisationCapacity: '',
          onlineUrl: '',
          requiresApproval: '',
          ...plan.form,
          registrationOpensAt: local(at(plan.opensInDays)),
          registrationClosesAt: local(at(plan.closesInDays)),
          sessionStarts: local(starts),
          sessionEnds: local(new Date(starts.getTime() + plan.hours * HOUR)),
        },
        { timeZone: DEFAULT_TIME_ZONE },
      )
      await transitionDrill(as('lead'), id, 'publish')
      clock = at(plan.opensInDays + 1)
      const registrations = new Map<Person, string>()
      for (const [person, role] of plan.signUps) registrations.set(person, (await signUpForDrill(as(person), id, { role })).id)
      for (const [step, day] of plan.steps) {
        clock = new Date(at(day).getTime() + (step === 'complete' ? plan.hours * HOUR : 0))
        await transitionDrill(as('lead'), id, step)
      }
      if (plan.key === 'past') {
        await evaluatePastDrill(id, {
          as,
          setClock: (days, hours = 0) => (clock = new Date(at(days).getTime() + hours * HOUR)),
          registrations,
          organisationOf: (person) => people[person].actor.organisationId,
          dueOn: (days) => calendarDate(at(days), DEFAULT_TIME_ZONE),
        })
      }
      made.set(plan.key, id)
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      log(services.env.LOG_LEVEL, 'warn', 'demo drill skipped', { drill: plan.key, code: error.code, message: error.messageKey })
    }
  }
  log(services.env.LOG_LEVEL, 'info', 'demo drills seeded', { drills: made.size })
  return made
}
