import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { clusterMembers, clusters, contactPoints, organisations } from '../../db/schema/index.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeCluster, makeOrganisation, TEST_PASSWORD } from '../support/factories.ts'
import { castOf, type Cast, type Person } from './fixtures.ts'

let h: Harness
let web: TestApp
let cast: Cast
const cookies = {} as Record<Person, string>

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  cast = await castOf(h)
  for (const person of ['reporter', 'ownAdmin', 'responder', 'sysadmin', 'certAdmin'] as const) {
    cookies[person] = await web.signIn(cast.users[person].email, TEST_PASSWORD)
  }
})
afterAll(() => h.close())

const get = (path: string, person: Person) => web.request(path, { cookie: cookies[person] })
const post = (path: string, fields: Record<string, string>, person: Person) => web.postForm(path, fields, cookies[person])

describe('the directory and organisation pages', () => {
  test('a reporter sees the directory, with the national CERT and the Cluster 3 lead badge', async () => {
    const res = await get('/organisations', 'reporter')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('VNCERT/CC')
    expect(html).toContain('Cụm trưởng')
    expect(html).not.toContain('href="/organisations/new"')
  })

  test('the directory search filters by name and ignores a kind outside the allowlist', async () => {
    const html = await (await get('/organisations?q=H%E1%BA%A3i+D%C6%B0%C6%A1ng&kind=everything', 'reporter')).text()
    expect(html).toContain('Sở TT&amp;TT Hải Dương')
    expect(html).not.toContain('Sở TT&amp;TT Nam Định')
  })

  test('a reporter reads an organisation page without any administration form', async () => {
    const res = await get(`/organisations/${h.orgIds.get('vncert')}`, 'reporter')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('ir@vncert.vn')
    expect(html).not.toContain('name="intent"')
  })

  test('an organisation admin gets the contact form for their own organisation only', async () => {
    const own = await (await get(`/organisations/${cast.ownOrgId}`, 'ownAdmin')).text()
    expect(own).toContain('value="addContact"')
    expect(own).not.toContain('value="update"')
    const other = await (await get(`/organisations/${cast.otherOrgId}`, 'ownAdmin')).text()
    expect(other).not.toContain('value="addContact"')
  })

  test('a sysadmin gets the edit, deactivate and merge forms', async () => {
    const html = await (await get(`/organisations/${cast.otherOrgId}`, 'sysadmin')).text()
    for (const intent of ['update', 'deactivate', 'merge', 'addContact']) expect(html).toContain(`value="${intent}"`)
  })

  test('unknown and malformed ids answer 404', async () => {
    expect((await get(`/organisations/${crypto.randomUUID()}`, 'reporter')).status).toBe(404)
    expect((await get('/organisations/not-a-uuid', 'reporter')).status).toBe(404)
    expect((await get(`/clusters/${crypto.randomUUID()}`, 'reporter')).status).toBe(404)
    expect((await get('/clusters/cum-3', 'reporter')).status).toBe(404)
    expect((await post(`/organisations/${crypto.randomUUID()}`, { intent: 'deactivate' }, 'sysadmin')).status).toBe(404)
  })

  test('signed-out visitors are sent to sign in', async () => {
    const res = await web.request('/organisations')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toMatch(/^\/login\?redirectTo=/)
  })
})

