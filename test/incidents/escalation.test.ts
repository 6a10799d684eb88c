import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { accessGrants, auditLog, incidents, incidentTimeline } from '../../db/schema/index.ts'
import {
  acceptEscalation,
  declineEscalation,
  escalateIncident,
  listTriageQueue,
  provideInformation,
  requestMoreInformation,
} from '../../app/incidents/escalation.server.ts'
import { getVisibleIncident } from '../../app/incidents/access.server.ts'
import { visibleIncidentsWhere } from '../../app/policy/policy.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { TEST_PASSWORD } from '../support/factories.ts'
import { castOf, eventsOf, expectCode, incidentRow, insertIncident, recipientIdsOf, type People, type Person } from './triage-fixtures.ts'

// Escalation to the national CERT and its triage, over real rows: who may escalate, what the
// national CERT may then see, who may triage from which state, and the pages.

let h: Harness
let web: TestApp
let people: People
let ownerOrgId: string

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  people = await castOf(h)
  ownerOrgId = h.orgIds.get('so-tttt-quang-ninh')!
})
afterAll(() => h.close())

const db = () => h.services.db
const file = (over: Partial<Parameters<typeof insertIncident>[1]> = {}) =>
  insertIncident(db(), { organisationId: ownerOrgId, createdBy: people.ids.creator, ...over })
const escalate = async (person: Person, id: string, input: Record<string, string> = { reason: 'Vượt quá khả năng xử lý của đơn vị', urgency: 'urgent' }) =>
  escalateIncident(await people.as(person), id, input)
const visibleTo = async (person: Person, id: string) => {
  const actor = (await people.as(person)).actor
  const rows = await db().select({ id: incidents.id }).from(incidents).where(and(eq(incidents.id, id), visibleIncidentsWhere(actor)))
  return rows.length === 1
}

describe('who may escalate an incident to the national CERT', () => {
  test('the reporter who filed it may; another reporter of the same organisation may not', async () => {
    const inc = await file()
    await expectCode(escalate('otherReporter', inc.id), 'forbidden')
    await escalate('creator', inc.id)
    expect((await incidentRow(db(), inc.id)).triageStatus).toBe('pending')
  })

  test("the reporting organisation's responders and admins may", async () => {
    for (const person of ['responder', 'ownAdmin'] as const) {
      const inc = await file()
      await escalate(person, inc.id)
      expect((await incidentRow(db(), inc.id)).escalatedBy).toBe(people.ids[person])
    }
  })

  test("the cluster lead's responder may escalate a member's AMBER incident; its reporter cannot even see it", async () => {
    const inc = await file()
    await expectCode(escalate('leadReporter', inc.id), 'not_found')
    await escalate('leadResponder', inc.id)
    expect((await incidentRow(db(), inc.id)).triageStatus).toBe('pending')
  })

  test('a sibling member, another cluster, the national CERT and a sysadmin may not', async () => {
    const amber = await file()
    await expectCode(escalate('sibling', amber.id), 'not_found')
    await expectCode(escalate('otherCluster', amber.id), 'not_found')
    const green = await file({ tlp: 'GREEN' })
    for (const person of ['sibling', 'otherCluster', 'analyst', 'certAdmin', 'sysadmin'] as const) {
      await expectCode(escalate(person, green.id), 'forbidden')
    }
    expect((await incidentRow(db(), green.id)).escalatedAt).toBeNull()
  })

  test('an escalated, draft or closed incident cannot be escalated (409), and nothing changes', async () => {
    const inc = await file()
    await escalate('creator', inc.id)
    const e = await expectCode(escalate('responder', inc.id), 'conflict')
    expect(e.messageKey).toBe('triage.errors.cannotEscalate')
    const draft = await file({ status: 'draft', submittedAt: null })
    await expectCode(escalate('creator', draft.id), 'conflict')
    const closed = await file({ status: 'closed' })
    await expectCode(escalate('responder', closed.id), 'conflict')
    expect((await incidentRow(db(), closed.id)).escalatedAt).toBeNull()
  })

  test('a reason and a known urgency are required', async () => {
    const inc = await file()
    await expectCode(escalate('creator', inc.id, { reason: '   ', urgency: 'urgent' }), 'validation', { reason: ['validation.required'] })
    await expectCode(escalate('creator', inc.id, { reason: 'x', urgency: 'whenever' }), 'validation', { urgency: ['validation.invalid'] })
    expect((await incidentRow(db(), inc.id)).escalatedAt).toBeNull()
  })

  test('unknown and malformed ids answer 404', async () => {
    await expectCode(escalate('creator', crypto.randomUUID()), 'not_found')
    await expectCode(escalate('creator', 'IR-2026-000001'), 'not_found')
  })
})

