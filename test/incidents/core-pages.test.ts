import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { incidents } from '../../db/schema/index.ts'
import { dateToLocalDateTime } from '../../app/lib/dates.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { TEST_PASSWORD } from '../support/factories.ts'
import { completeReport, fileIncident, forceStatus, incidentCast, incidentRow, PEOPLE, type IncidentCast, type Person } from './core-fixtures.ts'

let h: Harness
let web: TestApp
let cast: IncidentCast
const cookies = {} as Record<Person, string>

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  cast = await incidentCast(h)
  for (const person of PEOPLE) cookies[person] = await web.signIn(cast.users[person].email, TEST_PASSWORD)
})
afterAll(() => h.close())

const get = (path: string, person: Person) => web.request(path, { cookie: cookies[person] })
/** Posts like a browser without JavaScript, repeated names included. */
const post = (path: string, fields: Record<string, string | string[]>, person: Person) => {
  const body = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(name, v)
  return web.request(path, { method: 'POST', body, cookie: cookies[person] })
}
const html = async (res: Response) => res.text()
const idFrom = (location: string | null) => /^\/incidents\/([0-9a-f-]{36})\?/.exec(location ?? '')?.[1] ?? ''

describe('the new-report page', () => {
  test('shows Form 03 in fieldsets with legends, the sharing choices and both buttons', async () => {
    const res = await get('/incidents/new', 'creator')
    expect(res.status).toBe(200)
    const page = await html(res)
    for (const legend of ['Người liên hệ', 'Hệ thống bị ảnh hưởng', 'Sự cố', 'Phân loại', 'Chia sẻ (TLP, PAP, người nhận)', 'Môi trường và yêu cầu hỗ trợ']) {
      expect(page).toContain(`<legend>${legend}</legend>`)
    }
    expect(page).toContain('name="intent" value="draft"')
    expect(page).toContain('name="intent" value="submit"')
    expect(page).toContain('TLP:AMBER+STRICT')
    expect(page).toContain('type="datetime-local"')
    // The reporter's own details are offered as the contact.
    expect(page).toContain(`value="${cast.users.creator.email}"`)
    // Named recipients: own organisation, the cluster lead's responder, the national CERT's analyst — nobody else.
    for (const person of ['colleague', 'ownResponder', 'leadResponder', 'analyst'] as const) expect(page).toContain(`value="${cast.users[person].id}"`)
    for (const person of ['leadReporter', 'siblingResponder', 'otherClusterResponder', 'sysadmin', 'creator'] as const) {
      expect(page).not.toContain(`value="${cast.users[person].id}"`)
    }
  })

  test('is refused to a system administrator', async () => {
    expect((await get('/incidents/new', 'sysadmin')).status).toBe(403)
    expect((await post('/incidents/new', completeReport({ intent: 'submit' }), 'sysadmin')).status).toBe(403)
  })

  test('bad input answers 400 and keeps every value, lists and checkboxes included', async () => {
    const res = await post(
      '/incidents/new',
      completeReport({
        intent: 'submit',
        title: 'Thử nghiệm <b>đậm</b> & "trích dẫn"',
        category: '',
        systemPublicIps: '203.0.113.5\n300.1.1.1',
        systemDomains: 'portal.example.gov.vn\nmail.example.gov.vn',
        detectionMethods: ['ids', 'logs'],
        alreadyNotified: 'national_cert',
        seriousHarms: ['interruption', 'cascadingHarm'],
        beyondOwnerCapacity: 'on',
        handled: 'on',
        tlp: 'RED',
        recipientIds: [cast.users.leadResponder.id, cast.users.analyst.id],
        pap: 'GREEN',
        systemLevel: '4',
      }),
      'creator',
    )
    expect(res.status).toBe(400)
    const page = await html(res)
    expect(page).toContain('value="Thử nghiệm &lt;b&gt;đậm&lt;/b&gt; &amp; &quot;trích dẫn&quot;"')
    expect(page).toContain('203.0.113.5\n300.1.1.1')
    expect(page).toContain('portal.example.gov.vn\nmail.example.gov.vn')
    expect(page).toMatch(/name="detectionMethods" checked="" value="ids"/)
    expect(page).toMatch(/name="detectionMethods" checked="" value="logs"/)
    expect(page).not.toMatch(/name="detectionMethods" checked="" value="notified"/)
    expect(page).toMatch(/name="alreadyNotified" checked="" value="national_cert"/)
    expect(page).toMatch(/name="seriousHarms" checked="" value="cascadingHarm"/)
    expect(page).toMatch(/id="field-beyondOwnerCapacity" name="beyondOwnerCapacity" type="checkbox" checked=""/)
    expect(page).toMatch(/id="field-handled" name="handled" type="checkbox" checked=""/)
    expect(page).toMatch(new RegExp(`<option value="${cast.users.leadResponder.id}" selected="">`))
    expect(page).toMatch(new RegExp(`<option value="${cast.users.analyst.id}" selected="">`))
    expect(page).toMatch(/<option value="RED" selected="">/)
    expect(page).toMatch(/<option value="GREEN" selected="">PAP:GREEN/)
    expect(page).toMatch(/<option value="4" selected="">/)
    expect(page).toContain('Có địa chỉ IP không hợp lệ.')
    expect(page).toContain('Trường này là bắt buộc.')
    expect(page).toContain('aria-invalid="true"')
    expect(await h.services.db.select().from(incidents).where(eq(incidents.title, 'Thử nghiệm <b>đậm</b> & "trích dẫn"'))).toHaveLength(0)
  })

  test('submitting files the report and shows it; saving a draft keeps it a draft', async () => {
    const res = await post('/incidents/new', completeReport({ intent: 'submit', title: 'Tấn công từ chối dịch vụ cổng dịch vụ công' }), 'creator')
    expect(res.status).toBe(302)
    const id = idFrom(res.headers.get('location'))
    expect(res.headers.get('location')).toBe(`/incidents/${id}?done=filed`)
    const row = await incidentRow(h, id)
    expect(row.status).toBe('new')
    const page = await html(await get(res.headers.get('location')!, 'creator'))
    expect(page).toContain(row.reference)
    expect(page).toContain('class="tlp tlp--AMBER"')
    expect(page).toContain(`Đã gửi báo cáo ${row.reference}.`)

    const draft = await post('/incidents/new', { intent: 'draft', title: 'Nháp chưa xong' }, 'creator')
    expect(draft.status).toBe(302)
    const draftRow = await incidentRow(h, idFrom(draft.headers.get('location')))
    expect(draftRow.status).toBe('draft')
    // Pressing Enter sends no button: the form is saved as a draft, never submitted by accident.
    const enter = await post('/incidents/new', completeReport({ title: 'Bấm Enter' }), 'creator')
    expect((await incidentRow(h, idFrom(enter.headers.get('location')))).status).toBe('draft')
  })

  test('posted organisation, creator, status and reference fields are ignored', async () => {
    const res = await post(
      '/incidents/new',
      completeReport({
        intent: 'submit',
        title: 'Gán hàng loạt',
        reportingOrganisationId: cast.otherOrgId,
        createdBy: cast.users.analyst.id,
        status: 'closed',
        reference: 'IR-2000-000001',
        assignedUserId: cast.users.ownAdmin.id,
      }),
      'creator',
    )
    expect(res.status).toBe(302)
    const row = await incidentRow(h, idFrom(res.headers.get('location')))
    expect(row).toMatchObject({ reportingOrganisationId: cast.ownerOrgId, createdBy: cast.users.creator.id, status: 'new', assignedUserId: null })
    expect(row.reference).not.toBe('IR-2000-000001')
  })
})

