import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { markAttendance } from '../../app/drills/attendance.server.ts'
import { transitionDrill } from '../../app/drills/drills.server.ts'
import { participationCounts } from '../../app/drills/participation.server.ts'
import { signUpForDrill } from '../../app/drills/registrations.server.ts'
import { calendarDate } from '../../app/lib/dates.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { drillCast, drillForm, expectDomainError, publishedDrill, type DrillCast, type Person } from './fixtures.ts'

// The yearly participation figures on a small fixture of its own (a database per file, so no
// other test's drills count): the numbers, and who sees which organisations' figures.

let h: Harness
let cast: DrillCast
let year: number

const figures = async (person: Person, y: number | string = year) => {
  const { rows } = await participationCounts(await cast.as(person), { year: String(y) })
  return Object.fromEntries(rows.map((r) => [r.organisationId, [r.drillsAttended, r.peopleConfirmed, r.peopleAttended]]))
}

beforeAll(async () => {
  h = await createHarness()
  cast = await drillCast(h)
  const now = h.services.now()
  // drillForm's only session starts ten days from now: that is the drills' year.
  year = Number(calendarDate(new Date(now.getTime() + 10 * 24 * 3600_000)).slice(0, 4))
  const lead = await cast.as('leadResponder')
  const cluster = (title: string) => drillForm(now, { clusterId: cast.clusterId, title })
  const signUp = async (drillId: string, person: Person) => (await signUpForDrill(await cast.as(person), drillId, { role: 'participant' })).id
  const mark = async (acting: Awaited<ReturnType<DrillCast['as']>>, drillId: string, registrationId: string, attendance: string) =>
    markAttendance(acting, drillId, { registrationId, attendance })

  // A: two of the member's staff (one came) and the sibling's responder (came).
  const a = await publishedDrill(lead, cluster('A'))
  const aMember = await signUp(a, 'memberReporter')
  const aMember2 = await signUp(a, 'memberReporter2')
  const aSibling = await signUp(a, 'siblingResponder')
  await transitionDrill(lead, a, 'start')
  await mark(lead, a, aMember, 'attended')
  await mark(lead, a, aMember2, 'absent')
  await mark(lead, a, aSibling, 'attended')
  await transitionDrill(lead, a, 'complete')

  // B: the member's reporter (came) and admin (not marked).
  const b = await publishedDrill(lead, cluster('B'))
  const bMember = await signUp(b, 'memberReporter')
  await signUp(b, 'memberAdmin')
  await transitionDrill(lead, b, 'start')
  await mark(lead, b, bMember, 'attended')

  // C: the member's own AMBER+STRICT internal drill (the reporter came): the cluster lead does
  // not see it, so it is not in the lead's figures.
  const memberAdmin = await cast.as('memberAdmin')
  const c = await publishedDrill(memberAdmin, drillForm(now, { level: 'organisation', scope: 'organisation', tlp: 'AMBER+STRICT', title: 'C' }))
  const cMember = await signUp(c, 'memberReporter')
  await transitionDrill(memberAdmin, c, 'start')
  await mark(memberAdmin, c, cMember, 'attended')

  // D: cancelled, with a confirmed registration left on it: it does not count.
  const d = await publishedDrill(lead, cluster('D'))
  await signUp(d, 'memberReporter2')
  await transitionDrill(lead, d, 'cancel')
})
afterAll(() => h.close())

describe('participation counts', () => {
  test('a member’s staff see their own organisation only, with every drill it took part in', async () => {
    expect(await figures('memberReporter')).toEqual({ [cast.memberOrgId]: [3, 5, 3] })
    expect(await figures('siblingResponder')).toEqual({ [cast.siblingOrgId]: [1, 1, 1] })
    // Cluster B's member took part in nothing, and sees nobody else's figures.
    expect(await figures('otherResponder')).toEqual({ [cast.otherOrgId]: [0, 0, 0] })
  })

  test('the cluster lead sees its cluster’s members, over the drills it may see', async () => {
    const lead = await figures('leadResponder')
    expect(Object.keys(lead).sort()).toEqual(
      [cast.leadOrgId, cast.users.deputyAdmin.organisationId, cast.memberOrgId, cast.siblingOrgId].sort(),
    )
    expect(lead[cast.memberOrgId]).toEqual([2, 4, 2])
    expect(lead[cast.siblingOrgId]).toEqual([1, 1, 1])
    expect(lead[cast.leadOrgId]).toEqual([0, 0, 0])
    // The lead's reporter does not coordinate the cluster: its own organisation only.
    expect(Object.keys(await figures('leadReporter'))).toEqual([cast.leadOrgId])
  })

  test('the national CERT and the system administrator see every organisation', async () => {
    const analyst = await figures('analyst')
    expect(Object.keys(analyst)).toEqual(expect.arrayContaining([cast.memberOrgId, cast.siblingOrgId, cast.otherOrgId, h.orgIds.get('vncert')]))
    expect(analyst[cast.memberOrgId]).toEqual([2, 4, 2])
    expect(Object.keys(await figures('sysadmin'))).toHaveLength(Object.keys(analyst).length)
  })

  test('another year counts nothing; a bad year is a field error', async () => {
    expect(await figures('memberReporter', year - 1)).toEqual({ [cast.memberOrgId]: [0, 0, 0] })
    const bad = await expectDomainError(participationCounts(await cast.as('memberReporter'), { year: '20x6' }), 'validation')
    expect(bad.details.fieldErrors).toEqual({ year: ['drills.validation.year'] })
    expect((await participationCounts(await cast.as('memberReporter'), {})).year).toBe(Number(calendarDate(h.services.now()).slice(0, 4)))
  })
})