describe('what escalation opens and records', () => {
  test('an AMBER+STRICT incident becomes visible to the national CERT only once escalated', async () => {
    const inc = await file({ tlp: 'AMBER+STRICT' })
    for (const person of ['analyst', 'certAdmin', 'certResponder', 'leadResponder'] as const) expect(await visibleTo(person, inc.id)).toBe(false)
    await expectCode(getVisibleIncident(await people.as('analyst'), inc.id), 'not_found')
    await escalate('creator', inc.id)
    for (const person of ['analyst', 'certAdmin', 'certResponder'] as const) expect(await visibleTo(person, inc.id)).toBe(true)
    // The grant is to the national CERT, not to the cluster or the network.
    for (const person of ['leadResponder', 'sibling', 'otherCluster'] as const) expect(await visibleTo(person, inc.id)).toBe(false)
    const grants = await db().select().from(accessGrants).where(eq(accessGrants.objectId, inc.id))
    expect(grants).toEqual([expect.objectContaining({ granteeOrganisationId: h.orgIds.get('vncert'), reason: 'escalation' })])
  })

  test('escalating a TLP:RED incident names the triagers, so they can triage it', async () => {
    const inc = await file({ tlp: 'RED' })
    expect(await visibleTo('analyst', inc.id)).toBe(false)
    await escalate('creator', inc.id)
    expect(await visibleTo('analyst', inc.id)).toBe(true)
    expect(await visibleTo('certAdmin', inc.id)).toBe(true)
    // RED names people: national-CERT staff who do not triage stay out, as does the creator's organisation.
    expect(await visibleTo('certResponder', inc.id)).toBe(false)
    expect(await visibleTo('responder', inc.id)).toBe(false)
  })

  test('the escalation is on the timeline, in the audit log, and notifies the triagers but not the actor', async () => {
    const inc = await file()
    await escalate('creator', inc.id, { reason: 'Cần hỗ trợ phân tích mã độc', urgency: 'immediate' })
    const row = await incidentRow(db(), inc.id)
    expect(row).toMatchObject({ escalationReason: 'Cần hỗ trợ phân tích mã độc', escalationUrgency: 'immediate', triageStatus: 'pending', escalatedBy: people.ids.creator })
    const [entry] = await db().select().from(incidentTimeline).where(and(eq(incidentTimeline.incidentId, inc.id), eq(incidentTimeline.kind, 'escalated')))
    expect(entry).toMatchObject({ body: 'Cần hỗ trợ phân tích mã độc', actorUserId: people.ids.creator, internalToOrganisationId: null })
    const audit = await db().select().from(auditLog).where(and(eq(auditLog.objectId, inc.id), eq(auditLog.action, 'incident.escalated')))
    expect(audit).toHaveLength(1)
    const [event] = await eventsOf(db(), 'incident.escalated', inc.id)
    expect(event).toMatchObject({ actorUserId: people.ids.creator, tlp: 'AMBER', organisationId: ownerOrgId })
    const recipients = await recipientIdsOf(db(), event!)
    expect(recipients).toEqual(expect.arrayContaining([people.ids.analyst, people.ids.certAdmin]))
    for (const person of ['creator', 'certResponder', 'sysadmin', 'responder'] as const) expect(recipients).not.toContain(people.ids[person])
  })

  test('after a decline the incident may be escalated again', async () => {
    const inc = await file()
    await escalate('creator', inc.id)
    await declineEscalation(await people.as('analyst'), inc.id, { reason: 'Đơn vị tự xử lý được' })
    expect((await incidentRow(db(), inc.id)).triageStatus).toBe('declined')
    await escalate('responder', inc.id, { reason: 'Mã độc lây lan sang hệ thống khác', urgency: 'immediate' })
    expect(await incidentRow(db(), inc.id)).toMatchObject({ triageStatus: 'pending', triageNote: null, escalationUrgency: 'immediate' })
  })
})

