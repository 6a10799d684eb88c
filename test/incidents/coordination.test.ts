import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { accessGrants, auditLog, coordinationRequests, incidents, incidentTimeline } from '../../db/schema/index.ts'
import {
  acknowledgeCoordinationRequest,
  answerCoordinationRequest,
  fromLocalDateTime,
  getCoordinationRequest,
  issueCoordinationRequest,
  listCoordinationRequests,
  toLocalDateTime,
} from '../../app/incidents/coordination.server.ts'
import { escalateIncident } from '../../app/incidents/escalation.server.ts'
import { getVisibleIncident } from '../../app/incidents/access.server.ts'
import { visibleIncidentsWhere } from '../../app/policy/policy.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { TEST_PASSWORD } from '../support/factories.ts'
import { castOf, eventsOf, expectCode, insertIncident, recipientIdsOf, type People, type Person } from './triage-fixtures.ts'

// Coordination requests (Form 06): the national CERT asks member organisations to act by a
// date; each recipient may then open the incident, acknowledges and answers its own request,
// and nobody else sees it.

let h: Harness
let web: TestApp
let people: People
let ownerOrgId: string
let haiPhong: string
let bacNinh: string

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  people = await castOf(h)
  ownerOrgId = h.orgIds.get('so-tttt-quang-ninh')!
  haiPhong = h.orgIds.get('so-tttt-hai-phong')!
  bacNinh = h.orgIds.get('so-tttt-bac-ninh')!
})
afterAll(() => h.close())

const db = () => h.services.db
const DAY = 24 * 3600 * 1000
/** A due date as the form sends it: local wall-clock time in Asia/Ho_Chi_Minh. */
const dueIn = (days: number) => toLocalDateTime(new Date(Date.now() + days * DAY))

/** An AMBER+STRICT incident of Quảng Ninh, escalated, so the national CERT sees it through its grant. */
async function escalatedIncident(over: Partial<Parameters<typeof insertIncident>[1]> = {}) {
  const inc = await insertIncident(db(), { organisationId: ownerOrgId, createdBy: people.ids.creator, tlp: 'AMBER+STRICT', ...over })
  await escalateIncident(await people.as('creator'), inc.id, { reason: 'Cần VNCERT/CC điều phối', urgency: 'urgent' })
  return inc
}
const issue = async (person: Person, incidentId: string, input: Record<string, unknown>) => issueCoordinationRequest(await people.as(person), incidentId, input)
const visibleTo = async (person: Person, id: string) => {
  const actor = (await people.as(person)).actor
  return (await db().select({ id: incidents.id }).from(incidents).where(and(eq(incidents.id, id), visibleIncidentsWhere(actor)))).length === 1
}

