import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { count, eq, inArray } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { seedDemoAccounts } from '../../db/seed.ts'
import {
  accessGrants,
  auditLog,
  coordinationRequests,
  incidentAttachments,
  incidents,
  incidentTimeline,
  notificationEvents,
} from '../../db/schema/index.ts'
import { hashPassword } from '../../app/auth/password.server.ts'
import { listCoordinationRequests } from '../../app/incidents/coordination.server.ts'
import { DEMO_STORIES, seedDemoIncidents, type DemoStory } from '../../app/incidents/demo.server.ts'
import { getInformationRequestView, listTriageQueue } from '../../app/incidents/escalation.server.ts'
import { getIncidentDetail } from '../../app/incidents/incidents.server.ts'
import type { IncidentStatus } from '../../app/incidents/lifecycle.ts'
import { listIncidents } from '../../app/incidents/search.server.ts'
import { INCIDENT_CATEGORY_CODES, SEVERITIES } from '../../app/incidents/taxonomy.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import { TLP_LABELS } from '../../app/policy/actor.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { userByEmail } from '../support/factories.ts'

// The demo seed (APP_ENV=demo, SEED_DEMO): a fresh installation gets a dozen incidents in every
// state, told through the domain functions as the demo accounts, so what each account sees is
// what the policy lets it see. Seeded once: a second run adds nothing.

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'csirtnet-demo-seed-'))

let h: Harness
let told: Map<DemoStory, string>
let toldBeforeAccounts: Map<DemoStory, string>

beforeAll(async () => {
  h = await createHarness({ env: { ATTACHMENTS_DIR: path.join(tmpRoot, 'files') } })
  toldBeforeAccounts = await seedDemoIncidents(h.services, h.orgIds)
  await seedDemoAccounts(h.services.db, h.orgIds, hashPassword)
  told = await seedDemoIncidents(h.services, h.orgIds)
})
afterAll(async () => {
  await h?.close()
  fs.rmSync(tmpRoot, { recursive: true, force: true })
})

const db = () => h.services.db
const id = (story: DemoStory) => told.get(story)!
const storyOf = (incidentId: string) => [...told].find(([, v]) => v === incidentId)?.[0]
const as = async (email: string): Promise<ActingContext> => h.acting((await userByEmail(db(), email))!.id)
const detail = async (email: string, story: DemoStory) => getIncidentDetail(await as(email), id(story))
const rows = () => db().select().from(incidents).where(inArray(incidents.id, [...told.values()]))

type Triage = (typeof incidents.$inferSelect)['triageStatus']
const OUTCOMES: [DemoStory, IncidentStatus, Triage][] = [
  ['draft', 'draft', null],
  ['newOverdue', 'new', null],
  ['newRed', 'new', null],
  ['acknowledged', 'acknowledged', null],
  ['investigating', 'investigating', null],
  ['escalated', 'acknowledged', 'pending'],
  ['acceptedSerious', 'investigating', 'accepted'],
  ['infoRequested', 'acknowledged', 'info_requested'],
  ['declined', 'acknowledged', 'declined'],
  ['contained', 'contained', null],
  ['resolved', 'resolved', null],
  ['closed', 'closed', null],
]

describe('seeding a fresh installation', () => {
  test('does nothing while the demo accounts do not exist', () => {
    expect(toldBeforeAccounts.size).toBe(0)
  })

  test('tells every story, each as an incident of its own', async () => {
    expect([...told.keys()].sort()).toEqual([...DEMO_STORIES].sort())
    expect(new Set(told.values()).size).toBe(DEMO_STORIES.length)
    const [all] = await db().select({ n: count() }).from(incidents)
    expect(all!.n).toBe(DEMO_STORIES.length)
  })

  test.each(OUTCOMES)('the %s story leaves its incident %s (triage: %s)', async (story, status, triageStatus) => {
    const [row] = await db().select().from(incidents).where(eq(incidents.id, id(story)))
    expect(row).toMatchObject({ status, triageStatus })
  })

  test('mixes the ten national categories, every severity and every TLP label', async () => {
    const all = await rows()
    expect(new Set(all.map((r) => r.category))).toEqual(new Set(INCIDENT_CATEGORY_CODES))
    expect(new Set(all.map((r) => r.severity))).toEqual(new Set(SEVERITIES))
    expect(new Set(all.map((r) => r.tlp))).toEqual(new Set(TLP_LABELS))
  })

  test('spreads the reports over Cluster 3 and Cluster 1 members', async () => {
    const reporting = new Set((await rows()).map((r) => r.reportingOrganisationId))
    for (const slug of ['so-tttt-quang-ninh', 'so-tttt-hai-phong', 'so-tttt-nam-dinh', 'so-tttt-bac-ninh']) {
      expect(reporting, slug).toContain(h.orgIds.get(slug))
    }
  })

  test('names systems with .gov.vn domains and documentation addresses only', async () => {
    for (const row of await rows()) {
      for (const domain of row.systemDomains) expect(domain).toMatch(/\.gov\.vn$/)
      for (const ip of row.systemPublicIps) expect(ip).toMatch(/^(203\.0\.113|198\.51\.100)\.\d+$/)
    }
  })

  test('dates the incidents days before seeding: every detection, filing and act lies in the past', async () => {
    const now = h.services.now()
    const all = await rows()
    for (const row of all) {
      expect(row.detectedAt!.getTime()).toBeLessThan(now.getTime())
      if (row.submittedAt) expect(row.submittedAt.getTime()).toBeGreaterThanOrEqual(row.detectedAt!.getTime())
    }
    const oldest = Math.min(...all.map((r) => r.detectedAt!.getTime()))
    expect(now.getTime() - oldest).toBeGreaterThan(7 * 24 * 3600_000)
    const acts = await db().select({ at: incidentTimeline.at }).from(incidentTimeline).where(inArray(incidentTimeline.incidentId, [...told.values()]))
    for (const act of acts) expect(act.at.getTime()).toBeLessThanOrEqual(now.getTime())
  })

  test('goes through the domain: every incident has its audit trail, every filed one its timeline and notification events', async () => {
    for (const [story, incidentId] of told) {
      const [audited] = await db().select({ n: count() }).from(auditLog).where(eq(auditLog.objectId, incidentId))
      expect(audited!.n, story).toBeGreaterThan(0)
      if (story === 'draft') continue
      const [timeline] = await db().select({ n: count() }).from(incidentTimeline).where(eq(incidentTimeline.incidentId, incidentId))
      const [events] = await db().select({ n: count() }).from(notificationEvents).where(eq(notificationEvents.objectId, incidentId))
      expect(timeline!.n, story).toBeGreaterThan(0)
      expect(events!.n, story).toBeGreaterThan(0)
    }
  })
})

