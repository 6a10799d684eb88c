import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog, deliveries, notificationPreferences, notifications, organisationNotificationDefaults } from '../../db/schema/index.ts'
import { emitEvent, type DomainEvent } from '../../app/notifications/emit.server.ts'
import { fanOutEvent } from '../../app/notifications/fanout.server.ts'
import { CONFIGURABLE_EVENT_TYPES } from '../../app/notifications/event-types.ts'
import {
  getMyNotificationPreferences,
  getOrganisationDefaults,
  saveMyNotificationPreferences,
  saveOrganisationDefaults,
} from '../../app/notifications/preferences.server.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeOrganisation, makeUser, TEST_PASSWORD } from '../support/factories.ts'

// Who gets what, how: a person's own choice wins over their organisation's default, which wins
// over the event type's default — checked through the real fan-out, which writes the rows.

let h: Harness
let web: TestApp
let namDinh: string
let quangNinh: string
let vncert: string

/**
 * pg-boss looks each queue up in its cache on send; a miss queries through its own connection,
 * which on PGlite (a single connection) waits forever behind the transaction that is sending.
 * Without an in-process worker nothing has filled the cache yet, so fill it before any test.
 */
async function warmQueueCache(harness: Harness) {
  for (const name of ['notifications.fanout', 'email.send']) {
    await harness.services.jobs.boss.findJobs(name, { id: '00000000-0000-0000-0000-000000000000' })
  }
}

beforeAll(async () => {
  h = await createHarness()
  await warmQueueCache(h)
  web = await createTestApp(h)
  namDinh = h.orgIds.get('so-tttt-nam-dinh')!
  quangNinh = h.orgIds.get('so-tttt-quang-ninh')!
  vncert = h.orgIds.get('vncert')!
})
afterAll(() => h.close())

/** Emits an event about one user in a transaction, fans it out, and returns what it produced. */
async function deliver(userId: string, organisationId: string, type: DomainEvent['type'] = 'user.role_changed') {
  const eventId = await h.services.db.transaction((tx) =>
    emitEvent(tx, h.services, { type, objectType: 'user', objectId: userId, organisationId, payload: { userId, role: 'responder' } }),
  )
  await fanOutEvent(h.services, eventId)
  const emails = await h.services.db.select({ status: deliveries.status }).from(deliveries).where(and(eq(deliveries.eventId, eventId), eq(deliveries.userId, userId)))
  const inApp = await h.services.db.select({ id: notifications.id }).from(notifications).where(and(eq(notifications.eventId, eventId), eq(notifications.userId, userId)))
  return { emails: emails.map((e) => e.status), inApp: inApp.length }
}

async function setOrgDefault(organisationId: string, eventType: string, mode: 'immediate' | 'digest' | 'in_app') {
  await h.services.db
    .insert(organisationNotificationDefaults)
    .values({ organisationId, eventType, mode })
    .onConflictDoUpdate({ target: [organisationNotificationDefaults.organisationId, organisationNotificationDefaults.eventType], set: { mode } })
}