describe('the incident page', () => {
  test('shows the header, facts, deadlines, actions and timeline to the owner’s responder', async () => {
    const { id, reference } = await fileIncident(await cast.as('creator'), { tlp: 'AMBER+STRICT', severity: 'critical', category: 'ransomware' })
    const res = await get(`/incidents/${id}`, 'ownResponder')
    expect(res.status).toBe(200)
    const page = await html(res)
    expect(page).toContain(reference)
    expect(page).toContain('class="tlp tlp--AMBER+STRICT"')
    expect(page).toContain('TLP:AMBER+STRICT')
    expect(page).toContain('Nghiêm trọng')
    expect(page).toContain('Tấn công mã hóa phần mềm, dữ liệu, thiết bị')
    expect(page).toContain('malicious-code/infected-system')
    expect(page).toContain('portal.example.gov.vn')
    expect(page).toContain('Thông báo sự cố (5 ngày từ khi phát hiện)')
    for (const transition of ['acknowledge', 'investigate']) expect(page).toContain(`name="transition" value="${transition}"`)
    expect(page).toContain('name="intent" value="assign"')
    expect(page).toContain('name="intent" value="comment"')
    expect(page).toContain(`href="/incidents/${id}/edit"`)
    expect(page).toContain(`href="/incidents/${id}/escalate"`)
    expect(page).toContain(`href="/incidents/${id}/attachments"`)
    expect(page).toContain(`href="/incidents/${id}/form03"`)
    expect(page).not.toContain(`href="/incidents/${id}/coordination/new"`)
    expect(page).toContain('data-timeline-kind="filed"')
    expect(page).toContain(cast.users.creator.name)
  })

  test('offers a reporter only what a reporter may do', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    const page = await html(await get(`/incidents/${id}`, 'colleague'))
    expect(page).not.toContain('name="transition"')
    expect(page).not.toContain('value="assign"')
    expect(page).not.toContain(`href="/incidents/${id}/edit"`)
    expect(page).not.toContain(`href="/incidents/${id}/escalate"`)
    expect(page).toContain('name="intent" value="comment"')
  })

  test('shows the national CERT the coordination link, and the cluster lead the acknowledge button', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    const analyst = await html(await get(`/incidents/${id}`, 'analyst'))
    expect(analyst).toContain(`href="/incidents/${id}/coordination/new"`)
    expect(analyst).toContain('name="transition" value="acknowledge"')
    const lead = await html(await get(`/incidents/${id}`, 'leadResponder'))
    expect(lead).toContain('name="transition" value="acknowledge"')
    expect(lead).not.toContain('name="transition" value="investigate"')
    expect(lead).toContain(`href="/incidents/${id}/escalate"`)
  })

  test('links to triage for the national CERT while triage is pending, and to the answer page when information is requested', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    await forceStatus(h, id, 'acknowledged', { escalatedAt: new Date(), escalatedBy: cast.users.ownResponder.id, triageStatus: 'pending' })
    expect(await html(await get(`/incidents/${id}`, 'analyst'))).toContain(`href="/incidents/${id}/triage"`)
    expect(await html(await get(`/incidents/${id}`, 'ownResponder'))).not.toContain(`href="/incidents/${id}/triage"`)
    await forceStatus(h, id, 'acknowledged', { triageStatus: 'info_requested' })
    expect(await html(await get(`/incidents/${id}`, 'ownResponder'))).toContain(`href="/incidents/${id}/info"`)
    expect(await html(await get(`/incidents/${id}`, 'leadResponder'))).not.toContain(`href="/incidents/${id}/info"`)
  })

  test('answers 404 to whoever may not see it, and for unknown or malformed ids', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    for (const person of ['siblingResponder', 'otherClusterResponder', 'leadReporter', 'sysadmin'] as const) {
      expect((await get(`/incidents/${id}`, person)).status).toBe(404)
      expect((await get(`/incidents/${id}/edit`, person)).status).toBe(404)
      expect((await get(`/incidents/${id}/close`, person)).status).toBe(404)
      expect((await post(`/incidents/${id}`, { intent: 'comment', body: 'x' }, person)).status).toBe(404)
    }
    expect((await get(`/incidents/${crypto.randomUUID()}`, 'ownResponder')).status).toBe(404)
    expect((await get('/incidents/not-a-uuid', 'ownResponder')).status).toBe(404)
    expect((await post('/incidents/not-a-uuid', { intent: 'transition', transition: 'acknowledge' }, 'ownResponder')).status).toBe(404)
  })

  test('a draft is not found by a colleague reporter or the cluster lead', async () => {
    const { id } = await fileIncident(await cast.as('creator'), {}, false)
    expect((await get(`/incidents/${id}`, 'creator')).status).toBe(200)
    expect((await get(`/incidents/${id}`, 'ownAdmin')).status).toBe(200)
    expect((await get(`/incidents/${id}`, 'colleague')).status).toBe(404)
    expect((await get(`/incidents/${id}`, 'leadResponder')).status).toBe(404)
  })

  test('highlights an overdue deadline', async () => {
    const sixDaysAgo = dateToLocalDateTime(new Date(Date.now() - 6 * 24 * 3600_000), 'Asia/Ho_Chi_Minh')
    const { id } = await fileIncident(await cast.as('creator'), { detectedAt: sixDaysAgo }, false)
    const page = await html(await get(`/incidents/${id}`, 'creator'))
    expect(page).toMatch(/class="badge badge--inactive" data-deadline-state="overdue">Quá hạn/)
  })

  test('TLP:RED shows its named recipients', async () => {
    const { id } = await fileIncident(await cast.as('creator'), { tlp: 'RED', recipientIds: cast.users.analyst.id })
    const page = await html(await get(`/incidents/${id}`, 'analyst'))
    expect(page).toContain('class="tlp tlp--RED"')
    expect(page).toContain(cast.users.analyst.name)
  })

  test('partner text is escaped, never markup', async () => {
    const { id } = await fileIncident(await cast.as('creator'), {
      title: '<script>alert(1)</script>',
      description: '<img src=x onerror=alert(1)>\nDòng hai',
    })
    const page = await html(await get(`/incidents/${id}`, 'creator'))
    expect(page).not.toContain('<script>alert(1)</script>')
    expect(page).not.toContain('<img src=x')
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(page).toContain('Dòng hai')
  })
})