describe('each state as the demo accounts meet it', () => {
  test('the draft is seen only by the reporter who saved it, and its notification deadline is still running', async () => {
    const draft = await detail('reporter@quangninh.demo', 'draft')
    expect(draft.deadlines.notification.state).toBe('pending')
    await expect(detail('lead@namdinh.demo', 'draft')).rejects.toMatchObject({ code: 'not_found' })
  })

  test('one new report is overdue for acknowledgement, the other still has time', async () => {
    expect((await detail('reporter@bacninh.demo', 'newOverdue')).deadlines.acknowledgement.state).toBe('overdue')
    expect((await detail('reporter@quangninh.demo', 'newRed')).deadlines.acknowledgement.state).toBe('pending')
  })

  test('the cluster lead acknowledged the defacement in time, with a shared comment and an internal note only Nam Định reads', async () => {
    const lead = await detail('lead@namdinh.demo', 'acknowledged')
    expect(lead.deadlines.acknowledgement).toMatchObject({ state: 'met', late: false })
    expect(lead.timeline.find((e) => e.kind === 'acknowledged')?.actorName).toBe('Trần Thị Bình')
    const leadComments = lead.timeline.filter((e) => e.kind === 'comment' && e.actorName === 'Trần Thị Bình')
    expect(leadComments.map((c) => c.internal).sort()).toEqual([false, true])
    expect((await detail('admin@namdinh.demo', 'acknowledged')).timeline.some((e) => e.internal)).toBe(true)

    const reporter = await detail('reporter@quangninh.demo', 'acknowledged')
    expect(reporter.timeline.some((e) => e.internal)).toBe(false)
    expect(reporter.timeline.filter((e) => e.kind === 'comment' && e.actorName === 'Trần Thị Bình')).toHaveLength(1)
    const [evidence] = await db().select().from(incidentAttachments).where(eq(incidentAttachments.incidentId, id('acknowledged')))
    expect(evidence).toMatchObject({ contentType: 'text/plain' })
  })

  test('the investigating incident has an assignee, and the cluster lead helps as the responding organisation', async () => {
    const view = await detail('responder@haiphong.demo', 'investigating')
    expect(view.incident).toMatchObject({ assignedUserName: 'Phạm Thị Dung', respondingOrganisationName: 'Sở TT&TT Nam Định' })
    expect((await detail('lead@namdinh.demo', 'investigating')).transitions).toContain('contain')
  })

  test("the national CERT's triage queue holds the escalations waiting for it and those it decided", async () => {
    const queue = await listTriageQueue(await as('analyst@vncert.demo'))
    expect(queue.waiting.map((r) => storyOf(r.id)).sort()).toEqual(['escalated', 'infoRequested'])
    expect(queue.decided.map((r) => storyOf(r.id)).sort()).toEqual(['acceptedSerious', 'declined'])
  })

  test('the analyst accepted the ransomware attack as serious, and Hải Phòng answered its coordination request', async () => {
    const view = await detail('analyst@vncert.demo', 'acceptedSerious')
    expect(view.incident).toMatchObject({ serious: true, triageClassification: 'serious', triageAnalystName: 'Nguyễn Văn An' })
    const received = (await listCoordinationRequests(await as('responder@haiphong.demo'))).received
    expect(received).toHaveLength(1)
    expect(received[0]).toMatchObject({ incidentId: id('acceptedSerious'), status: 'answered', overdue: false })
    const issued = (await listCoordinationRequests(await as('analyst@vncert.demo'))).issued
    expect(issued.map((r) => r.id)).toEqual([received[0]!.id])
  })

  test('the incident whose escalation waits on more information can be answered by its reporter', async () => {
    const view = await getInformationRequestView(await as('reporter@bacninh.demo'), id('infoRequested'))
    expect(view.canAnswer).toBe(true)
    expect(view.history.map((e) => e.kind)).toEqual(['escalated', 'info_requested'])
  })

  test('the declined escalation stays with Hải Phòng, which may escalate it again', async () => {
    const view = await detail('responder@haiphong.demo', 'declined')
    expect(view.incident.triageNote).toMatch(/khả năng xử lý của đơn vị/)
    expect(view.permissions.escalate).toBe(true)
  })

  test('the resolved incident awaits its closure report, still in time', async () => {
    const view = await detail('responder@haiphong.demo', 'resolved')
    expect(view.deadlines.closureReport.state).toBe('pending')
    expect(view.permissions.closureReport).toBe(true)
  })

  test('the closed incident carries its Form 04 closure report, sent in time, for anyone to read (TLP:CLEAR)', async () => {
    const view = await detail('reporter@bacninh.demo', 'closed')
    expect(view.incident.closureWhatHappened).toMatch(/GeoServer/)
    expect(view.incident.closureResolution).toBeTruthy()
    expect(view.incident.closurePrevention).toBeTruthy()
    expect(view.deadlines.closureReport).toMatchObject({ state: 'met', late: false })
  })
})

