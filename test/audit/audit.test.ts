import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog } from '../../db/schema/index.ts'
import { listAuditEntries, recordAudit, searchAuditLog, startOfDayInZone } from '../../app/audit/audit.server.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import { DomainError } from '../../app/lib/errors.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeUser, TEST_PASSWORD } from '../support/factories.ts'

// Who reads which part of the trail, and the viewer's filters. Entries are written with
// action names unique to this file, so the filters can be checked exactly.

let h: Harness
let web: TestApp
let quangNinh: string
let namDinh: string
const as: Record<string, ActingContext> = {}
const cookie: Record<string, string> = {}
const ZONE = 'Asia/Ho_Chi_Minh'

beforeAll(async () => {
  h = await createHarness()
  web = await createTestApp(h)
  const db = h.services.db
  quangNinh = h.orgIds.get('so-tttt-quang-ninh')!
  namDinh = h.orgIds.get('so-tttt-nam-dinh')!
  const vncert = h.orgIds.get('vncert')!
  for (const [name, org, role] of [
    ['reporter', quangNinh, 'reporter'],
    ['orgAdmin', quangNinh, 'org_admin'],
    ['otherAdmin', namDinh, 'org_admin'],
    ['analyst', vncert, 'cert_analyst'],
    ['sysadmin', vncert, 'sysadmin'],
  ] as const) {
    const user = await makeUser(db, org, role, { name: `Kiểm toán ${name}` })
    as[name] = await h.acting(user.id)
    cookie[name] = await web.signIn(user.email, TEST_PASSWORD)
  }
  const by = (who: string) => ({ actorUserId: as[who]!.actor.userId, actorOrganisationId: as[who]!.actor.organisationId, ip: '192.0.2.44' })
  // By Quảng Ninh on Quảng Ninh; by Nam Định on Quảng Ninh; by Nam Định on Nam Định; by the system.
  await recordAudit(db, by('orgAdmin'), { action: 'zz.own.edit', objectType: 'organisation', objectId: quangNinh, objectOrganisationId: quangNinh })
  await recordAudit(db, by('otherAdmin'), { action: 'zz.on-us.share', objectType: 'incident', objectId: 'inc-1', objectOrganisationId: quangNinh })
  await recordAudit(db, by('otherAdmin'), { action: 'zz.theirs.edit', objectType: 'organisation', objectId: namDinh, objectOrganisationId: namDinh })
  await recordAudit(db, { actorUserId: null, actorOrganisationId: null, ip: null }, { action: 'zz.system.cleanup', objectType: 'session' })
  // Around local midnight of 10 March 2025 in Hanoi (UTC+7).
  await db.insert(auditLog).values([
    { at: new Date('2025-03-09T16:30:00Z'), action: 'zz.range.before', objectType: 'probe' }, // 9 March 23:30 local
    { at: new Date('2025-03-09T17:30:00Z'), action: 'zz.range.inside', objectType: 'probe' }, // 10 March 00:30 local
    { at: new Date('2025-03-10T16:59:00Z'), action: 'zz.range.late', objectType: 'probe' }, // 10 March 23:59 local
    { at: new Date('2025-03-10T17:30:00Z'), action: 'zz.range.after', objectType: 'probe' }, // 11 March 00:30 local
  ])
})
afterAll(() => h.close())

const actions = (list: { action: string }[]) => list.map((e) => e.action).filter((a) => a.startsWith('zz.'))

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DomainError)
  return error as DomainError
}

describe('who reads the trail', () => {
  test('an organisation admin sees entries by or on their organisation, and nothing else', async () => {
    const { entries } = await listAuditEntries(as.orgAdmin!, { action: 'zz.', limit: 200 })
    expect(actions(entries).sort()).toEqual(['zz.on-us.share', 'zz.own.edit'])
  })

  test('another organisation’s admin sees their own acts, including the one on Quảng Ninh', async () => {
    const { entries } = await listAuditEntries(as.otherAdmin!, { action: 'zz.', limit: 200 })
    expect(actions(entries).sort()).toEqual(['zz.on-us.share', 'zz.theirs.edit'])
  })

  test('a sysadmin sees everything, system entries included', async () => {
    const { entries } = await listAuditEntries(as.sysadmin!, { action: 'zz.', limit: 200 })
    expect(actions(entries)).toEqual(expect.arrayContaining(['zz.own.edit', 'zz.on-us.share', 'zz.theirs.edit', 'zz.system.cleanup']))
  })

  test.each(['reporter', 'analyst'])('a %s may not read the trail', async (who) => {
    expect((await refusal(listAuditEntries(as[who]!, {}))).code).toBe('forbidden')
    // The right is checked before the query is read, so a bad filter does not turn 403 into 400.
    expect((await refusal(searchAuditLog(as[who]!, { from: 'yesterday' }, ZONE))).code).toBe('forbidden')
  })

  test('entries name the actor and both organisations', async () => {
    const { entries } = await listAuditEntries(as.orgAdmin!, { action: 'zz.on-us' })
    expect(entries[0]).toMatchObject({
      actorName: 'Kiểm toán otherAdmin',
      actorOrganisationName: 'Sở TT&TT Nam Định',
      objectOrganisationName: 'Sở TT&TT Quảng Ninh',
      sourceIp: '192.0.2.44',
    })
  })
})

