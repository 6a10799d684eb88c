import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { clusterMembers, clusterOfficers } from '../../db/schema/index.ts'
import { clusterBoard } from '../../app/incidents/board.server.ts'
import type { UserRole } from '../../app/policy/actor.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeCluster, makeOrganisation, makeUser, TEST_PASSWORD } from '../support/factories.ts'
import { grantIncident, insertIncident, type IncidentRow } from './fixtures-search.ts'

// The cluster board: open incidents of a cluster's members by member and status, for the
// cluster's lead and deputy (current term) and the national CERT's staff.

const PEOPLE = [
  'leadResponder',
  'leadAdmin',
  'leadReporter',
  'deputyResponder',
  'memberResponder',
  'analyst',
  'certResponder',
  'certReporter',
  'sysadmin',
  'otherLeadResponder',
  'formerLeadResponder',
] as const
type Person = (typeof PEOPLE)[number]

let h: Harness
let clusterId: string
const org: Record<string, string> = {}
const users = {} as Record<Person, { id: string; email: string }>
const inc: Record<string, IncidentRow> = {}
const HOUR = 3600_000

beforeAll(async () => {
  h = await createHarness()
  const db = h.services.db
  for (const name of ['lead', 'deputy', 'memberA', 'memberB', 'outsider', 'leaver', 'otherLead', 'formerLead']) org[name] = (await makeOrganisation(db, { shortName: `Đơn vị ${name}` })).id
  org.cert = h.orgIds.get('vncert')!
  const cluster = await makeCluster(db, { members: [org.lead!, org.deputy!, org.memberA!, org.memberB!, org.leaver!, org.formerLead!], lead: org.lead, deputy: org.deputy })
  clusterId = cluster.id
  await makeCluster(db, { members: [org.otherLead!, org.outsider!], lead: org.otherLead })
  await db.insert(clusterOfficers).values({ clusterId, organisationId: org.formerLead!, role: 'lead', termStart: '2018-01-01', termEnd: '2018-12-31' })
  await db.update(clusterMembers).set({ until: '2020-12-31' }).where(and(eq(clusterMembers.clusterId, clusterId), eq(clusterMembers.organisationId, org.leaver!)))

  const spec: Record<Person, [string, UserRole]> = {
    leadResponder: [org.lead!, 'responder'],
    leadAdmin: [org.lead!, 'org_admin'],
    leadReporter: [org.lead!, 'reporter'],
    deputyResponder: [org.deputy!, 'responder'],
    memberResponder: [org.memberA!, 'responder'],
    analyst: [org.cert!, 'cert_analyst'],
    certResponder: [org.cert!, 'responder'],
    certReporter: [org.cert!, 'reporter'],
    sysadmin: [org.cert!, 'sysadmin'],
    otherLeadResponder: [org.otherLead!, 'responder'],
    formerLeadResponder: [org.formerLead!, 'responder'],
  }
  for (const p of PEOPLE) {
    const u = await makeUser(db, spec[p][0], spec[p][1])
    users[p] = { id: u.id, email: u.email }
  }
  const reporterA = await makeUser(db, org.memberA!, 'reporter')
  const reporterB = await makeUser(db, org.memberB!, 'reporter')
  const now = Date.now()
  const a = (key: string, seed: Record<string, unknown>) =>
    insertIncident(db, { reportingOrganisationId: org.memberA!, createdBy: reporterA.id, title: `Sự cố ${key}`, ...seed }).then((row) => (inc[key] = row))
  await a('newOld', { tlp: 'GREEN', submittedAt: new Date(now - 20 * HOUR), acknowledgedAt: null })
  await a('newRecent', { tlp: 'GREEN', submittedAt: new Date(now - 2 * HOUR) })
  await a('investigating', { tlp: 'AMBER', status: 'investigating', submittedAt: new Date(now - 72 * HOUR) })
  await a('strictEscalated', { tlp: 'AMBER+STRICT', status: 'acknowledged', title: 'Bí mật STRICT' })
  await grantIncident(db, inc.strictEscalated!.id, { organisationId: org.cert })
  await a('red', { tlp: 'RED', status: 'investigating', title: 'Bí mật RED' })
  await a('draft', { tlp: 'GREEN', status: 'draft', title: 'Bản nháp nội bộ' })
  await a('closed', { tlp: 'GREEN', status: 'closed' })
  await a('closureLate', { tlp: 'GREEN', status: 'resolved', resolvedAt: new Date(now - 6 * 24 * HOUR) })
  inc.unacknowledged = await insertIncident(db, { reportingOrganisationId: org.memberB!, createdBy: reporterB.id, tlp: 'AMBER', title: 'Chưa ai xác nhận', submittedAt: new Date(now - 30 * HOUR) })
  const outsider = await makeUser(db, org.outsider!, 'reporter')
  inc.outsider = await insertIncident(db, { reportingOrganisationId: org.outsider!, createdBy: outsider.id, tlp: 'GREEN', title: 'Ngoài cụm' })
  const leaver = await makeUser(db, org.leaver!, 'reporter')
  inc.leaver = await insertIncident(db, { reportingOrganisationId: org.leaver!, createdBy: leaver.id, tlp: 'GREEN', title: 'Đã rời cụm' })
})
afterAll(() => h.close())

const board = async (person: Person, id = clusterId) => clusterBoard(await h.acting(users[person].id), id)
const countOf = (b: Awaited<ReturnType<typeof clusterBoard>>, orgId: string, status: string) => b.cells.find((c) => c.organisationId === orgId && c.status === status)?.count ?? 0