describe('who sees which demo incident', () => {
  const CLUSTER_LEAD_VIEW: DemoStory[] = ['newOverdue', 'acknowledged', 'investigating', 'acceptedSerious', 'declined', 'contained', 'resolved', 'closed']
  const SEES: [string, DemoStory[]][] = [
    ['analyst@vncert.demo', DEMO_STORIES.filter((s) => s !== 'draft')],
    ['lead@namdinh.demo', CLUSTER_LEAD_VIEW],
    ['admin@namdinh.demo', CLUSTER_LEAD_VIEW],
    ['responder@haiphong.demo', ['newOverdue', 'investigating', 'acceptedSerious', 'declined', 'contained', 'resolved', 'closed']],
    ['reporter@quangninh.demo', ['draft', 'newOverdue', 'newRed', 'acknowledged', 'acceptedSerious', 'declined', 'contained', 'closed']],
    ['reporter@bacninh.demo', ['newOverdue', 'escalated', 'infoRequested', 'declined', 'contained', 'closed']],
  ]

  test.each(SEES)('%s finds exactly the incidents the policy opens to it in the incident list', async (email, expected) => {
    const list = await listIncidents(await as(email), {})
    expect(list.rows.map((r) => storyOf(r.id)).sort()).toEqual([...expected].sort())
  })

  test("reporter@bacninh.demo sees none of Cluster 3's AMBER incidents", async () => {
    const bacNinh = h.orgIds.get('so-tttt-bac-ninh')
    const list = await listIncidents(await as('reporter@bacninh.demo'), {})
    expect(list.rows.filter((r) => r.tlp.startsWith('AMBER') && r.reportingOrganisationId !== bacNinh)).toEqual([])
    await expect(detail('reporter@bacninh.demo', 'acknowledged')).rejects.toMatchObject({ code: 'not_found' })
  })

  test('the RED report is read by its author and the analyst it names, not by the cluster lead', async () => {
    const view = await detail('reporter@quangninh.demo', 'newRed')
    expect(view.recipients.map((r) => r.name)).toEqual(['Nguyễn Văn An'])
    await detail('analyst@vncert.demo', 'newRed')
    await expect(detail('lead@namdinh.demo', 'newRed')).rejects.toMatchObject({ code: 'not_found' })
  })

  test('the AMBER+STRICT escalation opens to the national CERT, which received it, and not to the cluster', async () => {
    const grants = await db().select().from(accessGrants).where(eq(accessGrants.objectId, id('escalated')))
    expect(grants.map((g) => [g.granteeOrganisationId, g.reason])).toEqual([[h.orgIds.get('vncert'), 'escalation']])
    expect((await detail('analyst@vncert.demo', 'escalated')).deadlines.acknowledgement.state).toBe('met')
    await expect(detail('lead@namdinh.demo', 'escalated')).rejects.toMatchObject({ code: 'not_found' })
  })
})

describe('seeding again', () => {
  test('adds nothing: no incident, timeline entry, audit entry, event, grant, request or file', async () => {
    const tables = [incidents, incidentTimeline, auditLog, notificationEvents, accessGrants, coordinationRequests, incidentAttachments]
    const counts = async () => Promise.all(tables.map(async (t) => (await db().select({ n: count() }).from(t))[0]!.n))
    const before = await counts()
    const again = await seedDemoIncidents(h.services, h.orgIds)
    expect(again.size).toBe(0)
    expect(await counts()).toEqual(before)
  })
})
