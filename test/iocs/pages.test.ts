import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { indicators, indicatorSightings } from '../../db/schema/index.ts'
import { createIndicator } from '../../app/iocs/indicators.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { TEST_PASSWORD } from '../support/factories.ts'
import { incidentCast, type IncidentCast, type Person } from '../incidents/core-fixtures.ts'

// The indicator pages as a browser without JavaScript uses them: the list and lookup, sharing one
// (400 with the reason and the input kept on a bad value), the paste preview then save, the page
// of an indicator with its warnings, correlations and sightings — and the doors the policy shuts.

let h: Harness
let web: TestApp
let cast: IncidentCast
const cookies = {} as Record<Person, string>
const PAGE_PEOPLE = ['creator', 'ownResponder', 'siblingResponder', 'otherClusterResponder', 'sysadmin'] as const

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  cast = await incidentCast(h)
  for (const person of PAGE_PEOPLE) cookies[person] = await web.signIn(cast.users[person].email, TEST_PASSWORD)
})
afterAll(() => h.close())

const get = (path: string, person: Person) => web.request(path, { cookie: cookies[person] })
const post = (path: string, fields: Record<string, string>, person: Person) => web.request(path, { method: 'POST', body: new URLSearchParams(fields), cookie: cookies[person] })
const text = async (res: Response) => (await res.text()).replaceAll('\0', '')
const idFrom = (location: string | null) => /^\/indicators\/([0-9a-f-]{36})\?/.exec(location ?? '')?.[1] ?? ''

describe('the list and navigation', () => {
  test('staff see Indicators in the navigation; the system administrator does not', async () => {
    expect(await text(await get('/', 'creator'))).toContain('href="/indicators"')
    expect(await text(await get('/', 'sysadmin'))).not.toContain('href="/indicators"')
  })

  test('a reporter reads the list but is not offered sharing, and gets 403 on the forms', async () => {
    const page = await text(await get('/indicators', 'creator'))
    expect(page).toContain('<h1>Chỉ dấu tấn công (IOC)</h1>')
    expect(page).not.toContain('href="/indicators/new"')
    expect((await get('/indicators/new', 'creator')).status).toBe(403)
    expect((await get('/indicators/paste', 'creator')).status).toBe(403)
    expect((await post('/indicators/new', { type: 'domain', value: 'x.example.vn' }, 'creator')).status).toBe(403)
  })
})

describe('sharing one indicator', () => {
  test('a bad value answers 400 with the precise reason and keeps the input', async () => {
    const res = await post('/indicators/new', { type: 'ipv4', value: '300.1.2.3', tlp: 'GREEN', description: 'giữ lại mô tả' }, 'ownResponder')
    expect(res.status).toBe(400)
    const page = await text(res)
    expect(page).toContain('value="300.1.2.3"')
    expect(page).toContain('giữ lại mô tả')
    expect(page).toContain('Mỗi phần của địa chỉ IPv4 phải từ 0 đến 255.')
    expect(page).toContain('aria-describedby="field-value-error"')
  })

  test('a defanged value is refanged, saved once, shown defanged; markup in the description is text', async () => {
    const res = await post(
      '/indicators/new',
      { type: 'url', value: 'hxxps://login-vnpt[.]example[.]vn/portal', tlp: 'GREEN', description: '<img src=x onerror=alert(1)>', tags: 't1566, phishing' },
      'ownResponder',
    )
    expect(res.status).toBe(302)
    const id = idFrom(res.headers.get('location'))
    const [row] = await h.services.db.select().from(indicators).where(eq(indicators.id, id))
    expect(row).toMatchObject({ type: 'url', value: 'https://login-vnpt.example.vn/portal', tlp: 'GREEN', tags: ['T1566', 'phishing'] })
    const page = await text(await get(`/indicators/${id}?done=created`, 'siblingResponder'))
    expect(page).toContain('hxxps://login-vnpt[.]example[.]vn/portal')
    expect(page).not.toContain('<img src=x')
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;')
    // The same value again from the same organisation is the same indicator.
    const again = await post('/indicators/new', { type: 'url', value: 'https://login-vnpt.example.vn/portal', tlp: 'GREEN' }, 'ownResponder')
    expect(again.headers.get('location')).toBe(`/indicators/${id}?done=exists`)
  })

  test('a warninglisted value is saved with a warning on its page', async () => {
    const res = await post('/indicators/new', { type: 'ipv4', value: '8.8.8.8', tlp: 'GREEN' }, 'ownResponder')
    expect(res.status).toBe(302)
    const page = await text(await get(res.headers.get('location')!, 'ownResponder'))
    expect(page).toContain('Cảnh báo: giá trị này nằm trong danh sách “Máy chủ DNS công cộng”.')
  })
})

