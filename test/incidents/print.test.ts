import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { incidentAttachments } from '../../db/schema/index.ts'
import { printableIncident } from '../../app/incidents/print.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeUser, TEST_PASSWORD } from '../support/factories.ts'
import { buildMatrix, insertIncident, VIEWERS, type IncidentRow, type Matrix, type Viewer } from './fixtures-search.ts'

// Printable Form 03 (initial report) and Form 04 (closure report) of Circular 20/2017/TT-BTTTT.

let h: Harness
let m: Matrix
let web: TestApp
const cookies = {} as Record<Viewer, string>
let filed: IncidentRow
let closed: IncidentRow

beforeAll(async () => {
  h = await createHarness()
  m = await buildMatrix(h)
  web = await createTestApp(h)
  for (const v of VIEWERS) cookies[v] = await web.signIn(m.users[v].email, TEST_PASSWORD)
  const db = h.services.db
  filed = await insertIncident(db, {
    reportingOrganisationId: m.org.owner,
    createdBy: m.users.creator.id,
    title: 'Mã độc mã hóa dữ liệu tại cổng dịch vụ công',
    description: 'Máy chủ bị mã hóa lúc 02:00. <script>alert(1)</script>',
    tlp: 'AMBER',
    category: 'ransomware',
    severity: 'high',
    contactName: 'Nguyễn Thị Hoa',
    contactTitle: 'Trưởng phòng CNTT',
    contactPhone: '0912 345 678',
    contactEmail: 'hoa@example.test',
    systemName: 'Cổng dịch vụ công tỉnh',
    systemDomains: ['dichvucong.example.vn'],
    systemPublicIps: ['203.0.113.7'],
    systemLevel: 3,
    systemOwner: 'UBND tỉnh',
    systemOperator: 'Trung tâm CNTT tỉnh',
    detectionMethods: ['ids', 'logs'],
    alreadyNotified: ['national_cert'],
    environmentOs: 'Ubuntu 22.04',
    detectedAt: new Date('2026-03-01T19:00:00Z'),
    submittedAt: new Date('2026-03-02T01:00:00Z'),
  })
  await db.insert(incidentAttachments).values({
    incidentId: filed.id,
    fileName: 'nhat-ky.log',
    contentType: 'text/plain',
    size: 2048,
    sha256: 'a'.repeat(64),
    storageKey: 'test/key',
    uploadedBy: m.users.creator.id,
  })
  closed = await insertIncident(db, {
    reportingOrganisationId: m.org.owner,
    createdBy: m.users.creator.id,
    title: 'Tấn công thay đổi giao diện',
    status: 'closed',
    tlp: 'GREEN',
    submittedAt: new Date('2026-03-02T01:00:00Z'),
    resolvedAt: new Date('2026-03-05T03:00:00Z'),
    closedAt: new Date('2026-03-07T03:00:00Z'),
    closureWhatHappened: 'Kẻ tấn công khai thác lỗ hổng plugin.',
    closureResolution: 'Khôi phục từ bản sao lưu, vá plugin.',
    closurePrevention: 'Cập nhật định kỳ, giám sát toàn vẹn tệp.',
    closureSubmittedAt: new Date('2026-03-06T03:00:00Z'),
  })
})
afterAll(() => h.close())

const get = (path: string, viewer: Viewer) => web.request(path, { cookie: cookies[viewer] })

describe('who may print an incident’s forms', () => {
  test('for every role and TLP, Form 03 and Form 04 answer 200 exactly where the incident is visible, 404 elsewhere', async () => {
    for (const viewer of VIEWERS) {
      const expected = m.expectedFor(viewer)
      for (const i of m.incidents) {
        for (const form of ['form03', 'form04']) {
          const res = await get(`/incidents/${i.row.id}/${form}`, viewer)
          const want = expected.has(i.row.id) ? 200 : 404
          expect(res.status, `${viewer} ${form} ${i.label}`).toBe(want)
          const html = await res.text()
          if (want === 404) expect(html, `${viewer} ${form} ${i.label}`).not.toContain(i.row.reference)
        }
      }
    }
  })

  test('unknown and malformed ids answer 404', async () => {
    expect((await get(`/incidents/${crypto.randomUUID()}/form03`, 'analyst')).status).toBe(404)
    expect((await get('/incidents/IR-2026-000001/form03', 'analyst')).status).toBe(404)
    expect((await get(`/incidents/${crypto.randomUUID()}/form04`, 'analyst')).status).toBe(404)
  })

  test('the domain function refuses an invisible incident with not_found and returns no search text', async () => {
    const red = m.incidents.find((i) => i.label === 'RED')!.row
    await expect(printableIncident(await h.acting(m.users.ownerResponder.id), red.id)).rejects.toMatchObject({ code: 'not_found' })
    const data = await printableIncident(await h.acting(m.users.creator.id), red.id)
    expect(data.incident.reference).toBe(red.reference)
    expect(Object.keys(data.incident)).not.toContain('searchText')
  })

  test('signed-out visitors are sent to sign in', async () => {
    const res = await web.request(`/incidents/${filed.id}/form03`)
    expect(res.status).toBe(302)
  })
})

