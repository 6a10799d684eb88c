import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { transitionDrill } from '../../app/drills/drills.server.ts'
import { signUpForDrill } from '../../app/drills/registrations.server.ts'
import { calendarDate } from '../../app/lib/dates.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { TEST_PASSWORD } from '../support/factories.ts'
import { drillCast, drillForm, publishedDrill, registrationsOf, type DrillCast, type Person } from './fixtures.ts'

// The attendance sheet, the report page, the participant CSV and the participation figures as
// a browser without JavaScript uses them: plain forms, a redirect after a good post, 400 with
// the input kept after a bad one, 403/404 as the policy says.

let h: Harness
let web: TestApp
let cast: DrillCast
let drillId: string
const cookies = {} as Record<Person, string>
const PAGE_PEOPLE = ['leadResponder', 'memberReporter', 'memberAdmin', 'otherResponder'] as const

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  cast = await drillCast(h)
  for (const person of PAGE_PEOPLE) cookies[person] = await web.signIn(cast.users[person].email, TEST_PASSWORD)
  const lead = await cast.as('leadResponder')
  drillId = await publishedDrill(lead, drillForm(h.services.now(), { clusterId: cast.clusterId, tlp: 'AMBER', objectives: 'Báo cáo ban đầu trong ngày' }))
  await signUpForDrill(await cast.as('memberReporter'), drillId, { role: 'participant' })
  await transitionDrill(lead, drillId, 'start')
})
afterAll(() => h.close())

const get = (path: string, person: Person) => web.request(path, { cookie: cookies[person] })
const post = (path: string, fields: Record<string, string>, person: Person) => web.postForm(path, fields, cookies[person])
// See pages.test.ts: React 18 may leave NUL bytes at chunk boundaries in long Vietnamese pages.
const text = async (res: Response) => (await res.text()).replaceAll('\0', '')

describe('the attendance sheet', () => {
  test('the organiser marks a registrant; a participant gets 403, an outsider 404; a bad value re-renders with 400', async () => {
    const [registration] = await registrationsOf(h, drillId)
    const page = await text(await get(`/drills/${drillId}/attendance`, 'leadResponder'))
    expect(page).toContain('memberReporter')
    expect(page).toContain('Chưa điểm danh')
    expect(page).toContain(`href="/drills/${drillId}/participants.csv"`)
    const marked = await post(`/drills/${drillId}/attendance`, { registrationId: registration!.id, attendance: 'attended' }, 'leadResponder')
    expect(marked.status).toBe(302)
    expect(marked.headers.get('location')).toBe(`/drills/${drillId}/attendance?done=attendance`)
    const after = await text(await get(`/drills/${drillId}/attendance?done=attendance`, 'leadResponder'))
    expect(after).toContain('Đã điểm danh.')
    expect(after).toContain('1 có mặt · 0 vắng mặt · 1 đã xác nhận')
    const bad = await post(`/drills/${drillId}/attendance`, { registrationId: registration!.id, attendance: 'maybe' }, 'leadResponder')
    expect(bad.status).toBe(400)
    expect(await text(bad)).toContain('role="alert"')
    expect((await get(`/drills/${drillId}/attendance`, 'memberReporter')).status).toBe(403)
    expect((await post(`/drills/${drillId}/attendance`, { registrationId: registration!.id, attendance: 'absent' }, 'memberReporter')).status).toBe(403)
    expect((await get(`/drills/${drillId}/attendance`, 'otherResponder')).status).toBe(404)
    // The drill page links the organiser to both pages, the participant to neither while the report is a draft.
    const drillPage = await text(await get(`/drills/${drillId}`, 'leadResponder'))
    expect(drillPage).toContain(`href="/drills/${drillId}/attendance"`)
    expect(drillPage).toContain(`href="/drills/${drillId}/report"`)
    expect(await text(await get(`/drills/${drillId}`, 'memberReporter'))).not.toContain(`/drills/${drillId}/report`)
  })

  test('the CSV downloads for the organiser and is refused to the others', async () => {
    const res = await get(`/drills/${drillId}/participants.csv`, 'leadResponder')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="drill-participants-\d{4}-\d{2}-\d{2}\.csv"$/)
    const body = await res.text()
    expect(body).toContain('"Họ tên","Thư điện tử"')
    expect(body).toContain(`"memberReporter","${cast.users.memberReporter.email}"`)
    expect((await get(`/drills/${drillId}/participants.csv`, 'memberReporter')).status).toBe(403)
    expect((await get(`/drills/${drillId}/participants.csv`, 'otherResponder')).status).toBe(404)
  })
})

