import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog, drillSessions } from '../../db/schema/index.ts'
import { editDrillForm, updateDrill } from '../../app/drills/editing.server.ts'
import { listDrills, parseDrillListFilter, transitionDrill } from '../../app/drills/drills.server.ts'
import { cancelRegistration, signUpForDrill } from '../../app/drills/registrations.server.ts'
import { dateToLocalDateTime } from '../../app/lib/dates.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { drillCast, drillEvents, drillForm, drillRow, expectDomainError, publishedDrill, registrationsOf, type DrillCast } from './fixtures.ts'

// Editing a drill: who may, what stays fixed once published, the calendar SEQUENCE and the
// notice to registrants on a change of time or place, capacity against places held; the notice
// to a person whose registration someone else cancelled; the list's filters.

let h: Harness
let cast: DrillCast

beforeAll(async () => {
  h = await createHarness()
  cast = await drillCast(h)
})
afterAll(() => h.close())

const HOUR = 3600_000
const DAY = 24 * HOUR
const local = (d: Date) => dateToLocalDateTime(d, 'Asia/Ho_Chi_Minh')
async function expectFieldErrors(promise: Promise<unknown>, expected: Record<string, string[]>) {
  const error = await expectDomainError(promise, 'validation')
  expect(error.details.fieldErrors).toMatchObject(expected)
}
const clusterForm = (over: Record<string, string | string[]> = {}) => drillForm(h.services.now(), { clusterId: cast.clusterId, ...over })