describe('acting from the incident page', () => {
  test('the cluster lead acknowledges; the page shows the new status and the timeline entry', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    const res = await post(`/incidents/${id}`, { intent: 'transition', transition: 'acknowledge' }, 'leadResponder')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(`/incidents/${id}?done=transitioned`)
    const page = await html(await get(`/incidents/${id}`, 'creator'))
    expect(page).toContain('Đã tiếp nhận')
    expect(page).toContain('data-timeline-kind="acknowledged"')
    expect(page).toContain(cast.users.leadResponder.name)
  })

  test('an illegal step answers 409 with a message naming both statuses', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    const res = await post(`/incidents/${id}`, { intent: 'transition', transition: 'close' }, 'ownResponder')
    expect(res.status).toBe(409)
    expect(await html(res)).toContain('Không thể chuyển sự cố từ trạng thái “Mới” sang “Đã đóng”.')
    expect((await incidentRow(h, id)).status).toBe('new')
  })

  test('a step the actor may not take answers 403', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    expect((await post(`/incidents/${id}`, { intent: 'transition', transition: 'acknowledge' }, 'creator')).status).toBe(403)
    expect((await post(`/incidents/${id}`, { intent: 'assign', assignedUserId: cast.users.creator.id }, 'leadResponder')).status).toBe(403)
    expect((await post(`/incidents/${id}`, { intent: 'nonsense' }, 'ownResponder')).status).toBe(400)
  })

  test('submitting an incomplete draft from its page lists the missing fields and links to the form', async () => {
    const { id } = await fileIncident(await cast.as('creator'), { systemName: '' }, false)
    const res = await post(`/incidents/${id}`, { intent: 'transition', transition: 'submit' }, 'creator')
    expect(res.status).toBe(400)
    const page = await html(res)
    expect(page).toContain('Cần hoàn thiện các mục sau trước khi gửi báo cáo: Tên hệ thống.')
    expect(page).toContain(`href="/incidents/${id}/edit"`)
  })

  test('an internal note is marked for its organisation and absent for others', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    const res = await post(`/incidents/${id}`, { intent: 'comment', body: 'Ghi chú nội bộ: đã cô lập máy chủ', internal: 'on' }, 'ownResponder')
    expect(res.status).toBe(302)
    await post(`/incidents/${id}`, { intent: 'comment', body: 'Cụm đã nắm thông tin' }, 'leadResponder')
    const own = await html(await get(`/incidents/${id}`, 'creator'))
    expect(own).toContain('Ghi chú nội bộ: đã cô lập máy chủ')
    expect(own).toContain('Nội bộ')
    expect(own).toContain('Cụm đã nắm thông tin')
    const lead = await html(await get(`/incidents/${id}`, 'leadResponder'))
    expect(lead).not.toContain('đã cô lập máy chủ')
    expect(lead).toContain('Cụm đã nắm thông tin')
    const analyst = await html(await get(`/incidents/${id}`, 'analyst'))
    expect(analyst).not.toContain('đã cô lập máy chủ')
  })

  test('an empty comment answers 400 on the comment field', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    const res = await post(`/incidents/${id}`, { intent: 'comment', body: '' }, 'ownResponder')
    expect(res.status).toBe(400)
    expect(await html(res)).toMatch(/id="field-body-error" class="field-error">Trường này là bắt buộc\./)
  })

  test('assigning through the form shows the assignee; an assignee who cannot see it is refused with 400', async () => {
    const { id } = await fileIncident(await cast.as('creator'), { tlp: 'AMBER+STRICT' })
    const ok = await post(`/incidents/${id}`, { intent: 'assign', assignedUserId: cast.users.ownAdmin.id, respondingOrganisationId: '' }, 'ownResponder')
    expect(ok.status).toBe(302)
    expect(await html(await get(`/incidents/${id}`, 'creator'))).toContain(`Người xử lý: ${cast.users.ownAdmin.name}`)
    const refused = await post(`/incidents/${id}`, { intent: 'assign', assignedUserId: cast.users.leadResponder.id, respondingOrganisationId: '' }, 'ownResponder')
    expect(refused.status).toBe(400)
    expect(await html(refused)).toContain('Người này không được xem sự cố')
  })
})