describe('issuing a coordination request', () => {
  test('one request per recipient; each recipient organisation may then open the incident', async () => {
    const inc = await escalatedIncident()
    expect(await visibleTo('sibling', inc.id)).toBe(false)
    expect(await visibleTo('otherCluster', inc.id)).toBe(false)
    const { requestIds } = await issue('analyst', inc.id, { organisationIds: [haiPhong, bacNinh, haiPhong], request: 'Chặn địa chỉ IP 203.0.113.7', dueAt: dueIn(3) })
    expect(requestIds).toHaveLength(2)
    const rows = await db().select().from(coordinationRequests).where(eq(coordinationRequests.incidentId, inc.id))
    expect(rows.map((r) => r.organisationId).sort()).toEqual([haiPhong, bacNinh].sort())
    expect(rows.every((r) => r.status === 'open' && r.issuedBy === people.ids.analyst && r.issuingOrganisationId === h.orgIds.get('vncert'))).toBe(true)
    for (const person of ['sibling', 'siblingReporter', 'otherCluster'] as const) expect(await visibleTo(person, inc.id)).toBe(true)
    await getVisibleIncident(await people.as('sibling'), inc.id)
    // Other members of the cluster are not recipients.
    expect(await visibleTo('leadResponder', inc.id)).toBe(false)
    const grants = await db().select().from(accessGrants).where(and(eq(accessGrants.objectId, inc.id), eq(accessGrants.reason, 'coordination')))
    expect(grants).toHaveLength(2)
    const [entry] = await db().select().from(incidentTimeline).where(and(eq(incidentTimeline.incidentId, inc.id), eq(incidentTimeline.kind, 'coordination_requested')))
    // The shared timeline names the recipients but not the request's text.
    expect(entry!.body).toBeNull()
    expect(entry!.data).toMatchObject({ organisationIds: [haiPhong, bacNinh] })
    expect(await db().select().from(auditLog).where(and(eq(auditLog.objectId, inc.id), eq(auditLog.action, 'incident.coordination_requested')))).toHaveLength(1)
  })

  test('each recipient organisation is told of its own request, and nobody else', async () => {
    const inc = await escalatedIncident()
    const { requestIds } = await issue('analyst', inc.id, { organisationIds: [haiPhong, bacNinh], request: 'Rà soát nhật ký', dueAt: dueIn(2) })
    const events = await eventsOf(db(), 'incident.coordination_requested', inc.id)
    expect(events).toHaveLength(2)
    const byRequest = new Map(events.map((e) => [(e.payload as { requestId: string }).requestId, e]))
    const toHaiPhong = byRequest.get(requestIds[0]!)!
    expect(toHaiPhong.payload).toMatchObject({ link: `/coordination/${requestIds[0]}`, audience: { organisations: [{ id: haiPhong }] } })
    const recipients = await recipientIdsOf(db(), toHaiPhong)
    expect(recipients).toContain(people.ids.sibling)
    for (const person of ['otherCluster', 'analyst', 'creator', 'leadResponder'] as const) expect(recipients).not.toContain(people.ids[person])
  })

  test('on an escalated incident of another organisation, only national-CERT triagers issue requests, on open incidents they see, never TLP:RED', async () => {
    const inc = await escalatedIncident()
    const input = { organisationIds: [haiPhong], request: 'Hỗ trợ', dueAt: dueIn(1) }
    for (const person of ['certResponder', 'sysadmin', 'creator', 'responder', 'ownAdmin'] as const) await expectCode(issue(person, inc.id, input), 'forbidden')
    await expectCode(issue('leadResponder', inc.id, input), 'not_found')
    // Not escalated and AMBER+STRICT: the national CERT does not see it at all.
    const unseen = await insertIncident(db(), { organisationId: ownerOrgId, createdBy: people.ids.creator, tlp: 'AMBER+STRICT' })
    await expectCode(issue('analyst', unseen.id, input), 'not_found')
    const closed = await escalatedIncident()
    await db().update(incidents).set({ status: 'closed' }).where(eq(incidents.id, closed.id))
    await expectCode(issue('certAdmin', closed.id, input), 'conflict')
    const red = await escalatedIncident({ tlp: 'RED' })
    expect((await expectCode(issue('analyst', red.id, input), 'conflict')).messageKey).toBe('triage.errors.redCoordination')
    expect(await db().select().from(coordinationRequests).where(eq(coordinationRequests.incidentId, red.id))).toEqual([])
  })

  test('recipients, text and a future due date are required; unknown organisations are refused', async () => {
    const inc = await escalatedIncident()
    await expectCode(issue('analyst', inc.id, { request: 'x', dueAt: dueIn(1) }), 'validation', { organisationIds: ['triage.validation.recipients'] })
    await expectCode(issue('analyst', inc.id, { organisationIds: [crypto.randomUUID()], request: 'x', dueAt: dueIn(1) }), 'validation', {
      organisationIds: ['triage.validation.unknownOrganisation'],
    })
    await expectCode(issue('analyst', inc.id, { organisationIds: ['not-an-id'], request: 'x', dueAt: dueIn(1) }), 'validation', {
      'organisationIds.0': ['triage.validation.unknownOrganisation'],
    })
    // The issuer's own organisation is not a recipient.
    await expectCode(issue('analyst', inc.id, { organisationIds: [h.orgIds.get('vncert')!], request: 'x', dueAt: dueIn(1) }), 'validation')
    await expectCode(issue('analyst', inc.id, { organisationIds: [haiPhong], request: ' ', dueAt: dueIn(-1) }), 'validation', {
      request: ['validation.required'],
      dueAt: ['triage.validation.dueInPast'],
    })
    await expectCode(issue('analyst', inc.id, { organisationIds: [haiPhong], request: 'x', dueAt: '2026-02-30T10:00' }), 'validation', { dueAt: ['triage.validation.dateTime'] })
    await expectCode(issue('analyst', inc.id, { organisationIds: [haiPhong], request: 'x', dueAt: '' }), 'validation', { dueAt: ['validation.required'] })
    expect(await db().select().from(coordinationRequests).where(eq(coordinationRequests.incidentId, inc.id))).toEqual([])
  })

  test('the due date is read in the user’s time zone', () => {
    expect(fromLocalDateTime('2026-05-04T17:00', 'Asia/Ho_Chi_Minh')!.toISOString()).toBe('2026-05-04T10:00:00.000Z')
    expect(fromLocalDateTime('2026-05-04T17:00', 'Europe/Paris')!.toISOString()).toBe('2026-05-04T15:00:00.000Z')
    expect(fromLocalDateTime('2026-13-04T17:00')).toBeNull()
    expect(toLocalDateTime(new Date('2026-05-04T10:00:00Z'), 'Asia/Ho_Chi_Minh')).toBe('2026-05-04T17:00')
  })
})