describe('which mode applies', () => {
  test("without any choice, the event type's default applies (immediate: a pending email)", async () => {
    const org = await makeOrganisation(h.services.db)
    const user = await makeUser(h.services.db, org.id, 'responder')
    expect(await deliver(user.id, org.id)).toEqual({ emails: ['pending'], inApp: 1 })
  })

  test("the organisation's default wins over the type's default", async () => {
    const org = await makeOrganisation(h.services.db)
    await setOrgDefault(org.id, 'user.role_changed', 'digest')
    const user = await makeUser(h.services.db, org.id, 'responder')
    expect(await deliver(user.id, org.id)).toEqual({ emails: ['digest'], inApp: 1 })
  })

  test("a person's saved choice wins over the organisation's default", async () => {
    const org = await makeOrganisation(h.services.db)
    await setOrgDefault(org.id, 'user.role_changed', 'digest')
    const inAppOnly = await makeUser(h.services.db, org.id, 'responder')
    await saveMyNotificationPreferences(await h.acting(inAppOnly.id), { 'mode.user.role_changed': 'in_app' })
    // In-app only: the notification is in the centre, and no email is queued at all.
    expect(await deliver(inAppOnly.id, org.id)).toEqual({ emails: [], inApp: 1 })
    const immediate = await makeUser(h.services.db, org.id, 'responder')
    await saveMyNotificationPreferences(await h.acting(immediate.id), { 'mode.user.role_changed': 'immediate' })
    expect(await deliver(immediate.id, org.id)).toEqual({ emails: ['pending'], inApp: 1 })
  })

  test('account-security events ignore every preference', async () => {
    const org = await makeOrganisation(h.services.db)
    await setOrgDefault(org.id, 'user.invited', 'in_app')
    const invited = await makeUser(h.services.db, org.id, 'responder', { status: 'invited', passwordHash: null })
    await h.services.db.insert(notificationPreferences).values({ userId: invited.id, eventType: 'user.invited', mode: 'in_app' })
    expect(await deliver(invited.id, org.id, 'user.invited')).toEqual({ emails: ['pending'], inApp: 1 })
  })
})

describe('saving one’s own preferences', () => {
  test('the settings show the saved choice, else the organisation default, else the type default', async () => {
    const org = await makeOrganisation(h.services.db)
    await setOrgDefault(org.id, 'cluster.officer_assigned', 'in_app')
    const user = await makeUser(h.services.db, org.id, 'responder')
    const acting = await h.acting(user.id)
    await saveMyNotificationPreferences(acting, { 'mode.user.role_changed': 'digest' })
    const rows = await getMyNotificationPreferences(acting)
    // One row per event type a user may configure, in the registry's order: the page lists them all.
    expect(rows.map((r) => r.eventType)).toEqual(CONFIGURABLE_EVENT_TYPES)
    const row = (type: string) => rows.find((r) => r.eventType === type)
    expect(row('user.role_changed')).toMatchObject({ mode: 'digest', saved: 'digest', inherited: 'immediate', inheritedFrom: 'type' })
    expect(row('cluster.officer_assigned')).toMatchObject({ mode: 'in_app', saved: null, inherited: 'in_app', inheritedFrom: 'organisation' })
    expect(row('incident.status_changed')).toMatchObject({ mode: 'digest', saved: null, inherited: 'digest', inheritedFrom: 'type' })
    // A published drill may invite the whole network, so it waits for the digest; one's own sign-up does not.
    expect(row('drill.published')).toMatchObject({ mode: 'digest', saved: null, inheritedFrom: 'type' })
    expect(row('drill.waitlist_promoted')).toMatchObject({ mode: 'immediate', saved: null, inheritedFrom: 'type' })
    // The same indicator held by several organisations is what sharing is for: told at once.
    expect(row('indicator.correlated')).toMatchObject({ mode: 'immediate', saved: null, inheritedFrom: 'type' })
  })

  test('a change is audited; repeating what is inherited saves nothing and keeps following the organisation', async () => {
    const org = await makeOrganisation(h.services.db)
    const user = await makeUser(h.services.db, org.id, 'responder')
    const acting = await h.acting(user.id)
    const unchanged = await saveMyNotificationPreferences(acting, { 'mode.user.role_changed': 'immediate', 'mode.cluster.officer_assigned': 'immediate' })
    expect(unchanged.changes).toEqual({})
    expect(await h.services.db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, user.id))).toEqual([])
    const changed = await saveMyNotificationPreferences(acting, { 'mode.user.role_changed': 'immediate', 'mode.cluster.officer_assigned': 'digest' })
    expect(changed.changes).toEqual({ 'cluster.officer_assigned': 'digest' })
    const entries = await h.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'notifications.preferences_changed'), eq(auditLog.objectId, user.id)))
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ actorUserId: user.id, objectOrganisationId: org.id, details: { changes: { 'cluster.officer_assigned': 'digest' } } })
  })

  test('unknown modes and non-configurable types are refused with field errors', async () => {
    const user = await makeUser(h.services.db, namDinh, 'responder')
    const acting = await h.acting(user.id)
    await expect(saveMyNotificationPreferences(acting, { 'mode.user.role_changed': 'carrier-pigeon' })).rejects.toMatchObject({
      code: 'validation',
      details: { fieldErrors: { 'mode.user.role_changed': ['validation.invalid'] } },
    })
    await expect(saveMyNotificationPreferences(acting, { 'mode.user.invited': 'in_app' })).rejects.toMatchObject({
      code: 'validation',
      details: { fieldErrors: { 'mode.user.invited': ['validation.invalid'] } },
    })
    expect(await h.services.db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, user.id))).toEqual([])
  })
})