describe('Form 03 — Báo cáo ban đầu sự cố', () => {
  test('carries the official heading, the reference, the Form 03 fields and the signature blocks', async () => {
    const res = await get(`/incidents/${filed.id}/form03`, 'leadResponder')
    expect(res.status).toBe(200)
    const html = await res.text()
    for (const text of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'BÁO CÁO BAN ĐẦU SỰ CỐ',
      'Mẫu số 03 ban hành kèm theo Thông tư số 20/2017/TT-BTTTT',
      `Số: ${filed.reference}`,
      'ngày 2 tháng 3 năm 2026',
      'Nguyễn Thị Hoa',
      'Trưởng phòng CNTT',
      'Cổng dịch vụ công tỉnh',
      'dichvucong.example.vn',
      '203.0.113.7',
      'Hệ thống phát hiện xâm nhập (IDS); Kiểm tra nhật ký hệ thống',
      'Cơ quan điều phối quốc gia (VNCERT/CC)',
      'Mã hóa phần mềm, dữ liệu (ransomware)',
      'nhat-ky.log',
      'a'.repeat(64),
      'NGƯỜI BÁO CÁO',
      'THỦ TRƯỞNG ĐƠN VỊ',
      '(Ký tên, đóng dấu)',
      'TLP:AMBER',
    ]) {
      expect(html, text).toContain(text)
    }
    expect(html).toMatch(/<link rel="stylesheet" href="[^"]*print-forms[^"]*\.css"/)
  })

  test('partner text is printed as text, never as markup', async () => {
    const html = await (await get(`/incidents/${filed.id}/form03`, 'ownerResponder')).text()
    expect(html).not.toContain('<script>alert(1)</script>')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  test('in English the Vietnamese heading stays, with the English beneath', async () => {
    const english = await makeUser(h.services.db, m.org.owner, 'responder', { locale: 'en' })
    const cookie = await web.signIn(english.email, TEST_PASSWORD)
    const html = await (await web.request(`/incidents/${filed.id}/form03`, { cookie })).text()
    expect(html).toContain('BÁO CÁO BAN ĐẦU SỰ CỐ')
    expect(html).toContain('INITIAL INCIDENT REPORT')
    expect(html).toContain('Form 03 of Circular 20/2017/TT-BTTTT')
    expect(html).toContain('Reporting organisation and contact')
    expect(html).toContain('HEAD OF THE ORGANISATION')
  })
})

describe('Form 04 — Báo cáo kết thúc ứng phó sự cố', () => {
  test('names the initial report by reference and date and carries the closure report and signatures', async () => {
    const html = await (await get(`/incidents/${closed.id}/form04`, 'siblingResponder')).text()
    for (const text of [
      'BÁO CÁO KẾT THÚC ỨNG PHÓ SỰ CỐ',
      'Mẫu số 04 ban hành kèm theo Thông tư số 20/2017/TT-BTTTT',
      'Số hiệu báo cáo ban đầu',
      closed.reference,
      'Ngày gửi báo cáo ban đầu',
      '2 thg 3, 2026',
      'Kẻ tấn công khai thác lỗ hổng plugin.',
      'Khôi phục từ bản sao lưu, vá plugin.',
      'Cập nhật định kỳ, giám sát toàn vẹn tệp.',
      'ngày 6 tháng 3 năm 2026',
      'NGƯỜI BÁO CÁO',
      'THỦ TRƯỞNG ĐƠN VỊ',
    ]) {
      expect(html, text).toContain(text)
    }
    expect(html).not.toContain('Báo cáo kết thúc chưa được nộp')
  })

  test('before the closure report is submitted, the form says so and leaves room to write', async () => {
    const html = await (await get(`/incidents/${filed.id}/form04`, 'ownerResponder')).text()
    expect(html).toContain('Báo cáo kết thúc chưa được nộp trên hệ thống')
    expect(html).toContain('print-form__blank')
  })
})