describe('the report page', () => {
  test('an action item with a bad date re-renders with 400, the error tied to its field and the input kept', async () => {
    const res = await post(`/drills/${drillId}/report`, { intent: 'addActionItem', description: 'Lập danh bạ trực đêm', ownerOrganisationId: cast.memberOrgId, dueOn: '2027-02-30' }, 'leadResponder')
    expect(res.status).toBe(400)
    const page = await text(res)
    expect(page).toContain('Lập danh bạ trực đêm</textarea>')
    expect(page).toContain('value="2027-02-30"')
    expect(page).toContain('aria-describedby="field-dueOn-hint field-dueOn-error"')
  })

  test('the organiser writes, adds an item and publishes after completion; the participant then reads it and the owner’s admin marks the item done', async () => {
    expect((await get(`/drills/${drillId}/report`, 'memberReporter')).status).toBe(404)
    const saved = await post(`/drills/${drillId}/report`, { intent: 'saveReport', assessment_0: 'partly', objectivesMet: 'Đạt một phần.', observationsSummary: 'Báo cáo chậm 3 giờ.', recommendations: 'Lập danh bạ trực đêm.' }, 'leadResponder')
    expect(saved.headers.get('location')).toBe(`/drills/${drillId}/report?done=saved`)
    const added = await post(`/drills/${drillId}/report`, { intent: 'addActionItem', description: 'Lập danh bạ trực đêm', ownerOrganisationId: cast.memberOrgId, dueOn: '2027-03-31' }, 'leadResponder')
    expect(added.status).toBe(302)
    // Publishing before the end is a conflict shown on the page, not a 500.
    const early = await post(`/drills/${drillId}/report`, { intent: 'publish' }, 'leadResponder')
    expect(early.status).toBe(409)
    expect(await text(early)).toContain('Chỉ công bố được báo cáo khi đợt diễn tập đã kết thúc.')
    await transitionDrill(await cast.as('leadResponder'), drillId, 'complete')
    expect((await post(`/drills/${drillId}/report`, { intent: 'publish' }, 'leadResponder')).headers.get('location')).toBe(`/drills/${drillId}/report?done=published`)
    const read = await text(await get(`/drills/${drillId}/report`, 'memberReporter'))
    expect(read).toContain('Báo cáo chậm 3 giờ.')
    expect(read).toContain('Báo cáo ban đầu trong ngày<!-- -->: <strong>Đạt một phần</strong>')
    expect(read).toContain('31 thg 3, 2027')
    expect(read).not.toContain('name="intent" value="actionItemDone"')
    const admin = await text(await get(`/drills/${drillId}/report`, 'memberAdmin'))
    const itemId = /name="itemId" value="([0-9a-f-]{36})"/.exec(admin)?.[1]
    expect(itemId).toBeTruthy()
    const done = await post(`/drills/${drillId}/report`, { intent: 'actionItemDone', itemId: itemId!, done: 'true' }, 'memberAdmin')
    expect(done.status).toBe(302)
    expect(await text(await get(`/drills/${drillId}/report`, 'memberReporter'))).toContain('Hoàn thành')
    expect((await post(`/drills/${drillId}/report`, { intent: 'actionItemDone', itemId: itemId!, done: 'false' }, 'memberReporter')).status).toBe(403)
    expect((await get(`/drills/${drillId}/report`, 'otherResponder')).status).toBe(404)
  })
})

describe('the participation page', () => {
  test('shows the year’s figures; a bad year re-renders with 400 and the input kept', async () => {
    const year = calendarDate(h.services.now()).slice(0, 4)
    const res = await get(`/drills/participation?year=${year}`, 'memberReporter')
    expect(res.status).toBe(200)
    const page = await text(res)
    expect(page).toContain('<label for="field-year">Năm</label>')
    expect(page).toContain(`Số liệu tham gia năm ${year}`)
    const bad = await get('/drills/participation?year=20x6', 'memberReporter')
    expect(bad.status).toBe(400)
    const badPage = await text(bad)
    expect(badPage).toContain('value="20x6"')
    expect(badPage).toContain('Nhập một năm từ 2000 đến 2100.')
  })
})