describe('acknowledging and answering', () => {
  async function requestTo(organisationId: string) {
    const inc = await escalatedIncident()
    const { requestIds } = await issue('analyst', inc.id, { organisationIds: [organisationId], request: 'Cung cấp nhật ký tường lửa', dueAt: dueIn(2) })
    return { incidentId: inc.id, requestId: requestIds[0]! }
  }

  test('the recipient acknowledges, then answers; each step only once', async () => {
    const { incidentId, requestId } = await requestTo(haiPhong)
    const sibling = await people.as('sibling')
    await acknowledgeCoordinationRequest(sibling, requestId)
    expect((await expectCode(acknowledgeCoordinationRequest(sibling, requestId), 'conflict')).messageKey).toBe('triage.errors.alreadyAcknowledged')
    await expectCode(answerCoordinationRequest(sibling, requestId, { answer: '' }), 'validation', { answer: ['validation.required'] })
    await answerCoordinationRequest(sibling, requestId, { answer: 'Đã gửi nhật ký qua kênh an toàn' })
    const [row] = await db().select().from(coordinationRequests).where(eq(coordinationRequests.id, requestId))
    expect(row).toMatchObject({ status: 'answered', answer: 'Đã gửi nhật ký qua kênh an toàn', acknowledgedBy: people.ids.sibling, answeredBy: people.ids.sibling })
    await expectCode(answerCoordinationRequest(sibling, requestId, { answer: 'again' }), 'conflict')
    await expectCode(acknowledgeCoordinationRequest(sibling, requestId), 'conflict')
    const kinds = (await db().select({ kind: incidentTimeline.kind }).from(incidentTimeline).where(eq(incidentTimeline.incidentId, incidentId))).map((r) => r.kind)
    expect(kinds).toEqual(expect.arrayContaining(['coordination_requested', 'coordination_acknowledged', 'coordination_answered']))
  })

  test('answering straight from open also acknowledges, and tells the issuer and the triagers', async () => {
    const { incidentId, requestId } = await requestTo(bacNinh)
    await answerCoordinationRequest(await people.as('otherCluster'), requestId, { answer: 'Không phát hiện dấu hiệu' })
    const [row] = await db().select().from(coordinationRequests).where(eq(coordinationRequests.id, requestId))
    expect(row!.status).toBe('answered')
    expect(row!.acknowledgedAt).toBeInstanceOf(Date)
    expect(row!.acknowledgedAt!.getTime()).toBe(row!.answeredAt!.getTime())
    const [event] = await eventsOf(db(), 'incident.coordination_answered', incidentId)
    expect(event).toMatchObject({ actorUserId: people.ids.otherCluster })
    const recipients = await recipientIdsOf(db(), event!)
    expect(recipients).toEqual(expect.arrayContaining([people.ids.analyst, people.ids.certAdmin]))
    expect(recipients).not.toContain(people.ids.otherCluster)
  })

  test("the recipient's reporter may read but not respond; the issuer reads; anyone else gets 404", async () => {
    const { requestId } = await requestTo(haiPhong)
    await expectCode(acknowledgeCoordinationRequest(await people.as('siblingReporter'), requestId), 'forbidden')
    await expectCode(answerCoordinationRequest(await people.as('analyst'), requestId, { answer: 'x' }), 'forbidden')
    for (const person of ['otherCluster', 'creator', 'responder', 'leadResponder', 'certResponder', 'sysadmin'] as const) {
      await expectCode(acknowledgeCoordinationRequest(await people.as(person), requestId), 'not_found')
      await expectCode(answerCoordinationRequest(await people.as(person), requestId, { answer: 'x' }), 'not_found')
      await expectCode(getCoordinationRequest(await people.as(person), requestId), 'not_found')
    }
    const asReporter = await getCoordinationRequest(await people.as('siblingReporter'), requestId)
    expect(asReporter).toMatchObject({ canAcknowledge: false, canAnswer: false })
    expect(asReporter.incident?.reference).toMatch(/^IR-/)
    const asIssuer = await getCoordinationRequest(await people.as('certAdmin'), requestId)
    expect(asIssuer).toMatchObject({ canAcknowledge: false, canAnswer: false })
    await expectCode(getCoordinationRequest(await people.as('sibling'), 'nope'), 'not_found')
    const [row] = await db().select().from(coordinationRequests).where(eq(coordinationRequests.id, requestId))
    expect(row!.status).toBe('open')
  })

  test('the list shows requests to my organisation, and to triagers those it issued, overdue ones marked', async () => {
    const { requestId } = await requestTo(haiPhong)
    const other = await requestTo(bacNinh)
    await db().update(coordinationRequests).set({ dueAt: new Date(Date.now() - DAY) }).where(eq(coordinationRequests.id, requestId))
    const mine = await listCoordinationRequests(await people.as('sibling'))
    expect(mine.received.map((r) => r.id)).toContain(requestId)
    expect(mine.received.map((r) => r.id)).not.toContain(other.requestId)
    expect(mine.received.find((r) => r.id === requestId)).toMatchObject({ overdue: true, reference: expect.stringMatching(/^IR-/) })
    expect(mine.issued).toEqual([])
    const cert = await listCoordinationRequests(await people.as('analyst'))
    expect(cert.issued.map((r) => r.id)).toEqual(expect.arrayContaining([requestId, other.requestId]))
    expect(cert.received).toEqual([])
    const outsider = await listCoordinationRequests(await people.as('leadResponder'))
    expect(outsider.received.map((r) => r.id)).not.toContain(requestId)
  })
})