describe('the edit page', () => {
  test('is prefilled, saves changes and names them in the timeline', async () => {
    const { id } = await fileIncident(await cast.as('creator'), { systemPublicIps: '203.0.113.10\n2001:db8::5', detectionMethods: 'logs' })
    const form = await html(await get(`/incidents/${id}/edit`, 'creator'))
    expect(form).toContain('value="Cổng thông tin điện tử bị thay đổi giao diện"')
    expect(form).toContain('203.0.113.10\n2001:db8::5')
    expect(form).toMatch(/name="detectionMethods" checked="" value="logs"/)
    expect(form).toContain('name="intent" value="save"')
    expect(form).not.toContain('name="intent" value="submit"')
    const res = await post(`/incidents/${id}/edit`, completeReport({ intent: 'save', title: 'Tiêu đề đã sửa', systemPublicIps: '203.0.113.10', detectionMethods: 'logs' }), 'creator')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(`/incidents/${id}?done=updated`)
    const page = await html(await get(`/incidents/${id}`, 'creator'))
    expect(page).toContain('Tiêu đề đã sửa')
    expect(page).toContain('Các mục đã sửa: Tiêu đề, Địa chỉ IP công khai')
  })

  test('a draft’s form can submit it', async () => {
    const { id } = await fileIncident(await cast.as('creator'), {}, false)
    const form = await html(await get(`/incidents/${id}/edit`, 'creator'))
    expect(form).toContain('name="intent" value="submit"')
    const res = await post(`/incidents/${id}/edit`, completeReport({ intent: 'submit' }), 'creator')
    expect(res.headers.get('location')).toBe(`/incidents/${id}?done=filed`)
    expect((await incidentRow(h, id)).status).toBe('new')
  })

  test('bad input keeps the values; those who may not edit get 403', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    const res = await post(`/incidents/${id}/edit`, completeReport({ intent: 'save', title: 'Giữ lại', systemDomains: 'không phải tên miền' }), 'ownResponder')
    expect(res.status).toBe(400)
    const page = await html(res)
    expect(page).toContain('value="Giữ lại"')
    expect(page).toContain('không phải tên miền')
    expect(page).toContain('Có tên miền không hợp lệ.')
    expect((await get(`/incidents/${id}/edit`, 'colleague')).status).toBe(403)
    expect((await get(`/incidents/${id}/edit`, 'leadResponder')).status).toBe(403)
    expect((await post(`/incidents/${id}/edit`, completeReport({ intent: 'save' }), 'analyst')).status).toBe(403)
  })
})

