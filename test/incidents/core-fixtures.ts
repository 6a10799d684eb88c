import { and, eq } from 'drizzle-orm'
import { expect } from 'vitest'
import { incidents, notificationEvents } from '../../db/schema/index.ts'
import { createIncident } from '../../app/incidents/incidents.server.ts'
import { dateToLocalDateTime } from '../../app/lib/dates.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import type { UserRole } from '../../app/policy/actor.ts'
import type { Harness } from '../support/harness.ts'
import { makeCluster, makeOrganisation, makeUser } from '../support/factories.ts'

// The people of the incident tests, one per place the rules distinguish: the reporting
// organisation's staff; the lead of its cluster (a responder and a reporter); a sibling member
// of the cluster; a member of another cluster; the national CERT's analyst and sysadmin.
export const PEOPLE = [
  'creator',
  'colleague',
  'ownResponder',
  'ownAdmin',
  'leadResponder',
  'leadReporter',
  'siblingResponder',
  'otherClusterResponder',
  'analyst',
  'sysadmin',
] as const
export type Person = (typeof PEOPLE)[number]

export interface IncidentCast {
  ownerOrgId: string
  leadOrgId: string
  siblingOrgId: string
  otherOrgId: string
  certOrgId: string
  users: Record<Person, { id: string; email: string; name: string }>
  as(person: Person): Promise<ActingContext>
}

export async function incidentCast(h: Harness): Promise<IncidentCast> {
  const db = h.services.db
  const owner = await makeOrganisation(db)
  const lead = await makeOrganisation(db)
  const deputy = await makeOrganisation(db)
  const sibling = await makeOrganisation(db)
  const other = await makeOrganisation(db)
  await makeCluster(db, { members: [owner.id, lead.id, deputy.id, sibling.id], lead: lead.id, deputy: deputy.id })
  await makeCluster(db, { members: [other.id] })
  const certOrgId = h.orgIds.get('vncert')!
  const spec: Record<Person, [string, UserRole, string]> = {
    creator: [owner.id, 'reporter', 'Nguyễn Thị Báo'],
    colleague: [owner.id, 'reporter', 'Trần Văn Đồng'],
    ownResponder: [owner.id, 'responder', 'Lê Thị Ứng'],
    ownAdmin: [owner.id, 'org_admin', 'Phạm Văn Quản'],
    leadResponder: [lead.id, 'responder', 'Hoàng Thị Trưởng'],
    leadReporter: [lead.id, 'reporter', 'Vũ Văn Cụm'],
    siblingResponder: [sibling.id, 'responder', 'Đỗ Thị Bên'],
    otherClusterResponder: [other.id, 'responder', 'Bùi Văn Xa'],
    analyst: [certOrgId, 'cert_analyst', 'Ngô Thị Phân'],
    sysadmin: [certOrgId, 'sysadmin', 'Đặng Văn Trị'],
  }
  const users = {} as IncidentCast['users']
  for (const person of PEOPLE) {
    const [orgId, role, name] = spec[person]
    const u = await makeUser(db, orgId, role, { name })
    users[person] = { id: u.id, email: u.email, name }
  }
  return {
    ownerOrgId: owner.id,
    leadOrgId: lead.id,
    siblingOrgId: sibling.id,
    otherOrgId: other.id,
    certOrgId,
    users,
    as: (person) => h.acting(users[person].id),
  }
}

/** A complete initial report (Form 03) as a form would send it. */
export function completeReport(over: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    title: 'Cổng thông tin điện tử bị thay đổi giao diện',
    description: 'Trang chủ hiển thị nội dung lạ từ 8 giờ sáng.',
    // A day ago, as a reporter in Vietnam would type it.
    detectedAt: dateToLocalDateTime(new Date(Date.now() - 24 * 3600_000), 'Asia/Ho_Chi_Minh'),
    category: 'defacement',
    severity: 'high',
    tlp: 'AMBER',
    pap: 'AMBER',
    contactName: 'Nguyễn Thị Báo',
    contactEmail: 'bao@example.test',
    contactPhone: '',
    systemName: 'Cổng thông tin điện tử tỉnh',
    systemDomains: 'portal.example.gov.vn',
    systemPublicIps: '203.0.113.10',
    systemLevel: '3',
    ...over,
  }
}

/** Files a report (submitted unless asked otherwise) and returns its id. */
export async function fileIncident(acting: ActingContext, over: Record<string, string | string[]> = {}, submit = true) {
  return createIncident(acting, completeReport(over), { submit })
}

/** Puts an incident in a status directly, with the times that status implies (test set-up only). */
export async function forceStatus(h: Harness, id: string, status: (typeof incidents.$inferSelect)['status'], extra: Partial<typeof incidents.$inferInsert> = {}) {
  const now = h.services.now()
  const times: Partial<typeof incidents.$inferInsert> = {
    submittedAt: status === 'draft' ? null : now,
    acknowledgedAt: ['draft', 'new'].includes(status) ? null : now,
    resolvedAt: ['resolved', 'closed'].includes(status) ? now : null,
    closedAt: status === 'closed' ? now : null,
  }
  await h.services.db.update(incidents).set({ status, ...times, ...extra }).where(eq(incidents.id, id))
}

export async function incidentRow(h: Harness, id: string) {
  const [row] = await h.services.db.select().from(incidents).where(eq(incidents.id, id))
  return row!
}

export async function eventsFor(h: Harness, id: string, type?: string) {
  return h.services.db
    .select()
    .from(notificationEvents)
    .where(type ? and(eq(notificationEvents.objectId, id), eq(notificationEvents.type, type)) : eq(notificationEvents.objectId, id))
}

/** What a domain call ended in: 'ok' or the DomainError code. */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string') return code
    throw error
  }
}

export async function expectDomainError(promise: Promise<unknown>, code: string, messageKey?: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error, `expected a ${code} DomainError`).toMatchObject({ name: 'DomainError', code })
  if (messageKey) expect((error as { messageKey: string }).messageKey).toBe(messageKey)
  return error as { code: string; messageKey: string; details: { fieldErrors?: Record<string, string[]> } } & Record<string, unknown>
}