describe('a cluster lead asks its members for support', () => {
  /** An AMBER incident of Quảng Ninh, not escalated: the Cluster 3 lead sees it, the national CERT does not. */
  const memberIncident = () => insertIncident(db(), { organisationId: ownerOrgId, createdBy: people.ids.creator, tlp: 'AMBER' })

  test("the lead's responder asks another member of the cluster, which may then open the incident", async () => {
    const inc = await memberIncident()
    expect(await visibleTo('sibling', inc.id)).toBe(false)
    const { requestIds } = await issue('leadResponder', inc.id, { organisationIds: [haiPhong], request: 'Hỗ trợ phân tích mẫu mã độc', dueAt: dueIn(2) })
    expect(requestIds).toHaveLength(1)
    const [row] = await db().select().from(coordinationRequests).where(eq(coordinationRequests.id, requestIds[0]!))
    expect(row).toMatchObject({ organisationId: haiPhong, issuedBy: people.ids.leadResponder, issuingOrganisationId: h.orgIds.get('so-tttt-nam-dinh') })
    expect(await visibleTo('sibling', inc.id)).toBe(true)
    const [event] = await eventsOf(db(), 'incident.coordination_requested', inc.id)
    expect(await recipientIdsOf(db(), event!)).toContain(people.ids.sibling)

    const lead = await listCoordinationRequests(await people.as('leadResponder'))
    expect(lead.showIssued).toBe(true)
    expect(lead.issued.map((r) => r.id)).toContain(requestIds[0])
    expect(await getCoordinationRequest(await people.as('leadResponder'), requestIds[0])).toMatchObject({ canAnswer: false })
  })

  test('only inside the cluster, never to the incident’s owner, and only by the coordinating organisation’s responders and admins', async () => {
    const inc = await memberIncident()
    const ask = (person: Person, organisationIds: string[]) => issue(person, inc.id, { organisationIds, request: 'Hỗ trợ', dueAt: dueIn(1) })
    for (const outside of [bacNinh, ownerOrgId, h.orgIds.get('vncert')!]) {
      await expectCode(ask('leadResponder', [outside]), 'validation', { organisationIds: ['triage.validation.outsideCluster'] })
    }
    // One recipient outside the cluster refuses the whole request.
    await expectCode(ask('leadResponder', [haiPhong, bacNinh]), 'validation', { organisationIds: ['triage.validation.outsideCluster'] })
    for (const person of ['creator', 'responder', 'ownAdmin'] as const) await expectCode(ask(person, [haiPhong]), 'forbidden')
    // Whoever does not coordinate the cluster (the lead's reporters included) does not even see a member's AMBER incident.
    for (const person of ['leadReporter', 'sibling', 'otherCluster'] as const) await expectCode(ask(person, [haiPhong]), 'not_found')
    expect(await db().select().from(coordinationRequests).where(eq(coordinationRequests.incidentId, inc.id))).toEqual([])
  })

  test("the answer goes back to the lead and the cluster's coordinators, not to the national CERT", async () => {
    const inc = await memberIncident()
    const { requestIds } = await issue('leadResponder', inc.id, { organisationIds: [haiPhong], request: 'Chia sẻ nhật ký', dueAt: dueIn(2) })
    await answerCoordinationRequest(await people.as('sibling'), requestIds[0], { answer: 'Đã chia sẻ' })
    const [event] = await eventsOf(db(), 'incident.coordination_answered', inc.id)
    const recipients = await recipientIdsOf(db(), event!)
    expect(recipients).toContain(people.ids.leadResponder)
    for (const person of ['analyst', 'certAdmin', 'otherCluster', 'sibling'] as const) expect(recipients).not.toContain(people.ids[person])
  })

  test('the support form offers the lead only the cluster’s other members', async () => {
    const inc = await memberIncident()
    const page = await web.request(`/incidents/${inc.id}/coordination/new`, { cookie: await web.signIn(people.emails.leadResponder, TEST_PASSWORD) })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain(`value="${haiPhong}"`)
    expect(html).toContain(`value="${h.orgIds.get('so-tttt-hai-duong')}"`)
    for (const org of [bacNinh, ownerOrgId, h.orgIds.get('so-tttt-nam-dinh')!, h.orgIds.get('vncert')!]) expect(html).not.toContain(`value="${org}"`)
  })
})