describe('the closure page (Form 04)', () => {
  test('is open only to handlers of a resolved incident', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    expect((await get(`/incidents/${id}/close`, 'ownResponder')).status).toBe(403)
    await forceStatus(h, id, 'resolved')
    expect((await get(`/incidents/${id}/close`, 'ownResponder')).status).toBe(200)
    expect((await get(`/incidents/${id}/close`, 'creator')).status).toBe(403)
    expect((await get(`/incidents/${id}/close`, 'leadResponder')).status).toBe(403)
  })

  test('closing without the report answers 400 on each field and keeps what was typed; with it, the incident closes', async () => {
    const { id, reference } = await fileIncident(await cast.as('creator'))
    await forceStatus(h, id, 'resolved')
    const page = await html(await get(`/incidents/${id}/close`, 'ownResponder'))
    expect(page).toContain(reference)
    expect(page).toContain('name="intent" value="close"')
    const refused = await post(`/incidents/${id}/close`, { intent: 'close', closureWhatHappened: 'Đã xảy ra', closureResolution: '', closurePrevention: '' }, 'ownResponder')
    expect(refused.status).toBe(400)
    const again = await html(refused)
    expect(again).toContain('Đã xảy ra')
    expect(again).toMatch(/id="field-closureResolution-error"/)
    expect((await incidentRow(h, id)).status).toBe('resolved')
    const closed = await post(
      `/incidents/${id}/close`,
      { intent: 'close', closureWhatHappened: 'Đã xảy ra', closureResolution: 'Đã xử lý', closurePrevention: 'Sẽ phòng ngừa' },
      'ownResponder',
    )
    expect(closed.status).toBe(302)
    expect(closed.headers.get('location')).toBe(`/incidents/${id}?done=closed`)
    const row = await incidentRow(h, id)
    expect(row).toMatchObject({ status: 'closed', closureResolution: 'Đã xử lý' })
    const detail = await html(await get(`/incidents/${id}`, 'creator'))
    expect(detail).toContain(`href="/incidents/${id}/form04"`)
    expect(detail).toContain('Sẽ phòng ngừa')
  })

  test('the report can be saved first and the incident closed from the detail page’s link later', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    await forceStatus(h, id, 'resolved')
    const saved = await post(`/incidents/${id}/close`, { intent: 'report', closureWhatHappened: 'A', closureResolution: 'B', closurePrevention: 'C' }, 'ownAdmin')
    expect(saved.headers.get('location')).toBe(`/incidents/${id}?done=closureReport`)
    expect((await incidentRow(h, id)).status).toBe('resolved')
    const detail = await html(await get(`/incidents/${id}`, 'ownResponder'))
    expect(detail).toContain(`href="/incidents/${id}/close"`)
    const closed = await post(`/incidents/${id}/close`, { intent: 'close', closureWhatHappened: 'A', closureResolution: 'B', closurePrevention: 'C' }, 'ownResponder')
    expect(closed.status).toBe(302)
    expect((await incidentRow(h, id)).status).toBe('closed')
  })
})