describe('organisation defaults', () => {
  test('an organisation admin sets their own organisation’s defaults, audited', async () => {
    const org = await makeOrganisation(h.services.db)
    const admin = await makeUser(h.services.db, org.id, 'org_admin')
    const acting = await h.acting(admin.id)
    await saveOrganisationDefaults(acting, { organisationId: org.id, 'default.user.role_changed': 'digest' })
    expect((await getOrganisationDefaults(acting, org.id)).rows[0]).toMatchObject({ eventType: 'user.role_changed', mode: 'digest', saved: 'digest' })
    const [entry] = await h.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'notifications.defaults_changed'), eq(auditLog.objectId, org.id)))
    expect(entry).toMatchObject({ actorUserId: admin.id, objectType: 'organisation', objectOrganisationId: org.id, details: { changes: { 'user.role_changed': 'digest' } } })
  })

  test('an organisation admin cannot set another organisation’s defaults; a responder cannot set any', async () => {
    const admin = await makeUser(h.services.db, quangNinh, 'org_admin')
    const acting = await h.acting(admin.id)
    await expect(saveOrganisationDefaults(acting, { organisationId: namDinh, 'default.user.role_changed': 'in_app' })).rejects.toMatchObject({ code: 'forbidden' })
    await expect(getOrganisationDefaults(acting, namDinh)).rejects.toMatchObject({ code: 'forbidden' })
    const responder = await makeUser(h.services.db, quangNinh, 'responder')
    await expect(saveOrganisationDefaults(await h.acting(responder.id), { organisationId: quangNinh, 'default.user.role_changed': 'in_app' })).rejects.toMatchObject({ code: 'forbidden' })
    expect(await h.services.db.select().from(organisationNotificationDefaults).where(eq(organisationNotificationDefaults.organisationId, namDinh))).toEqual([])
  })

  test('a sysadmin sets any organisation’s defaults; an unknown organisation is a 404', async () => {
    const sysadmin = await makeUser(h.services.db, vncert, 'sysadmin')
    const acting = await h.acting(sysadmin.id)
    const org = await makeOrganisation(h.services.db)
    await saveOrganisationDefaults(acting, { organisationId: org.id, 'default.cluster.officer_assigned': 'in_app' })
    const member = await makeUser(h.services.db, org.id, 'responder')
    expect(await deliver(member.id, org.id, 'cluster.officer_assigned')).toEqual({ emails: [], inApp: 1 })
    await expect(saveOrganisationDefaults(acting, { organisationId: crypto.randomUUID(), 'default.user.role_changed': 'digest' })).rejects.toMatchObject({ code: 'not_found' })
  })
})