describe('administration through the pages', () => {
  test('a non-admin POST to an admin action is refused with 403 and changes nothing', async () => {
    const orgPath = `/organisations/${cast.ownOrgId}`
    expect((await post(orgPath, { intent: 'update', nameVi: 'Đổi', nameEn: 'Changed', shortName: 'X' }, 'ownAdmin')).status).toBe(403)
    expect((await post(orgPath, { intent: 'deactivate' }, 'reporter')).status).toBe(403)
    expect((await post(orgPath, { intent: 'merge', targetId: cast.otherOrgId }, 'ownAdmin')).status).toBe(403)
    expect((await post(`/organisations/${cast.otherOrgId}`, { intent: 'addContact', contactName: 'X', contactEmail: 'x@example.vn' }, 'ownAdmin')).status).toBe(403)
    expect((await post('/organisations/new', { slug: 'moi', kind: 'member', nameVi: 'Mới', nameEn: 'New', shortName: 'Mới' }, 'ownAdmin')).status).toBe(403)
    expect((await get('/organisations/new', 'reporter')).status).toBe(403)
    const cum3 = `/clusters/${await clusterId('cum-3')}`
    expect((await post(cum3, { intent: 'addMember', memberOrganisationId: cast.ownOrgId, since: '2025-01-01' }, 'responder')).status).toBe(403)
    expect((await post('/clusters/new', { code: 'cum-x', nameVi: 'X', nameEn: 'X' }, 'ownAdmin')).status).toBe(403)
    expect((await get('/clusters/new', 'ownAdmin')).status).toBe(403)
    const [own] = await h.services.db.select().from(organisations).where(eq(organisations.id, cast.ownOrgId))
    expect(own!.active).toBe(true)
    expect(await h.services.db.select().from(clusterMembers).where(eq(clusterMembers.organisationId, cast.ownOrgId))).toEqual([])
  })

  test('bad input re-renders the form with 400, the field error and the values kept', async () => {
    const res = await post(
      '/organisations/new',
      { slug: 'Sở Mới', kind: 'member', nameVi: 'Sở Khoa học và Công nghệ Mới', nameEn: '', shortName: 'Sở KH&CN Mới' },
      'sysadmin',
    )
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('value="Sở Khoa học và Công nghệ Mới"')
    expect(html).toContain('value="Sở KH&amp;CN Mới"')
    expect(html).toMatch(/id="field-slug"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="field-slug"/)
    expect(html).toContain('Chỉ dùng chữ thường không dấu')
  })

  test('a slug in use re-renders with 409 and the message on the slug field', async () => {
    const res = await post('/organisations/new', { slug: 'vncert', kind: 'member', nameVi: 'Trùng', nameEn: 'Duplicate', shortName: 'Trùng' }, 'sysadmin')
    expect(res.status).toBe(409)
    expect(await res.text()).toContain('Mã định danh này đã được dùng cho một tổ chức khác.')
  })

  test('a sysadmin creates an organisation and lands on its page', async () => {
    const res = await post('/organisations/new', { slug: 'so-khcn-moi', kind: 'member', nameVi: 'Sở KH&CN Mới', nameEn: 'New DOST', shortName: 'KH&CN Mới' }, 'sysadmin')
    expect(res.status).toBe(302)
    const location = res.headers.get('location')!
    expect(location).toMatch(/^\/organisations\/[0-9a-f-]{36}\?done=created$/)
    const page = await (await get(location, 'sysadmin')).text()
    expect(page).toContain('Đã tạo tổ chức.')
    expect(page).toContain('Thành lập')
  })

  test('merging into itself re-renders the merge form with the error on the target field', async () => {
    const res = await post(`/organisations/${cast.otherOrgId}`, { intent: 'merge', targetId: cast.otherOrgId }, 'sysadmin')
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('Không thể sáp nhập một tổ chức vào chính nó.')
  })

  test('an organisation admin adds a contact point through the page, and a bad one is kept for correction', async () => {
    const path = `/organisations/${cast.ownOrgId}`
    const bad = await post(path, { intent: 'addContact', contactName: 'Trực ban ứng cứu', contactEmail: '' }, 'ownAdmin')
    expect(bad.status).toBe(400)
    const html = await bad.text()
    expect(html).toContain('value="Trực ban ứng cứu"')
    expect(html).toContain('Cần ít nhất thư điện tử hoặc số điện thoại.')
    const ok = await post(path, { intent: 'addContact', contactName: 'Trực ban ứng cứu', contactPhone: '0243 123 4567', contact24x7: 'on' }, 'ownAdmin')
    expect(ok.status).toBe(302)
    const rows = await h.services.db.select().from(contactPoints).where(eq(contactPoints.organisationId, cast.ownOrgId))
    expect(rows).toEqual([expect.objectContaining({ name: 'Trực ban ứng cứu', available24x7: true })])
  })

  test('an overlapping term assigned through the cluster page is shown as a 409 field error', async () => {
    const [a, b] = [await makeOrganisation(h.services.db), await makeOrganisation(h.services.db)]
    const cluster = await makeCluster(h.services.db, { members: [a.id, b.id], lead: a.id, termStart: '2020-01-01', termEnd: '2999-12-31' })
    const res = await post(
      `/clusters/${cluster.id}`,
      { intent: 'assignOfficer', officerOrganisationId: b.id, role: 'lead', termStart: '2026-01-01', termEnd: '2026-12-31' },
      'certAdmin',
    )
    expect(res.status).toBe(409)
    const html = await res.text()
    expect(html).toContain('Nhiệm kỳ trùng với một nhiệm kỳ khác của cùng vai trò trong cụm.')
    expect(html).toContain('value="2026-12-31"')
  })

  test('the cluster list shows the current lead to every member, and management only to managers', async () => {
    const html = await (await get('/clusters', 'reporter')).text()
    expect(html).toContain('Sở TT&amp;TT Nam Định')
    expect(html).not.toContain('href="/clusters/new"')
    expect(await (await get('/clusters', 'certAdmin')).text()).toContain('href="/clusters/new"')
    const page = await (await get(`/clusters/${await clusterId('cum-3')}`, 'reporter')).text()
    expect(page).toContain('Sở TT&amp;TT Hải Dương')
    expect(page).not.toContain('value="assignOfficer"')
  })
})

async function clusterId(code: string) {
  const [row] = await h.services.db.select({ id: clusters.id }).from(clusters).where(eq(clusters.code, code))
  return row!.id
}
