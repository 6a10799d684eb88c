import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { indicatorImports, indicators } from '../../db/schema/index.ts'
import { runImport } from '../../app/iocs/imports.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { TEST_PASSWORD } from '../support/factories.ts'
import { incidentCast, type IncidentCast, type Person } from '../incidents/core-fixtures.ts'

// The import pages as a browser without JavaScript uses them: upload a file → its preview →
// confirm → a self-refreshing progress bar → the summary; a bad upload keeps the typed fields;
// other organisations and reporters meet closed doors.

let h: Harness
let web: TestApp
let cast: IncidentCast
const cookies = {} as Record<Person, string>
const PAGE_PEOPLE = ['creator', 'ownResponder', 'siblingResponder'] as const

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  cast = await incidentCast(h)
  for (const person of PAGE_PEOPLE) cookies[person] = await web.signIn(cast.users[person].email, TEST_PASSWORD)
})
afterAll(() => h.close())

const text = async (res: Response) => (await res.text()).replaceAll('\0', '')
function upload(person: Person, fields: Record<string, string>, file?: { name: string; content: string }) {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.append(k, v)
  if (file) form.append('file', new Blob([file.content], { type: 'text/plain' }), file.name)
  return web.request('/indicators/import', { method: 'POST', body: form, cookie: cookies[person] })
}

describe('importing a file', () => {
  test('upload → preview → confirm → progress → summary', async () => {
    const report = ['c2[.]import-page[.]vn', 'hxxp://import-page[.]vn/gate', '10.0.0.9', '999.1.1.1', 'c2.import-page.vn'].join('\n')
    const res = await upload('ownResponder', { tlp: 'GREEN', format: 'auto' }, { name: 'bao-cao.txt', content: report })
    expect(res.status).toBe(302)
    const location = res.headers.get('location') ?? ''
    expect(location).toMatch(/^\/indicators\/imports\/[0-9a-f-]{36}$/)
    const id = location.split('/').pop()!

    const preview = await text(await web.request(location, { cookie: cookies.ownResponder }))
    expect(preview).toContain('bao-cao.txt')
    expect(preview).toContain('data-status="invalid"')
    expect(preview).toContain('data-status="warninglisted"')
    expect(preview).toContain('c2[.]import-page[.]vn')
    expect(preview).toContain('name="intent" value="queue"')
    expect(preview).not.toContain('http-equiv="refresh"')

    // Another organisation's analyst meets a 404; a reporter may not upload at all.
    expect((await web.request(location, { cookie: cookies.siblingResponder })).status).toBe(404)
    expect((await web.request('/indicators/import', { cookie: cookies.creator })).status).toBe(403)

    const confirmed = await web.request(location, { method: 'POST', body: new URLSearchParams({ intent: 'queue' }), cookie: cookies.ownResponder })
    expect(confirmed.status).toBe(302)
    const queued = await text(await web.request(location, { cookie: cookies.ownResponder }))
    expect(queued).toMatch(/<progress id="import-progress" max="5" value="0"/)
    expect(queued).toContain('http-equiv="refresh"')

    await runImport(h.services, id)
    const done = await text(await web.request(location, { cookie: cookies.ownResponder }))
    expect(done).not.toContain('http-equiv="refresh"')
    expect(done).toMatch(/data-count="created">3</)
    expect(done).toMatch(/data-count="duplicate">1</)
    expect(done).toMatch(/data-count="invalid">1</)
    const [row] = await h.services.db.select().from(indicatorImports).where(eq(indicatorImports.id, id))
    expect(row!.status).toBe('done')
    expect((await h.services.db.select().from(indicators).where(eq(indicators.value, 'c2.import-page.vn')))[0]!.tlp).toBe('GREEN')

    const list = await text(await web.request('/indicators/import', { cookie: cookies.ownResponder }))
    expect(list).toContain(`href="/indicators/imports/${id}"`)
  })

  test('an upload with nothing in it answers 400 and keeps the typed fields', async () => {
    const res = await upload('ownResponder', { tlp: 'RED', tags: 'giữ-lại', content: '' })
    expect(res.status).toBe(400)
    const html = await text(res)
    expect(html).toContain('Hãy chọn một tệp hoặc dán nội dung.')
    expect(html).toContain('value="giữ-lại"')
  })

  test('a draft can be discarded', async () => {
    const res = await upload('ownResponder', { content: '203.0.113.77' })
    const location = res.headers.get('location') ?? ''
    const discarded = await web.request(location, { method: 'POST', body: new URLSearchParams({ intent: 'discard' }), cookie: cookies.ownResponder })
    expect(discarded.headers.get('location')).toBe('/indicators/import?done=discarded')
    expect((await web.request(location, { cookie: cookies.ownResponder })).status).toBe(404)
  })
})