describe('the /account/notifications page', () => {
  test('shows each configurable type with its current mode selected; no organisation form for a responder', async () => {
    const org = await makeOrganisation(h.services.db)
    await setOrgDefault(org.id, 'cluster.officer_assigned', 'digest')
    const user = await makeUser(h.services.db, org.id, 'responder')
    const cookie = await web.signIn(user.email, TEST_PASSWORD)
    const res = await web.request('/account/notifications', { cookie })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('<label for="field-mode.user.role_changed">Thay đổi vai trò</label>')
    expect(html).toMatch(/name="mode\.cluster\.officer_assigned"[^>]*>.*?<option value="digest" selected=""/s)
    expect(html).toContain('Mặc định của tổ chức: Gộp vào email tổng hợp hằng ngày.')
    expect(html).not.toContain('name="mode.user.invited"')
    expect(html).not.toContain('name="intent" value="organisation"')
  })

  test('a bad value is a 400 that keeps the other choices and marks the field', async () => {
    const user = await makeUser(h.services.db, namDinh, 'responder')
    const cookie = await web.signIn(user.email, TEST_PASSWORD)
    const res = await web.postForm(
      '/account/notifications',
      { intent: 'personal', 'mode.user.role_changed': 'fax', 'mode.cluster.officer_assigned': 'in_app' },
      cookie,
    )
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('id="field-mode.user.role_changed-error"')
    expect(html).toContain('aria-invalid="true"')
    expect(html).toMatch(/name="mode\.cluster\.officer_assigned"[^>]*>.*?<option value="in_app" selected=""/s)
    expect(html).toContain('role="alert"')
  })

  test('saving through the form changes what is delivered', async () => {
    const org = await makeOrganisation(h.services.db)
    const user = await makeUser(h.services.db, org.id, 'responder')
    const cookie = await web.signIn(user.email, TEST_PASSWORD)
    const res = await web.postForm('/account/notifications', { intent: 'personal', 'mode.user.role_changed': 'digest', 'mode.cluster.officer_assigned': 'immediate' }, cookie)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('Đã lưu cài đặt của bạn.')
    expect(await deliver(user.id, org.id)).toEqual({ emails: ['digest'], inApp: 1 })
  })

  test('an organisation admin sees and saves only their own organisation’s defaults', async () => {
    const admin = await makeUser(h.services.db, quangNinh, 'org_admin')
    const cookie = await web.signIn(admin.email, TEST_PASSWORD)
    const html = await (await web.request('/account/notifications', { cookie })).text()
    expect(html).toContain(`name="organisationId" value="${quangNinh}"`)
    expect(html).toContain('name="default.user.role_changed"')
    expect((await web.request(`/account/notifications?organisationId=${namDinh}`, { cookie })).status).toBe(403)
    const foreign = await web.postForm('/account/notifications', { intent: 'organisation', organisationId: namDinh, 'default.user.role_changed': 'in_app' }, cookie)
    expect(foreign.status).toBe(403)
    const own = await web.postForm('/account/notifications', { intent: 'organisation', organisationId: quangNinh, 'default.user.role_changed': 'in_app' }, cookie)
    expect(own.status).toBe(200)
    expect(await own.text()).toContain('Đã lưu mặc định của tổ chức.')
    const [row] = await h.services.db
      .select({ mode: organisationNotificationDefaults.mode })
      .from(organisationNotificationDefaults)
      .where(and(eq(organisationNotificationDefaults.organisationId, quangNinh), eq(organisationNotificationDefaults.eventType, 'user.role_changed')))
    expect(row?.mode).toBe('in_app')
  })

  test('a sysadmin chooses an organisation and sets its defaults', async () => {
    const sysadmin = await makeUser(h.services.db, vncert, 'sysadmin')
    const cookie = await web.signIn(sysadmin.email, TEST_PASSWORD)
    const html = await (await web.request(`/account/notifications?organisationId=${namDinh}`, { cookie })).text()
    expect(html).toContain(`name="organisationId" value="${namDinh}"`)
    expect(html).toMatch(/<select id="field-organisationId"/)
    const res = await web.postForm(`/account/notifications?organisationId=${namDinh}`, { intent: 'organisation', organisationId: namDinh, 'default.cluster.officer_assigned': 'nope' }, cookie)
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('id="field-default.cluster.officer_assigned-error"')
    expect((await web.request('/account/notifications?organisationId=not-an-id', { cookie })).status).toBe(404)
  })
})
