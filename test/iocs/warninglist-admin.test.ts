import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createIndicator, getIndicator, previewPaste } from '../../app/iocs/indicators.server.ts'
import { createWarninglist, listWarninglists, setWarninglistActive } from '../../app/iocs/warninglists.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { TEST_PASSWORD } from '../support/factories.ts'
import { expectDomainError, incidentCast, type IncidentCast } from '../incidents/core-fixtures.ts'

// Warninglists added by administrators: who may add them, that values are checked and made
// canonical, that a match warns on preview, on create and on the indicator (never blocks), and
// that switching a list off takes effect at once.

let h: Harness
let web: TestApp
let cast: IncidentCast

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  cast = await incidentCast(h)
})
afterAll(() => h.close())

describe('administrators’ warninglists', () => {
  test('the national CERT’s analysts and the sysadmin may add lists; members may not', async () => {
    for (const person of ['creator', 'ownResponder', 'ownAdmin', 'leadResponder'] as const) {
      await expectDomainError(createWarninglist(await cast.as(person), { name: 'x', match: 'exact', values: 'a.example.vn' }), 'forbidden')
      await expectDomainError(listWarninglists(await cast.as(person)), 'forbidden')
    }
    const lists = await listWarninglists(await cast.as('sysadmin'))
    expect(lists.builtin.map((l) => l.id)).toContain('public-resolvers')
  })

  test('bad lines are reported by number and nothing is saved; values are stored canonical', async () => {
    const analyst = await cast.as('analyst')
    const error = await expectDomainError(createWarninglist(analyst, { name: 'Cổng thư các Sở', match: 'cidr', values: '203.0.113.0/24\nkhông phải IP\n198.51.100.7' }), 'validation')
    expect(error.details.fieldErrors).toEqual({ values: ['iocs.warninglistAdmin.badLines'] })
    expect((error.details as { fieldParams?: unknown }).fieldParams).toEqual({ values: { lines: '2' } })
    const made = await createWarninglist(analyst, { name: 'Cổng thư các Sở', match: 'cidr', values: '# cổng thư\n203.0.113.0/24\n198.51.100.7' })
    expect(made.values).toBe(2)
    await expectDomainError(createWarninglist(analyst, { name: 'cổng thư các sở', match: 'exact', values: 'x.example.vn' }), 'validation')
  })

  test('a match warns on preview, on create and on the indicator; switched off, it stops', async () => {
    const analyst = await cast.as('analyst')
    const { id: listId } = await createWarninglist(analyst, { name: 'Hộp thư công vụ', match: 'hostname', values: 'MAIL.Gov-Test.example.vn.' })
    const responder = await cast.as('ownResponder')
    const lines = await previewPaste(responder, { text: 'smtp.mail.gov-test.example.vn' })
    expect(lines[0]).toMatchObject({ status: 'warninglisted', warninglists: [listId] })
    const made = await createIndicator(responder, { type: 'domain', value: 'relay.mail.gov-test.example.vn', tlp: 'GREEN' })
    expect(made).toMatchObject({ created: true, warninglists: [listId] })
    const page = await getIndicator(responder, made.id)
    expect(page.warninglists).toEqual([listId])
    expect(page.warninglistNames[listId]).toBe('Hộp thư công vụ')
    await setWarninglistActive(analyst, listId, false)
    expect((await previewPaste(responder, { text: 'smtp.mail.gov-test.example.vn' }))[0]).toMatchObject({ status: 'valid', warninglists: [] })
    await expectDomainError(setWarninglistActive(analyst, 'nope', true), 'not_found')
  })

  test('the page: the form re-renders with the bad line numbers and the input; a member gets 403', async () => {
    const cookie = await web.signIn(cast.users.analyst.email, TEST_PASSWORD)
    const bad = await web.request('/admin/warninglists', { method: 'POST', body: new URLSearchParams({ intent: 'create', name: 'Danh sách thử', match: 'exact', values: 'ok.example.vn\n???' }), cookie })
    expect(bad.status).toBe(400)
    const page = (await bad.text()).replaceAll('\0', '')
    expect(page).toContain('Các dòng sau không hợp lệ với cách so khớp đã chọn: 2.')
    expect(page).toContain('value="Danh sách thử"')
    const ok = await web.request('/admin/warninglists', { method: 'POST', body: new URLSearchParams({ intent: 'create', name: 'Danh sách thử', match: 'exact', values: 'ok.example.vn' }), cookie })
    expect(ok.headers.get('location')).toBe('/admin/warninglists?done=created')
    expect(await (await web.request('/indicators', { cookie })).text()).toContain('href="/admin/warninglists"')
    const member = await web.signIn(cast.users.ownResponder.email, TEST_PASSWORD)
    expect((await web.request('/admin/warninglists', { cookie: member })).status).toBe(403)
  })
})