describe('editing a drill', () => {
  test('the edit form holds the drill as saved, in the reader’s zone', async () => {
    const form = clusterForm({ title: 'Diễn tập A', capacity: '7' })
    const id = await publishedDrill(await cast.as('leadResponder'), form)
    const page = await editDrillForm(await cast.as('leadResponder'), id)
    expect(page.fixed).toBe(true)
    expect(page.values).toMatchObject({ title: 'Diễn tập A', capacity: '7', scope: 'cluster', clusterId: cast.clusterId, registrationOpensAt: form.registrationOpensAt })
    expect(page.lists.sessionStarts).toEqual([form.sessionStarts])
    expect(page.lists.rolesOffered).toEqual(['participant', 'observer'])
  })

  test('only the organisers may edit; others get 403, those who may not see it 404', async () => {
    const id = await publishedDrill(await cast.as('leadResponder'), clusterForm())
    // The deputy organises the cluster's drills with the lead.
    await expect(updateDrill(await cast.as('deputyAdmin'), id, clusterForm({ title: 'Sửa bởi Cụm phó' }))).resolves.toMatchObject({ id })
    await expectDomainError(updateDrill(await cast.as('memberReporter'), id, clusterForm()), 'forbidden')
    await expectDomainError(editDrillForm(await cast.as('memberAdmin'), id), 'forbidden')
    // A GREEN drill is seen network-wide, so outside the cluster it is a 403…
    await expectDomainError(updateDrill(await cast.as('otherResponder'), id, clusterForm()), 'forbidden')
    await expectDomainError(updateDrill(await cast.as('formerLeadResponder'), id, clusterForm()), 'forbidden')
    expect((await drillRow(h, id))!.title).toBe('Sửa bởi Cụm phó')
    // …and an AMBER one, which they may not see, a 404.
    const amber = await publishedDrill(await cast.as('leadResponder'), clusterForm({ tlp: 'AMBER' }))
    await expectDomainError(updateDrill(await cast.as('otherResponder'), amber, clusterForm({ tlp: 'AMBER' })), 'not_found')
    await expectDomainError(editDrillForm(await cast.as('otherResponder'), amber), 'not_found')
  })

  test('a change of time raises the SEQUENCE, keeps the session ids and tells everyone registered', async () => {
    const lead = await cast.as('leadResponder')
    const id = await publishedDrill(lead, clusterForm({ capacity: '1' }))
    const [before] = await h.services.db.select().from(drillSessions).where(eq(drillSessions.drillId, id))
    await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    await signUpForDrill(await cast.as('siblingResponder'), id, { role: 'participant' })
    const later = new Date(h.services.now().getTime() + 12 * DAY)
    const result = await updateDrill(lead, id, clusterForm({ capacity: '1', sessionStarts: local(later), sessionEnds: local(new Date(later.getTime() + 3 * HOUR)) }))
    expect(result).toMatchObject({ rescheduled: true, sequence: 1 })
    const [after] = await h.services.db.select().from(drillSessions).where(eq(drillSessions.drillId, id))
    expect(after!.id).toBe(before!.id)
    expect(after!.startsAt.getTime()).toBe(Math.floor(later.getTime() / 60_000) * 60_000)
    const [notice] = await drillEvents(h, id, 'drill.rescheduled')
    // The waitlisted person is told as well: they may yet get a place, and their plans depend on the date.
    expect(notice!.payload).toMatchObject({ changed: 'time', audience: { users: expect.arrayContaining([cast.users.memberReporter.id, cast.users.siblingResponder.id]) } })

    // A change of place alone is a reschedule too; a change of wording is not.
    await updateDrill(lead, id, clusterForm({ capacity: '1', venue: 'Hội trường khác', sessionStarts: local(later), sessionEnds: local(new Date(later.getTime() + 3 * HOUR)) }))
    const unchanged = await updateDrill(lead, id, clusterForm({ capacity: '1', venue: 'Hội trường khác', description: 'Mô tả mới', sessionStarts: local(later), sessionEnds: local(new Date(later.getTime() + 3 * HOUR)) }))
    expect(unchanged).toMatchObject({ rescheduled: false, sequence: 2 })
    expect((await drillEvents(h, id, 'drill.rescheduled')).map((e) => (e.payload as { changed: string }).changed)).toEqual(['time', 'place'])
    const audit = await h.services.db.select().from(auditLog).where(eq(auditLog.objectId, id))
    expect(audit.filter((a) => a.action === 'drill.updated').map((a) => (a.details as { fields: string[] }).fields)).toEqual([
      ['sessionStarts'],
      ['venue'],
      ['description'],
    ])
  })

  test('a draft’s changes tell nobody and keep SEQUENCE 0; its level and invitations may still change', async () => {
    const lead = await cast.as('leadResponder')
    const { id } = await import('../../app/drills/drills.server.ts').then((m) => m.createDrill(lead, clusterForm()))
    const result = await updateDrill(lead, id, clusterForm({ scope: 'list', organisationIds: [cast.memberOrgId], venue: 'Nơi khác' }))
    expect(result).toMatchObject({ rescheduled: false, sequence: 0 })
    expect((await editDrillForm(lead, id)).lists.organisationIds).toEqual([cast.memberOrgId])
    // Still only within the cluster.
    const outside = updateDrill(lead, id, clusterForm({ scope: 'list', organisationIds: [cast.otherOrgId] }))
    await expectFieldErrors(outside, { organisationIds: ['drills.validation.outsideCluster'] })
  })

  test('once published, the kind, level, TLP and invitations are fixed: a changed one is a field error and nothing is saved', async () => {
    const lead = await cast.as('leadResponder')
    const id = await publishedDrill(lead, clusterForm({ title: 'Giữ nguyên' }))
    await expectFieldErrors(updateDrill(lead, id, clusterForm({ title: 'Đổi', tlp: 'AMBER' })), { tlp: ['drills.validation.fixedAfterPublish'] })
    await expectFieldErrors(updateDrill(lead, id, clusterForm({ title: 'Đổi', kind: 'ctf' })), { kind: ['drills.validation.fixedAfterPublish'] })
    expect((await drillRow(h, id))!.title).toBe('Giữ nguyên')
  })

  test('capacity may not drop below the places held; raising it promotes from the waitlist', async () => {
    const lead = await cast.as('leadResponder')
    const id = await publishedDrill(lead, clusterForm({ capacity: '2' }))
    await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    await signUpForDrill(await cast.as('memberReporter2'), id, { role: 'participant' })
    const waiting = await signUpForDrill(await cast.as('siblingResponder'), id, { role: 'participant' })
    expect(waiting.status).toBe('waitlisted')
    await expectFieldErrors(updateDrill(lead, id, clusterForm({ capacity: '1' })), { capacity: ['drills.validation.capacityBelowHeld'] })
    await expectFieldErrors(updateDrill(lead, id, clusterForm({ capacity: '3', perOrganisationCapacity: '1' })), {
      perOrganisationCapacity: ['drills.validation.capacityBelowHeld'],
    })
    const raised = await updateDrill(lead, id, clusterForm({ capacity: '3' }))
    expect(raised.promoted).toEqual([cast.users.siblingResponder.id])
    expect((await registrationsOf(h, id)).map((r) => r.status)).toEqual(['confirmed', 'confirmed', 'confirmed'])
    expect(await drillEvents(h, id, 'drill.waitlist_promoted')).toHaveLength(1)
  })

  test('a drill under way, over or cancelled can no longer be edited (409)', async () => {
    const lead = await cast.as('leadResponder')
    const id = await publishedDrill(lead, clusterForm())
    await transitionDrill(lead, id, 'start')
    await expectDomainError(updateDrill(lead, id, clusterForm()), 'conflict')
    await expectDomainError(editDrillForm(lead, id), 'conflict')
  })

  test('a bad form is a field error, never a crash', async () => {
    const lead = await cast.as('leadResponder')
    const id = await publishedDrill(lead, clusterForm())
    await expectDomainError(updateDrill(lead, id, clusterForm({ capacity: 'nhiều', sessionStarts: 'mai' })), 'validation')
    await expectDomainError(updateDrill(lead, 'not-a-uuid', clusterForm()), 'not_found')
  })
})