describe('filters', () => {
  test('the action filter is a prefix, and its wildcards are taken literally', async () => {
    expect(actions((await listAuditEntries(as.sysadmin!, { action: 'zz.own' })).entries)).toEqual(['zz.own.edit'])
    expect((await listAuditEntries(as.sysadmin!, { action: 'zz.%' })).entries).toEqual([])
    expect((await listAuditEntries(as.sysadmin!, { action: 'zz._wn' })).entries).toEqual([])
  })

  test('object type and organisation (by or on it) narrow the list', async () => {
    const incidents = await searchAuditLog(as.sysadmin!, { action: 'zz.', objectType: 'incident' }, ZONE)
    expect(actions(incidents.entries)).toEqual(['zz.on-us.share'])
    const quangNinhOnes = await searchAuditLog(as.sysadmin!, { action: 'zz.', organisationId: quangNinh }, ZONE)
    expect(actions(quangNinhOnes.entries).sort()).toEqual(['zz.on-us.share', 'zz.own.edit'])
  })

  test('dates are whole days in the viewer’s zone, "to" included', async () => {
    const oneDay = await searchAuditLog(as.sysadmin!, { action: 'zz.range', from: '2025-03-10', to: '2025-03-10' }, ZONE)
    expect(actions(oneDay.entries).sort()).toEqual(['zz.range.inside', 'zz.range.late'])
    const fromOnly = await searchAuditLog(as.sysadmin!, { action: 'zz.range', from: '2025-03-11' }, ZONE)
    expect(actions(fromOnly.entries)).toEqual(['zz.range.after'])
    const toOnly = await searchAuditLog(as.sysadmin!, { action: 'zz.range', to: '2025-03-09' }, ZONE)
    expect(actions(toOnly.entries)).toEqual(['zz.range.before'])
  })

  test('a local day starts at the zone’s midnight, across daylight-saving changes too', () => {
    expect(startOfDayInZone('2025-03-10', ZONE).toISOString()).toBe('2025-03-09T17:00:00.000Z')
    expect(startOfDayInZone('2025-03-30', 'Europe/Paris').toISOString()).toBe('2025-03-29T23:00:00.000Z')
    expect(startOfDayInZone('2025-03-31', 'Europe/Paris').toISOString()).toBe('2025-03-30T22:00:00.000Z')
    expect(startOfDayInZone('2025-03-10', 'UTC').toISOString()).toBe('2025-03-10T00:00:00.000Z')
  })

  test.each([
    [{ from: '2025-02-30' }, ['from']],
    [{ to: '10/03/2025' }, ['to']],
    [{ from: '2025-03-11', to: '2025-03-10' }, ['to']],
    [{ organisationId: 'quang-ninh' }, ['organisationId']],
    [{ before: '-4' }, ['before']],
  ])('bad input %j is a validation error on %j', async (query, fields) => {
    const error = await refusal(searchAuditLog(as.sysadmin!, query, ZONE))
    expect(error.code).toBe('validation')
    expect(Object.keys(error.details.fieldErrors!)).toEqual(fields)
  })

  test('"older entries" pages by id, newest first, with no overlap', async () => {
    const first = await listAuditEntries(as.sysadmin!, { action: 'zz.range', limit: 3 })
    expect(actions(first.entries)).toEqual(['zz.range.after', 'zz.range.late', 'zz.range.inside'])
    expect(first.nextBefore).toBe(first.entries[2]!.id)
    const older = await searchAuditLog(as.sysadmin!, { action: 'zz.range', before: String(first.nextBefore) }, ZONE)
    expect(actions(older.entries)).toEqual(['zz.range.before'])
    expect(older.nextBefore).toBeUndefined()
  })
})

describe('the audit page', () => {
  test('an organisation admin sees their organisation’s entries and not another’s', async () => {
    const res = await web.request('/admin/audit?action=zz.', { cookie: cookie.orgAdmin })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('zz.own.edit')
    expect(html).toContain('zz.on-us.share')
    expect(html).not.toContain('zz.theirs.edit')
    expect(html).not.toContain('zz.system.cleanup')
    // No organisation filter for an organisation admin: there is nothing else to pick.
    expect(html).not.toContain('name="organisationId"')
  })

  test('times are shown in the viewer’s zone', async () => {
    const res = await web.request('/admin/audit?action=zz.range.inside', { cookie: cookie.sysadmin })
    const html = await res.text()
    expect(html).toContain('dateTime="2025-03-09T17:30:00.000Z"')
    expect(html).toMatch(/10 thg 3, 2025|10\/03\/2025|10 tháng 3, 2025/)
    expect(html).toContain('00:30')
  })

  test.each(['reporter', 'analyst'])('a %s gets 403', async (who) => {
    expect((await web.request('/admin/audit', { cookie: cookie[who] })).status).toBe(403)
    expect((await web.request('/admin/audit?from=garbage', { cookie: cookie[who] })).status).toBe(403)
  })

  test('a bad date is a field error on a 400 page, with the filters kept', async () => {
    const res = await web.request('/admin/audit?action=zz.&from=2025-13-01', { cookie: cookie.sysadmin })
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('id="field-from-error"')
    expect(html).toContain('value="zz."')
  })

  test('the "older entries" link carries the filters and the cursor', async () => {
    const db = h.services.db
    await db.insert(auditLog).values(Array.from({ length: 55 }, (_, i) => ({ action: `zz.bulk.${i}`, objectType: 'probe' })))
    const html = await (await web.request('/admin/audit?action=zz.bulk', { cookie: cookie.sysadmin })).text()
    const href = /href="(\/admin\/audit\?[^"]*before=\d+[^"]*)"/.exec(html)?.[1]?.replaceAll('&amp;', '&')
    expect(href).toBeDefined()
    expect(new URL(href!, 'http://x').searchParams.get('action')).toBe('zz.bulk')
    const older = await (await web.request(href!, { cookie: cookie.sysadmin })).text()
    expect((older.match(/<code>zz\.bulk\.\d+<\/code>/g) ?? []).length).toBe(5)
  })
})