describe('who may open the cluster board', () => {
  for (const person of ['leadResponder', 'leadAdmin', 'deputyResponder', 'analyst', 'certResponder'] as const) {
    test(`${person} may`, async () => {
      const b = await board(person)
      expect(b.cluster.id).toBe(clusterId)
    })
  }

  for (const person of ['leadReporter', 'memberResponder', 'certReporter', 'sysadmin', 'otherLeadResponder', 'formerLeadResponder'] as const) {
    test(`${person} may not (403)`, async () => {
      await expect(board(person)).rejects.toMatchObject({ code: 'forbidden', status: 403 })
    })
  }

  test('an unknown or malformed cluster id is a 404', async () => {
    await expect(board('analyst', crypto.randomUUID())).rejects.toMatchObject({ code: 'not_found' })
    await expect(board('analyst', 'cum-3')).rejects.toMatchObject({ code: 'not_found' })
  })
})

describe('what the board shows', () => {
  test('the current members, in Vietnamese order, without the one that left', async () => {
    const b = await board('leadResponder')
    expect(b.members.map((m) => m.organisationId).sort()).toEqual([org.lead, org.deputy, org.memberA, org.memberB, org.formerLead].sort())
    expect(b.members.map((m) => m.organisationId)).not.toContain(org.leaver)
  })

  test('the lead counts the open incidents it may see, by member and status, with the oldest age', async () => {
    const b = await board('leadResponder')
    expect(countOf(b, org.memberA!, 'new')).toBe(2)
    expect(countOf(b, org.memberA!, 'investigating')).toBe(1)
    // AMBER+STRICT (granted to the national CERT only), RED and the draft are not counted.
    expect(countOf(b, org.memberA!, 'acknowledged')).toBe(0)
    expect(countOf(b, org.memberB!, 'new')).toBe(1)
    const newCell = b.cells.find((c) => c.organisationId === org.memberA && c.status === 'new')!
    expect(new Date(newCell.oldestSince).getTime()).toBe(inc.newOld!.submittedAt!.getTime())
    // Closed and resolved incidents are not open; outsiders and former members are not on the board.
    expect(b.cells.every((c) => ['new', 'acknowledged', 'investigating', 'contained'].includes(c.status))).toBe(true)
    expect(b.cells.map((c) => c.organisationId)).not.toContain(org.outsider)
    expect(b.cells.map((c) => c.organisationId)).not.toContain(org.leaver)
    expect(b.cells.reduce((n, c) => n + c.count, 0)).toBe(4)
  })

  test('the national CERT also counts the AMBER+STRICT incident escalated to it, and never the RED one', async () => {
    const b = await board('analyst')
    expect(countOf(b, org.memberA!, 'acknowledged')).toBe(1)
    expect(countOf(b, org.memberA!, 'investigating')).toBe(1)
    expect(b.cells.reduce((n, c) => n + c.count, 0)).toBe(5)
  })

  test('the overdue list names the unacknowledged report and the late closure report, visible ones only', async () => {
    const b = await board('leadResponder')
    expect(new Set(b.overdue.map((r) => r.id))).toEqual(new Set([inc.unacknowledged!.id, inc.closureLate!.id]))
    const late = b.overdue.find((r) => r.id === inc.unacknowledged!.id)!
    expect(late.overdueAcknowledgement).toBe(true)
  })
})

describe('the /clusters/$id/board page', () => {
  let web: TestApp
  const cookies = {} as Record<Person, string>

  beforeAll(async () => {
    web = await createTestApp(h)
    for (const p of ['leadResponder', 'leadReporter', 'memberResponder', 'analyst', 'sysadmin'] as const) cookies[p] = await web.signIn(users[p].email, TEST_PASSWORD)
  })

  test('the lead gets the board with counts linking to the filtered list, and nothing it may not see', async () => {
    const res = await web.request(`/clusters/${clusterId}/board`, { cookie: cookies.leadResponder })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(`href="/incidents?organisationId=${org.memberA}&amp;status=new&amp;sort=oldest"`)
    expect(html).toContain(`data-organisation-id="${org.memberA}"`)
    expect(html).toContain('Chưa ai xác nhận')
    expect(html).toContain('Quá hạn xác nhận đã nhận (24 giờ)')
    for (const secret of ['Bí mật STRICT', 'Bí mật RED', 'Bản nháp nội bộ', 'Ngoài cụm', 'Đã rời cụm', inc.red!.reference, inc.strictEscalated!.reference]) {
      expect(html).not.toContain(secret)
    }
  })

  test('the national CERT analyst gets it too', async () => {
    expect((await web.request(`/clusters/${clusterId}/board`, { cookie: cookies.analyst })).status).toBe(200)
  })

  test('a reporter of the lead organisation, a member and the system administrator are refused with 403', async () => {
    for (const p of ['leadReporter', 'memberResponder', 'sysadmin'] as const) {
      const res = await web.request(`/clusters/${clusterId}/board`, { cookie: cookies[p] })
      expect(res.status, p).toBe(403)
      expect(await res.text()).not.toContain('Chưa ai xác nhận')
    }
  })

  test('unknown clusters answer 404 and signed-out visitors are sent to sign in', async () => {
    expect((await web.request(`/clusters/${crypto.randomUUID()}/board`, { cookie: cookies.analyst })).status).toBe(404)
    const res = await web.request(`/clusters/${clusterId}/board`)
    expect(res.status).toBe(302)
  })
})
