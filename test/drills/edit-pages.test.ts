import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { TEST_PASSWORD } from '../support/factories.ts'
import { drillCast, drillEvents, drillForm, drillRow, publishedDrill, type DrillCast, type Person } from './fixtures.ts'

// The edit page and the list's filters as a browser without JavaScript uses them.

let h: Harness
let web: TestApp
let cast: DrillCast
const cookies = {} as Record<Person, string>
const PAGE_PEOPLE = ['leadResponder', 'memberReporter'] as const

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  cast = await drillCast(h)
  for (const person of PAGE_PEOPLE) cookies[person] = await web.signIn(cast.users[person].email, TEST_PASSWORD)
})
afterAll(() => h.close())

const get = (path: string, person: Person) => web.request(path, { cookie: cookies[person] })
const post = (path: string, fields: Record<string, string | string[]>, person: Person) => {
  const body = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(name, v)
  return web.request(path, { method: 'POST', body, cookie: cookies[person] })
}

describe('editing a drill on the page', () => {
  test('the organiser gets the form filled in; a published drill’s fixed fields travel as hidden inputs; a member gets 403', async () => {
    const form = drillForm(h.services.now(), { clusterId: cast.clusterId, title: 'Diễn tập cần sửa' })
    const id = await publishedDrill(await h.acting(cast.users.leadResponder.id), form)
    const detail = await (await get(`/drills/${id}`, 'leadResponder')).text()
    expect(detail).toContain(`href="/drills/${id}/edit"`)
    expect(await (await get(`/drills/${id}`, 'memberReporter')).text()).not.toContain(`/drills/${id}/edit`)
    const res = await get(`/drills/${id}/edit`, 'leadResponder')
    expect(res.status).toBe(200)
    const page = (await res.text()).replaceAll('\0', '')
    expect(page).toContain('value="Diễn tập cần sửa"')
    expect(page).toContain(`value="${form.sessionStarts as string}"`)
    expect(page).toContain('type="hidden" name="tlp" value="GREEN"')
    expect(page).toContain('Đã công bố: hình thức, cấp, nhãn TLP và đơn vị được mời không thay đổi được.')
    expect((await get(`/drills/${id}/edit`, 'memberReporter')).status).toBe(403)
  })

  test('bad input re-renders with the errors and the user’s values; a good change of time redirects and tells registrants', async () => {
    const form = drillForm(h.services.now(), { clusterId: cast.clusterId, title: 'Diễn tập dời lịch' })
    const id = await publishedDrill(await h.acting(cast.users.leadResponder.id), form)
    await post(`/drills/${id}`, { intent: 'signUp', role: 'participant' }, 'memberReporter')
    const bad = await post(`/drills/${id}/edit`, { ...form, title: 'Tên mới giữ lại', capacity: '0' }, 'leadResponder')
    expect(bad.status).toBe(400)
    const page = (await bad.text()).replaceAll('\0', '')
    expect(page).toContain('value="Tên mới giữ lại"')
    expect(page).toContain('aria-describedby="field-capacity-error"')
    expect((await drillRow(h, id))!.title).toBe('Diễn tập dời lịch')

    const moved = (form.sessionStarts as string).replace(/T\d\d:/, 'T15:')
    const movedEnd = (form.sessionStarts as string).replace(/T\d\d:/, 'T18:')
    const ok = await post(`/drills/${id}/edit`, { ...form, sessionStarts: moved, sessionEnds: movedEnd }, 'leadResponder')
    expect(ok.status).toBe(302)
    expect(ok.headers.get('location')).toBe(`/drills/${id}?done=rescheduled`)
    expect((await drillRow(h, id))!.sequence).toBe(1)
    expect(await drillEvents(h, id, 'drill.rescheduled')).toHaveLength(1)
    // A forged change of a fixed field is refused with a message, not saved.
    const forged = await post(`/drills/${id}/edit`, { ...form, tlp: 'AMBER+STRICT' }, 'leadResponder')
    expect(forged.status).toBe(400)
    expect((await drillRow(h, id))!.tlp).toBe('GREEN')
  })
})

describe('the list’s filters', () => {
  test('a GET form; the kind filter narrows the list and unknown values are ignored', async () => {
    const id = await publishedDrill(await h.acting(cast.users.leadResponder.id), drillForm(h.services.now(), { clusterId: cast.clusterId, kind: 'ctf', title: 'CTF lọc' }))
    const all = await (await get('/drills', 'memberReporter')).text()
    expect(all).toContain('<form method="get"')
    expect(all).toContain(`href="/drills/${id}"`)
    expect(await (await get('/drills?kind=training', 'memberReporter')).text()).not.toContain(`href="/drills/${id}"`)
    expect(await (await get('/drills?kind=ctf', 'memberReporter')).text()).toContain(`href="/drills/${id}"`)
    const odd = await get("/drills?kind=%27%3B%20drop&year=99999&status=%00", 'memberReporter')
    expect(odd.status).toBe(200)
  })
})