describe('a registration cancelled by someone else', () => {
  test('the person is told; cancelling one’s own tells nobody', async () => {
    const lead = await cast.as('leadResponder')
    const id = await publishedDrill(lead, clusterForm())
    const mine = await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    const theirs = await signUpForDrill(await cast.as('memberReporter2'), id, { role: 'participant' })
    await cancelRegistration(await cast.as('memberReporter'), mine.id)
    expect(await drillEvents(h, id, 'drill.registration_cancelled')).toHaveLength(0)
    // Their organisation admin cancels for them.
    await cancelRegistration(await cast.as('memberAdmin'), theirs.id)
    const [notice] = await drillEvents(h, id, 'drill.registration_cancelled')
    expect(notice!.payload).toMatchObject({ audience: { users: [cast.users.memberReporter2.id] }, registrationId: theirs.id })
    expect(notice!.actorUserId).toBe(cast.users.memberAdmin.id)
  })
})

describe('the list’s filters', () => {
  test('kind, level, status and year filter in SQL; unknown values are dropped', async () => {
    const lead = await cast.as('leadResponder')
    const ctf = await publishedDrill(lead, clusterForm({ kind: 'ctf', title: 'CTF của cụm' }))
    const member = await cast.as('memberReporter')
    const year = Number(local(new Date(h.services.now().getTime() + 10 * DAY)).slice(0, 4))
    const ids = async (params: string) => (await listDrills(member, { ...parseDrillListFilter(new URLSearchParams(params)), when: 'upcoming' })).map((d) => d.id)
    expect(await ids('kind=ctf')).toEqual([ctf])
    expect(await ids(`kind=ctf&level=cluster&status=published&year=${year}`)).toEqual([ctf])
    expect(await ids(`kind=ctf&year=${year + 1}`)).toEqual([])
    expect(await ids('kind=ctf&level=national')).toEqual([])
    expect(parseDrillListFilter(new URLSearchParams('kind=drop%20table&level=x&status=&year=abc'))).toEqual({
      kind: undefined,
      level: undefined,
      status: undefined,
      year: undefined,
    })
  })
})