describe('triage by the national CERT', () => {
  async function escalated(over: Parameters<typeof file>[0] = {}) {
    const inc = await file(over)
    await escalate('creator', inc.id)
    return inc
  }

  test('an analyst accepts as serious and assigns an analyst; the incident is marked serious', async () => {
    const inc = await escalated()
    await acceptEscalation(await people.as('analyst'), inc.id, { classification: 'serious', analystId: people.ids.analyst2, note: 'Ảnh hưởng hệ thống cấp độ 4' })
    const row = await incidentRow(db(), inc.id)
    expect(row).toMatchObject({ triageStatus: 'accepted', triageClassification: 'serious', triageAnalystId: people.ids.analyst2, serious: true })
    expect(row.triagedAt).toBeInstanceOf(Date)
    const [event] = await eventsOf(db(), 'incident.triaged', inc.id)
    expect(event!.payload).toMatchObject({ decision: 'accepted', classification: 'serious' })
    const recipients = await recipientIdsOf(db(), event!)
    expect(recipients).toEqual(expect.arrayContaining([people.ids.creator, people.ids.responder, people.ids.ownAdmin, people.ids.analyst2]))
    expect(recipients).not.toContain(people.ids.analyst)
    expect(recipients).not.toContain(people.ids.otherReporter)
  })

  test('a normal classification leaves the serious flag alone; the analyst must be a national-CERT triager', async () => {
    const inc = await escalated()
    for (const who of ['certResponder', 'responder'] as const) {
      await expectCode(acceptEscalation(await people.as('certAdmin'), inc.id, { classification: 'normal', analystId: people.ids[who] }), 'validation', {
        analystId: ['triage.validation.analyst'],
      })
    }
    await expectCode(acceptEscalation(await people.as('certAdmin'), inc.id, { classification: '', analystId: '' }), 'validation', {
      classification: ['validation.required'],
      analystId: ['validation.required'],
    })
    await acceptEscalation(await people.as('certAdmin'), inc.id, { classification: 'normal', analystId: people.ids.analyst })
    expect(await incidentRow(db(), inc.id)).toMatchObject({ triageStatus: 'accepted', triageClassification: 'normal', serious: false })
  })

  test('only national-CERT analysts and admins triage', async () => {
    const inc = await escalated()
    const input = { classification: 'normal', analystId: people.ids.analyst }
    for (const person of ['certResponder', 'sysadmin', 'creator', 'responder', 'ownAdmin', 'leadResponder'] as const) {
      await expectCode(acceptEscalation(await people.as(person), inc.id, input), 'forbidden')
      await expectCode(declineEscalation(await people.as(person), inc.id, { reason: 'x' }), 'forbidden')
      await expectCode(requestMoreInformation(await people.as(person), inc.id, { question: 'x' }), 'forbidden')
    }
    await expectCode(acceptEscalation(await people.as('sibling'), inc.id, input), 'not_found')
    expect((await incidentRow(db(), inc.id)).triageStatus).toBe('pending')
  })

  test('triage happens only while the escalation awaits it (409 otherwise)', async () => {
    const notEscalated = await file()
    const analyst = await people.as('analyst')
    const input = { classification: 'normal', analystId: people.ids.analyst }
    expect((await expectCode(acceptEscalation(analyst, notEscalated.id, input), 'conflict')).messageKey).toBe('triage.errors.notAwaitingTriage')
    await expectCode(requestMoreInformation(analyst, notEscalated.id, { question: 'Hệ thống nào?' }), 'conflict')
    const inc = await escalated()
    await acceptEscalation(analyst, inc.id, input)
    await expectCode(acceptEscalation(analyst, inc.id, input), 'conflict')
    await expectCode(declineEscalation(analyst, inc.id, { reason: 'x' }), 'conflict')
    await expectCode(requestMoreInformation(analyst, inc.id, { question: 'x' }), 'conflict')
    const declined = await escalated()
    await declineEscalation(analyst, declined.id, { reason: 'Không đủ căn cứ' })
    await expectCode(acceptEscalation(analyst, declined.id, input), 'conflict')
  })

  test('a decline needs a reason, records it and tells the reporting side', async () => {
    const inc = await escalated()
    await expectCode(declineEscalation(await people.as('analyst'), inc.id, { reason: '' }), 'validation', { reason: ['validation.required'] })
    await declineEscalation(await people.as('analyst'), inc.id, { reason: 'Đơn vị đủ năng lực tự xử lý' })
    expect(await incidentRow(db(), inc.id)).toMatchObject({ triageStatus: 'declined', triageNote: 'Đơn vị đủ năng lực tự xử lý' })
    const [event] = await eventsOf(db(), 'incident.triaged', inc.id)
    expect(event!.payload).toMatchObject({ decision: 'declined' })
    expect(await recipientIdsOf(db(), event!)).toContain(people.ids.creator)
  })

  test('asking for more information makes the incident wait on the reporter, who answers it', async () => {
    const inc = await escalated()
    const analyst = await people.as('analyst')
    await requestMoreInformation(analyst, inc.id, { question: 'Máy chủ bị ảnh hưởng dùng hệ điều hành nào?' })
    expect(await incidentRow(db(), inc.id)).toMatchObject({ triageStatus: 'info_requested', triageNote: 'Máy chủ bị ảnh hưởng dùng hệ điều hành nào?' })
    expect((await expectCode(requestMoreInformation(analyst, inc.id, { question: 'Và nữa?' }), 'conflict')).messageKey).toBe('triage.errors.questionOpen')
    const [asked] = await eventsOf(db(), 'incident.info_requested', inc.id)
    expect(asked!.payload).toMatchObject({ link: `/incidents/${inc.id}/info` })
    expect(await recipientIdsOf(db(), asked!)).toEqual(expect.arrayContaining([people.ids.creator, people.ids.responder]))

    // Only the reporting organisation answers.
    for (const person of ['leadResponder', 'analyst'] as const) {
      await expectCode(provideInformation(await people.as(person), inc.id, { answer: 'Ubuntu 22.04' }), 'forbidden')
    }
    await expectCode(provideInformation(await people.as('sibling'), inc.id, { answer: 'Ubuntu 22.04' }), 'not_found')
    await expectCode(provideInformation(await people.as('creator'), inc.id, { answer: ' ' }), 'validation', { answer: ['validation.required'] })
    await provideInformation(await people.as('creator'), inc.id, { answer: 'Ubuntu 22.04, Apache 2.4' })
    expect((await incidentRow(db(), inc.id)).triageStatus).toBe('pending')
    const kinds = (await db().select({ kind: incidentTimeline.kind }).from(incidentTimeline).where(eq(incidentTimeline.incidentId, inc.id))).map((r) => r.kind)
    expect(kinds).toEqual(expect.arrayContaining(['escalated', 'info_requested', 'info_provided']))
    const [answered] = await eventsOf(db(), 'incident.comment_added', inc.id)
    expect(answered!.payload).toMatchObject({ kind: 'info_provided', audience: { nationalCertTriagers: true } })
    const recipients = await recipientIdsOf(db(), answered!)
    expect(recipients).toEqual(expect.arrayContaining([people.ids.analyst, people.ids.certAdmin]))
    expect(recipients).not.toContain(people.ids.creator)
    // Nothing is waiting for an answer any more.
    expect((await expectCode(provideInformation(await people.as('creator'), inc.id, { answer: 'Thêm' }), 'conflict')).messageKey).toBe('triage.errors.noQuestion')
  })

  test('while the reporter has not answered, the analyst may still accept', async () => {
    const inc = await escalated()
    const analyst = await people.as('analyst')
    await requestMoreInformation(analyst, inc.id, { question: 'Có bản ghi nhật ký không?' })
    await acceptEscalation(analyst, inc.id, { classification: 'normal', analystId: people.ids.analyst })
    expect((await incidentRow(db(), inc.id)).triageStatus).toBe('accepted')
  })
})