describe('the coordination pages', () => {
  const cookies = {} as Record<Person, string>
  const as = async (person: Person) => (cookies[person] ??= await web.signIn(people.emails[person], TEST_PASSWORD))
  const get = async (path: string, person: Person) => web.request(path, { cookie: await as(person) })
  const post = async (path: string, fields: Record<string, string> | URLSearchParams, person: Person) =>
    web.request(path, { method: 'POST', body: fields instanceof URLSearchParams ? fields : new URLSearchParams(fields), cookie: await as(person) })

  test('the Form 06 page is for triagers; bad input re-renders with 400 and keeps every value', async () => {
    const inc = await escalatedIncident()
    const path = `/incidents/${inc.id}/coordination/new`
    const page = await get(path, 'analyst')
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain(`value="${haiPhong}"`)
    expect(html).not.toContain(`value="${h.orgIds.get('vncert')}"`)
    expect((await get(path, 'creator')).status).toBe(403)
    expect((await get(path, 'certResponder')).status).toBe(403)
    expect((await get(path, 'sibling')).status).toBe(404)
    expect((await post(path, { organisationIds: haiPhong, request: 'x', dueAt: dueIn(1) }, 'creator')).status).toBe(403)

    const past = new URLSearchParams([
      ['organisationIds', haiPhong],
      ['organisationIds', bacNinh],
      ['request', 'Chặn tên miền độc hại'],
      ['dueAt', '2020-01-01T09:00'],
    ])
    const bad = await post(path, past, 'analyst')
    expect(bad.status).toBe(400)
    const badHtml = await bad.text()
    expect(badHtml).toContain('field-dueAt-error')
    expect(badHtml).toContain('Chặn tên miền độc hại')
    expect(badHtml).toContain('value="2020-01-01T09:00"')
    for (const org of [haiPhong, bacNinh]) expect(badHtml).toContain(`checked="" value="${org}"`)
    const unknown = await post(path, { organisationIds: crypto.randomUUID(), request: 'x', dueAt: dueIn(1) }, 'analyst')
    expect(unknown.status).toBe(400)
    expect(await unknown.text()).toContain('field-organisationIds-error')
    const none = await post(path, { request: 'x', dueAt: dueIn(1) }, 'analyst')
    expect(none.status).toBe(400)

    const ok = await post(path, { organisationIds: haiPhong, request: 'Chặn tên miền độc hại', dueAt: dueIn(1) }, 'analyst')
    expect(ok.status).toBe(302)
    expect(ok.headers.get('location')).toBe('/coordination?done=issued')
  })

  test('the recipient lists, opens, acknowledges and answers; another organisation gets 404', async () => {
    const inc = await escalatedIncident({ title: 'Lừa đảo <img src=x onerror=alert(1)>' })
    const { requestIds } = await issue('analyst', inc.id, { organisationIds: [haiPhong], request: 'Gỡ trang giả mạo', dueAt: dueIn(2) })
    const path = `/coordination/${requestIds[0]}`
    const list = await (await get('/coordination', 'sibling')).text()
    expect(list).toContain(`href="${path}"`)
    expect(list).toContain('Gỡ trang giả mạo')
    const page = await get(path, 'sibling')
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain(inc.reference)
    expect(html).toContain('Lừa đảo &lt;img')
    expect(html).toContain('value="acknowledge"')
    expect(html).toContain('value="answer"')
    for (const person of ['otherCluster', 'creator', 'leadResponder', 'sysadmin'] as const) expect((await get(path, person)).status).toBe(404)
    expect((await get(`/coordination/${crypto.randomUUID()}`, 'sibling')).status).toBe(404)
    expect((await get('/coordination/not-an-id', 'sibling')).status).toBe(404)
    expect((await post(path, { intent: 'answer', answer: 'x' }, 'otherCluster')).status).toBe(404)
    expect((await post(path, { intent: 'acknowledge' }, 'siblingReporter')).status).toBe(403)

    const ack = await post(path, { intent: 'acknowledge' }, 'sibling')
    expect(ack.status).toBe(302)
    expect(ack.headers.get('location')).toBe(`${path}?done=acknowledged`)
    const empty = await post(path, { intent: 'answer', answer: '' }, 'sibling')
    expect(empty.status).toBe(400)
    expect(await empty.text()).toContain('field-answer-error')
    expect((await post(path, { intent: 'answer', answer: 'Đã gỡ lúc 10:00' }, 'sibling')).status).toBe(302)
    expect((await post(path, { intent: 'answer', answer: 'lại' }, 'sibling')).status).toBe(409)
    const issuerView = await (await get(path, 'analyst')).text()
    expect(issuerView).toContain('Đã gỡ lúc 10:00')
    expect(issuerView).not.toContain('value="answer"')
  })
})