describe('pasting a report', () => {
  const report = ['Máy chủ C2: hxxp://c2-paste[.]evil[.]example[.]vn/gate.php', 'IP 203.0.113[.]77 và 10.1.2.3', 'Sai: 999.1.1.1', 'hxxp://c2-paste[.]evil[.]example[.]vn/gate.php'].join('\n')

  test('the preview marks every line and keeps the text; nothing is saved until "save"', async () => {
    const res = await post('/indicators/paste', { intent: 'preview', text: report, tlp: 'AMBER' }, 'ownResponder')
    expect(res.status).toBe(200)
    const page = await text(res)
    expect(page).toMatch(/Xem trước: 1 hợp lệ, 2 trong danh sách cảnh báo, 1 trùng, 1 không hợp lệ/)
    expect(page).toContain('data-status="invalid"')
    expect(page).toContain('Trùng với một dòng phía trên')
    expect(page).toContain('Máy chủ C2: hxxp://c2-paste[.]evil[.]example[.]vn/gate.php</textarea>'.split('</textarea>')[0])
    expect(page).toContain('name="intent" value="save"')
    const saved = await h.services.db.select().from(indicators).where(eq(indicators.value, 'http://c2-paste.evil.example.vn/gate.php'))
    expect(saved).toEqual([])
  })

  test('saving stores the valid and warninglisted values once; saving again adds none', async () => {
    const res = await post('/indicators/paste', { intent: 'save', text: report, tlp: 'AMBER' }, 'ownResponder')
    expect(res.status).toBe(200)
    expect(await text(res)).toContain('Đã lưu 3 chỉ dấu mới (1 trùng, 1 không hợp lệ bị bỏ qua).')
    const again = await text(await post('/indicators/paste', { intent: 'save', text: report, tlp: 'AMBER' }, 'ownResponder'))
    expect(again).toContain('Đã lưu 0 chỉ dấu mới (4 trùng, 1 không hợp lệ bị bỏ qua).')
  })

  test('an empty or oversized paste is a field error, not a crash', async () => {
    expect((await post('/indicators/paste', { intent: 'preview', text: '' }, 'ownResponder')).status).toBe(400)
    expect((await post('/indicators/paste', { intent: 'preview', text: 'a\n'.repeat(6000) }, 'ownResponder')).status).toBe(400)
  })
})

describe('an indicator’s page', () => {
  test('AMBER+STRICT stays in its organisation: others get 404 on the page and its sighting form', async () => {
    const { id } = await createIndicator(await cast.as('ownResponder'), { type: 'domain', value: 'strict-pages.evil.example.vn', tlp: 'AMBER+STRICT' })
    expect((await get(`/indicators/${id}`, 'ownResponder')).status).toBe(200)
    expect((await get(`/indicators/${id}`, 'siblingResponder')).status).toBe(404)
    expect((await post(`/indicators/${id}`, { intent: 'sight', count: '1' }, 'siblingResponder')).status).toBe(404)
    expect(await text(await get('/indicators', 'siblingResponder'))).not.toContain(id)
    expect((await get('/indicators/not-a-uuid', 'ownResponder')).status).toBe(404)
  })

  test('another province adds the same domain: both pages show the correlation; a sighting is recorded', async () => {
    const mine = await createIndicator(await cast.as('ownResponder'), { type: 'domain', value: 'shared-c2.evil.example.vn', tlp: 'GREEN' })
    const res = await post('/indicators/new', { type: 'domain', value: 'SHARED-C2.evil.example.vn.', tlp: 'GREEN' }, 'otherClusterResponder')
    const theirs = idFrom(res.headers.get('location'))
    expect(theirs).not.toBe(mine.id)
    const page = await text(await get(`/indicators/${mine.id}`, 'ownResponder'))
    expect(page).toContain('Được 2 tổ chức chia sẻ (trong số bạn được xem).')
    expect(page).toContain(`href="/indicators/${theirs}"`)

    const bad = await post(`/indicators/${theirs}`, { intent: 'sight', count: '0', note: 'giữ ghi chú' }, 'siblingResponder')
    expect(bad.status).toBe(400)
    expect(await text(bad)).toContain('value="giữ ghi chú"')
    const ok = await post(`/indicators/${theirs}`, { intent: 'sight', count: '3', note: 'Thấy trong nhật ký DNS' }, 'siblingResponder')
    expect(ok.headers.get('location')).toBe(`/indicators/${theirs}?done=sighted`)
    const sightings = await h.services.db.select().from(indicatorSightings).where(and(eq(indicatorSightings.indicatorId, theirs)))
    expect(sightings).toMatchObject([{ count: 3, note: 'Thấy trong nhật ký DNS' }])
    expect(await text(await get(`/indicators/${theirs}`, 'otherClusterResponder'))).toContain('Thấy trong nhật ký DNS')
  })

  test('lookup finds a subdomain and an address within a shared network; a bad query is a message, not a 500', async () => {
    await createIndicator(await cast.as('ownResponder'), { type: 'cidr', value: '198.51.100.0/24', tlp: 'GREEN' })
    // The listed network contains the address looked up.
    const within = await text(await get('/indicators?q=198.51.100.23', 'siblingResponder'))
    expect(within).toContain('Chứa giá trị')
    expect(within).toContain('198.51.100.0/24')
    const sub = await text(await get(`/indicators?q=${encodeURIComponent('evil.example.vn')}`, 'siblingResponder'))
    expect(sub).toContain('Tên miền con')
    const bad = await get(`/indicators?q=${encodeURIComponent('999.999.1.1')}`, 'siblingResponder')
    expect(bad.status).toBe(200)
    expect(await text(bad)).toContain('Không tra được')
  })
})