describe('the triage queue', () => {
  test('lists waiting escalations by urgency then age, then recent decisions; only for triagers', async () => {
    const { ids } = people
    const normalOld = await file({ title: 'queue normal old' })
    const immediate = await file({ title: 'queue immediate' })
    const urgent = await file({ title: 'queue urgent' })
    const normalNew = await file({ title: 'queue normal new' })
    const notEscalated = await file({ title: 'queue not escalated' })
    const decided = await file({ title: 'queue decided' })
    const base = Date.now()
    const at = (minutes: number) => h.setNow(new Date(base + minutes * 60_000))
    at(1)
    await escalate('creator', normalOld.id, { reason: 'r', urgency: 'normal' })
    at(2)
    await escalate('creator', immediate.id, { reason: 'r', urgency: 'immediate' })
    at(3)
    await escalate('creator', urgent.id, { reason: 'r', urgency: 'urgent' })
    at(4)
    await escalate('creator', normalNew.id, { reason: 'r', urgency: 'normal' })
    await escalate('creator', decided.id, { reason: 'r', urgency: 'immediate' })
    await requestMoreInformation(await people.as('analyst'), normalNew.id, { question: 'q' })
    await acceptEscalation(await people.as('analyst'), decided.id, { classification: 'serious', analystId: ids.analyst })
    h.setNow(new Date(base + 10 * 60_000))
    const queue = await listTriageQueue(await people.as('analyst'))
    // Back to the real clock.
    h.setNow(null as unknown as Date)
    const mine = (rows: { id: string }[]) => rows.map((r) => r.id).filter((id) => [normalOld, immediate, urgent, normalNew, notEscalated, decided].some((i) => i.id === id))
    expect(mine(queue.waiting)).toEqual([immediate.id, urgent.id, normalOld.id, normalNew.id])
    expect(mine(queue.decided)).toEqual([decided.id])
    for (const person of ['certResponder', 'sysadmin', 'creator', 'leadResponder'] as const) {
      await expectCode(listTriageQueue(await people.as(person)), 'forbidden')
    }
  })
})

