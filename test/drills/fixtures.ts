import { and, eq } from 'drizzle-orm'
import { drillRegistrations, drills, notificationEvents } from '../../db/schema/index.ts'
import { createDrill, transitionDrill } from '../../app/drills/drills.server.ts'
import { dateToLocalDateTime } from '../../app/lib/dates.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import type { UserRole } from '../../app/policy/actor.ts'
import type { Harness } from '../support/harness.ts'
import { makeCluster, makeOrganisation, makeUser } from '../support/factories.ts'

export { expectDomainError } from '../incidents/core-fixtures.ts'

// The people of the drill tests, one per place the rules distinguish: Cluster A's lead (a
// responder and a reporter) and deputy (an admin); two members of Cluster A with their staff; a
// member of Cluster B; the lead of a cluster whose term has ended; the national CERT's analyst,
// admin and sysadmin.
export const PEOPLE = [
  'leadResponder',
  'leadReporter',
  'deputyAdmin',
  'memberReporter',
  'memberReporter2',
  'memberAdmin',
  'siblingResponder',
  'siblingAdmin',
  'otherResponder',
  'formerLeadResponder',
  'analyst',
  'certAdmin',
  'sysadmin',
] as const
export type Person = (typeof PEOPLE)[number]

export interface DrillCast {
  clusterId: string
  otherClusterId: string
  formerClusterId: string
  leadOrgId: string
  memberOrgId: string
  siblingOrgId: string
  otherOrgId: string
  users: Record<Person, { id: string; organisationId: string; email: string }>
  as(person: Person): Promise<ActingContext>
}

export async function drillCast(h: Harness): Promise<DrillCast> {
  const db = h.services.db
  const [lead, deputy, member, sibling, other, formerLead] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => makeOrganisation(db)))
  const clusterA = await makeCluster(db, { members: [lead!.id, deputy!.id, member!.id, sibling!.id], lead: lead!.id, deputy: deputy!.id })
  const clusterB = await makeCluster(db, { members: [other!.id] })
  // Last year's lead: the term has ended, so the organisation no longer organises for the cluster.
  const former = await makeCluster(db, { members: [formerLead!.id], lead: formerLead!.id, termStart: '2020-01-01', termEnd: '2021-12-31' })
  const certOrgId = h.orgIds.get('vncert')!
  const spec: Record<Person, [string, UserRole]> = {
    leadResponder: [lead!.id, 'responder'],
    leadReporter: [lead!.id, 'reporter'],
    deputyAdmin: [deputy!.id, 'org_admin'],
    memberReporter: [member!.id, 'reporter'],
    memberReporter2: [member!.id, 'reporter'],
    memberAdmin: [member!.id, 'org_admin'],
    siblingResponder: [sibling!.id, 'responder'],
    siblingAdmin: [sibling!.id, 'org_admin'],
    otherResponder: [other!.id, 'responder'],
    formerLeadResponder: [formerLead!.id, 'responder'],
    analyst: [certOrgId, 'cert_analyst'],
    certAdmin: [certOrgId, 'org_admin'],
    sysadmin: [certOrgId, 'sysadmin'],
  }
  const users = {} as DrillCast['users']
  for (const person of PEOPLE) {
    const [organisationId, role] = spec[person]
    const u = await makeUser(db, organisationId, role, { name: person })
    users[person] = { id: u.id, organisationId, email: u.email }
  }
  return {
    clusterId: clusterA.id,
    otherClusterId: clusterB.id,
    formerClusterId: former.id,
    leadOrgId: lead!.id,
    memberOrgId: member!.id,
    siblingOrgId: sibling!.id,
    otherOrgId: other!.id,
    users,
    as: (person) => h.acting(users[person].id),
  }
}

const HOUR = 3600_000
const local = (d: Date) => dateToLocalDateTime(d, 'Asia/Ho_Chi_Minh')

/**
 * A complete drill form as a browser would send it: registration open since an hour ago and for
 * five more days, one session ten days from now.
 */
export function drillForm(now: Date, over: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    title: 'Diễn tập ứng cứu sự cố mã độc tống tiền',
    kind: 'tabletop',
    level: 'cluster',
    description: 'Diễn tập trên bàn cho các thành viên của cụm.',
    scenario: 'Kịch bản: máy chủ thư bị mã hóa lúc 2 giờ sáng.',
    objectives: 'Kiểm tra quy trình báo cáo trong 5 ngày.',
    venue: 'Sở KH&CN Nam Định, phòng họp tầng 3',
    onlineUrl: '',
    tlp: 'GREEN',
    scope: 'cluster',
    capacity: '10',
    perOrganisationCapacity: '',
    rolesOffered: ['participant', 'observer'],
    registrationOpensAt: local(new Date(now.getTime() - HOUR)),
    registrationClosesAt: local(new Date(now.getTime() + 5 * 24 * HOUR)),
    requiresApproval: '',
    sessionStarts: local(new Date(now.getTime() + 10 * 24 * HOUR)),
    sessionEnds: local(new Date(now.getTime() + 10 * 24 * HOUR + 4 * HOUR)),
    ...over,
  }
}

/** Creates and publishes a drill as `acting`. */
export async function publishedDrill(acting: ActingContext, form: Record<string, string | string[]>) {
  const { id } = await createDrill(acting, form)
  await transitionDrill(acting, id, 'publish')
  return id
}

export async function drillRow(h: Harness, id: string) {
  const [row] = await h.services.db.select().from(drills).where(eq(drills.id, id))
  return row
}

export async function registrationsOf(h: Harness, drillId: string) {
  return h.services.db.select().from(drillRegistrations).where(eq(drillRegistrations.drillId, drillId)).orderBy(drillRegistrations.position)
}

export async function drillEvents(h: Harness, drillId: string, type?: string) {
  const rows = await h.services.db
    .select()
    .from(notificationEvents)
    .where(and(eq(notificationEvents.objectType, 'drill'), eq(notificationEvents.objectId, drillId)))
    .orderBy(notificationEvents.createdAt)
  return type ? rows.filter((r) => r.type === type) : rows
}