describe('the escalation and triage pages', () => {
  const cookies = {} as Record<Person, string>
  const as = async (person: Person) => (cookies[person] ??= await web.signIn(people.emails[person], TEST_PASSWORD))
  const get = async (path: string, person: Person) => web.request(path, { cookie: await as(person) })
  const post = async (path: string, fields: Record<string, string>, person: Person) => web.postForm(path, fields, await as(person))

  test('the creator gets the escalation form; others get 403 or 404', async () => {
    const inc = await file()
    const res = await get(`/incidents/${inc.id}/escalate`, 'creator')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('name="reason"')
    expect(html).toContain(inc.reference)
    expect((await get(`/incidents/${inc.id}/escalate`, 'otherReporter')).status).toBe(403)
    expect((await get(`/incidents/${inc.id}/escalate`, 'sibling')).status).toBe(404)
    expect((await get(`/incidents/${crypto.randomUUID()}/escalate`, 'creator')).status).toBe(404)
    expect((await post(`/incidents/${inc.id}/escalate`, { reason: 'r', urgency: 'urgent' }, 'otherReporter')).status).toBe(403)
    expect((await post(`/incidents/${inc.id}/escalate`, { reason: 'r', urgency: 'urgent' }, 'sibling')).status).toBe(404)
    expect((await incidentRow(db(), inc.id)).escalatedAt).toBeNull()
  })

  test('an empty reason re-renders the form with 400 and keeps the chosen urgency; a good one escalates', async () => {
    const inc = await file()
    const bad = await post(`/incidents/${inc.id}/escalate`, { reason: '', urgency: 'immediate' }, 'creator')
    expect(bad.status).toBe(400)
    const html = await bad.text()
    expect(html).toContain('field-reason-error')
    expect(html).toMatch(/<option value="immediate" selected="">/)
    const good = await post(`/incidents/${inc.id}/escalate`, { reason: 'Vượt khả năng <script>', urgency: 'immediate' }, 'creator')
    expect(good.status).toBe(302)
    expect(good.headers.get('location')).toBe(`/incidents/${inc.id}`)
    const again = await post(`/incidents/${inc.id}/escalate`, { reason: 'again', urgency: 'normal' }, 'creator')
    expect(again.status).toBe(409)
  })

  test('the triage queue and form are for triagers; bad input is a 400 with kept values', async () => {
    const inc = await file({ title: 'Tấn công <b>DDoS</b>' })
    await escalate('creator', inc.id)
    const queue = await get('/triage', 'analyst')
    expect(queue.status).toBe(200)
    const html = await queue.text()
    expect(html).toContain(`href="/incidents/${inc.id}/triage"`)
    expect(html).toContain('Tấn công &lt;b&gt;DDoS&lt;/b&gt;')
    expect(html).toContain('TLP:AMBER')
    expect((await get('/triage', 'creator')).status).toBe(403)
    expect((await get('/triage', 'sysadmin')).status).toBe(403)
    expect((await get(`/incidents/${inc.id}/triage`, 'creator')).status).toBe(403)
    expect((await get(`/incidents/${inc.id}/triage`, 'sibling')).status).toBe(404)

    const form = await (await get(`/incidents/${inc.id}/triage`, 'analyst')).text()
    expect(form).toContain(`value="${people.ids.analyst2}"`)
    expect(form).not.toContain(`value="${people.ids.certResponder}"`)
    const bad = await post(`/incidents/${inc.id}/triage`, { intent: 'accept', classification: 'serious', analystId: '', note: 'giữ lại' }, 'analyst')
    expect(bad.status).toBe(400)
    const badHtml = await bad.text()
    expect(badHtml).toContain('field-analystId-error')
    expect(badHtml).toMatch(/<option value="serious" selected="">/)
    expect(badHtml).toContain('giữ lại')
    const emptyDecline = await post(`/incidents/${inc.id}/triage`, { intent: 'decline', reason: '' }, 'analyst')
    expect(emptyDecline.status).toBe(400)
    expect((await post(`/incidents/${inc.id}/triage`, { intent: 'decline', reason: 'x' }, 'creator')).status).toBe(403)
    const ok = await post(`/incidents/${inc.id}/triage`, { intent: 'accept', classification: 'serious', analystId: people.ids.analyst2 }, 'analyst')
    expect(ok.status).toBe(302)
    expect(ok.headers.get('location')).toBe('/triage?done=accepted')
    expect((await post(`/incidents/${inc.id}/triage`, { intent: 'decline', reason: 'x' }, 'analyst')).status).toBe(409)
  })

  test('the reporter answers a question on the information page', async () => {
    const inc = await file()
    await escalate('creator', inc.id)
    await requestMoreInformation(await people.as('analyst'), inc.id, { question: 'Địa chỉ IP nguồn tấn công?' })
    const page = await get(`/incidents/${inc.id}/info`, 'creator')
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Địa chỉ IP nguồn tấn công?')
    expect((await get(`/incidents/${inc.id}/info`, 'sibling')).status).toBe(404)
    expect((await get(`/incidents/${inc.id}/info`, 'leadResponder')).status).toBe(403)
    const bad = await post(`/incidents/${inc.id}/info`, { answer: '' }, 'creator')
    expect(bad.status).toBe(400)
    const ok = await post(`/incidents/${inc.id}/info`, { answer: '203.0.113.7' }, 'creator')
    expect(ok.status).toBe(302)
    expect((await incidentRow(db(), inc.id)).triageStatus).toBe('pending')
    expect((await post(`/incidents/${inc.id}/info`, { answer: 'more' }, 'creator')).status).toBe(409)
  })
})
