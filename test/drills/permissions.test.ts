import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog, drills } from '../../db/schema/index.ts'
import { createDrill, getDrillDetail, listDrills, transitionDrill } from '../../app/drills/drills.server.ts'
import { approveRegistration, cancelRegistration, signUpForDrill } from '../../app/drills/registrations.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { drillCast, drillEvents, drillForm, drillRow, expectDomainError, PEOPLE, publishedDrill, type DrillCast, type Person } from './fixtures.ts'

// Who may create, see, register, approve and cancel, for each level of drill — every allow and
// every deny on real rows, through the domain acts (which ask app/policy/policy.server.ts).

let h: Harness
let cast: DrillCast

beforeAll(async () => {
  h = await createHarness()
  cast = await drillCast(h)
})
afterAll(() => h.close())

const now = () => h.services.now()
const clusterForm = (over: Record<string, string | string[]> = {}) => drillForm(now(), { clusterId: cast.clusterId, ...over })
const nationalForm = (over: Record<string, string | string[]> = {}) => drillForm(now(), { level: 'national', scope: 'network', ...over })
const internalForm = (over: Record<string, string | string[]> = {}) => drillForm(now(), { level: 'organisation', scope: 'organisation', ...over })

async function drillCount() {
  return (await h.services.db.select({ id: drills.id }).from(drills)).length
}

/** Whether the person sees the drill, asserting that the page (canSeeDrill) and the list (visibleDrillsWhere) agree. */
async function sees(person: Person, drillId: string): Promise<boolean> {
  const acting = await cast.as(person)
  const onPage = await getDrillDetail(acting, drillId).then(
    () => true,
    (e: unknown) => {
      expect(e).toMatchObject({ name: 'DomainError', code: 'not_found' })
      return false
    },
  )
  const inList = (await listDrills(acting, { when: 'upcoming' })).some((d) => d.id === drillId)
  expect(inList, `${person}: the list and the page disagree`).toBe(onPage)
  return onPage
}

async function whoSees(drillId: string) {
  const out: Person[] = []
  for (const p of PEOPLE) if (await sees(p, drillId)) out.push(p)
  return out
}

describe('who may create a drill', () => {
  test('a cluster drill: the current lead and deputy of that cluster, nobody else', async () => {
    for (const p of ['leadResponder', 'deputyAdmin'] as const) {
      const { id } = await createDrill(await cast.as(p), clusterForm())
      const row = await drillRow(h, id)
      expect(row).toMatchObject({ level: 'cluster', scope: 'cluster', clusterId: cast.clusterId, organiserOrganisationId: cast.users[p].organisationId, status: 'draft' })
    }
    const before = await drillCount()
    // A lead's reporter does not coordinate; members, outsiders, last year's lead and the national CERT do not lead the cluster.
    for (const p of ['leadReporter', 'memberAdmin', 'otherResponder', 'formerLeadResponder', 'analyst', 'sysadmin'] as const) {
      await expectDomainError(createDrill(await cast.as(p), clusterForm()), 'forbidden')
    }
    // The lead of Cluster A cannot schedule for Cluster B; last year's lead not even for its old cluster.
    await expectDomainError(createDrill(await cast.as('leadResponder'), clusterForm({ clusterId: cast.otherClusterId })), 'forbidden')
    await expectDomainError(createDrill(await cast.as('formerLeadResponder'), clusterForm({ clusterId: cast.formerClusterId })), 'forbidden')
    expect(await drillCount()).toBe(before)
  })

  test('a national or international drill: the national CERT’s analysts and admins, not its sysadmin nor a cluster lead', async () => {
    const { id } = await createDrill(await cast.as('analyst'), nationalForm())
    expect(await drillRow(h, id)).toMatchObject({ level: 'national', scope: 'network', clusterId: null })
    await createDrill(await cast.as('certAdmin'), nationalForm({ level: 'international' }))
    const before = await drillCount()
    for (const p of ['sysadmin', 'leadResponder', 'memberAdmin'] as const) {
      await expectDomainError(createDrill(await cast.as(p), nationalForm()), 'forbidden')
    }
    expect(await drillCount()).toBe(before)
  })

  test('an internal drill: any organisation’s admin, for its own organisation only', async () => {
    const { id } = await createDrill(await cast.as('memberAdmin'), internalForm())
    expect(await drillRow(h, id)).toMatchObject({ level: 'organisation', scope: 'organisation', organiserOrganisationId: cast.memberOrgId })
    const before = await drillCount()
    for (const p of ['memberReporter', 'leadResponder', 'analyst'] as const) {
      await expectDomainError(createDrill(await cast.as(p), internalForm()), 'forbidden')
    }
    expect(await drillCount()).toBe(before)
  })

  test('creating is audited; the form’s errors come back together, and a level cannot invite beyond itself', async () => {
    const { id } = await createDrill(await cast.as('leadResponder'), clusterForm())
    const [entry] = await h.services.db.select().from(auditLog).where(eq(auditLog.objectId, id))
    expect(entry).toMatchObject({ action: 'drill.created', actorUserId: cast.users.leadResponder.id, objectOrganisationId: cast.leadOrgId })
    const error = await expectDomainError(
      createDrill(await cast.as('leadResponder'), clusterForm({ title: '', capacity: '0', rolesOffered: [], venue: '', sessionStarts: '', sessionEnds: '' })),
      'validation',
    )
    expect(Object.keys(error.details.fieldErrors!).sort()).toEqual(['capacity', 'rolesOffered', 'sessionStarts', 'title', 'venue'])
    const scope = await expectDomainError(createDrill(await cast.as('leadResponder'), clusterForm({ scope: 'network' })), 'validation')
    expect(scope.details.fieldErrors).toEqual({ scope: ['drills.validation.scopeForLevel'] })
    const outside = await expectDomainError(
      createDrill(await cast.as('leadResponder'), clusterForm({ scope: 'list', organisationIds: [cast.memberOrgId, cast.otherOrgId] })),
      'validation',
    )
    expect(outside.details.fieldErrors).toEqual({ organisationIds: ['drills.validation.outsideCluster'] })
    const late = await expectDomainError(
      createDrill(await cast.as('leadResponder'), clusterForm({ registrationClosesAt: drillForm(new Date(now().getTime() + 20 * 24 * 3600_000)).registrationOpensAt as string })),
      'validation',
    )
    expect(late.details.fieldErrors).toEqual({ registrationClosesAt: ['drills.validation.closesBeforeStart'] })
  })
})

describe('who may see a drill', () => {
  test('a draft: only its organisers (404 for everyone else, even the invited)', async () => {
    const { id } = await createDrill(await cast.as('leadResponder'), clusterForm({ tlp: 'GREEN' }))
    expect(await whoSees(id)).toEqual(['leadResponder', 'deputyAdmin'])
  })

  test('a published TLP:GREEN cluster drill: the whole network', async () => {
    const id = await publishedDrill(await cast.as('leadResponder'), clusterForm({ tlp: 'GREEN' }))
    expect(await whoSees(id)).toEqual([...PEOPLE])
  })

  test('a published TLP:AMBER cluster drill: the cluster’s members and the national CERT’s staff, not other clusters', async () => {
    const id = await publishedDrill(await cast.as('leadResponder'), clusterForm({ tlp: 'AMBER' }))
    expect(await whoSees(id)).toEqual(['leadResponder', 'leadReporter', 'deputyAdmin', 'memberReporter', 'memberReporter2', 'memberAdmin', 'siblingResponder', 'siblingAdmin', 'analyst', 'certAdmin'])
  })

  test('a published TLP:AMBER+STRICT national drill for a list: the listed organisations and the organisers only', async () => {
    const id = await publishedDrill(await cast.as('analyst'), nationalForm({ tlp: 'AMBER+STRICT', scope: 'list', organisationIds: [cast.memberOrgId, cast.otherOrgId] }))
    // The national CERT organises it, so its staff see it (the sysadmin too: its organisation is the organiser).
    expect(await whoSees(id)).toEqual(['memberReporter', 'memberReporter2', 'memberAdmin', 'otherResponder', 'analyst', 'certAdmin', 'sysadmin'])
  })

  test('an internal TLP:AMBER+STRICT drill: its own organisation only', async () => {
    const id = await publishedDrill(await cast.as('memberAdmin'), internalForm({ tlp: 'AMBER+STRICT' }))
    expect(await whoSees(id)).toEqual(['memberReporter', 'memberReporter2', 'memberAdmin'])
  })

  test('the scenario of a tabletop stays with the organisers until it starts; a training course’s programme does not', async () => {
    const tabletop = await publishedDrill(await cast.as('leadResponder'), clusterForm())
    expect((await getDrillDetail(await cast.as('deputyAdmin'), tabletop)).drill.scenario).toContain('Kịch bản')
    expect((await getDrillDetail(await cast.as('memberReporter'), tabletop)).drill).toMatchObject({ scenario: null, objectives: null })
    await transitionDrill(await cast.as('leadResponder'), tabletop, 'start')
    expect((await getDrillDetail(await cast.as('memberReporter'), tabletop)).drill.scenario).toContain('Kịch bản')
    const training = await publishedDrill(await cast.as('leadResponder'), clusterForm({ kind: 'training' }))
    expect((await getDrillDetail(await cast.as('memberReporter'), training)).drill.scenario).toContain('Kịch bản')
  })
})

describe('the list', () => {
  test('a drill under way is still upcoming; one whose last session has ended is past', async () => {
    const day = 24 * 3600_000
    const at = (ms: number) => drillForm(new Date(now().getTime() + ms)).registrationOpensAt as string
    const times = (start: number, end: number) => ({
      registrationOpensAt: at(-5 * day),
      registrationClosesAt: at(-4 * day),
      sessionStarts: at(start),
      sessionEnds: at(end),
    })
    const lead = await cast.as('leadResponder')
    const { id: underWay } = await createDrill(lead, clusterForm({ title: 'Đang diễn ra', ...times(-day, day) }))
    const { id: over } = await createDrill(lead, clusterForm({ title: 'Đã xong', ...times(-3 * day, -2 * day) }))
    const upcoming = (await listDrills(lead, { when: 'upcoming' })).map((d) => d.id)
    const past = (await listDrills(lead, { when: 'past' })).map((d) => d.id)
    expect(upcoming).toContain(underWay)
    expect(upcoming).not.toContain(over)
    expect(past).toContain(over)
    expect(past).not.toContain(underWay)
  })
})

describe('who may change a drill’s status', () => {
  test('organisers publish and cancel; others get 403; a step the life cycle lacks is a 409', async () => {
    const { id } = await createDrill(await cast.as('leadResponder'), clusterForm())
    await expectDomainError(transitionDrill(await cast.as('leadResponder'), id, 'complete'), 'conflict', 'drills.errors.illegalTransition')
    await transitionDrill(await cast.as('deputyAdmin'), id, 'publish')
    expect(await drillEvents(h, id, 'drill.published')).toHaveLength(1)
    for (const p of ['memberAdmin', 'leadReporter', 'analyst'] as const) await expectDomainError(transitionDrill(await cast.as(p), id, 'cancel'), 'forbidden')
    await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    await transitionDrill(await cast.as('leadResponder'), id, 'cancel')
    expect(await drillRow(h, id)).toMatchObject({ status: 'cancelled', sequence: 1 })
    const [cancelled] = await drillEvents(h, id, 'drill.cancelled')
    expect(cancelled!.payload).toMatchObject({ audience: { users: [cast.users.memberReporter.id] } })
  })
})

describe('who may register', () => {
  test('staff of invited organisations, for an offered role; not outsiders, not the sysadmin', async () => {
    const id = await publishedDrill(await cast.as('leadResponder'), clusterForm({ tlp: 'GREEN' }))
    for (const p of ['memberReporter', 'siblingResponder', 'leadReporter'] as const) {
      expect(await signUpForDrill(await cast.as(p), id, { role: 'participant' })).toMatchObject({ status: 'confirmed' })
    }
    // Cluster B sees a GREEN drill but is not invited to it.
    await expectDomainError(signUpForDrill(await cast.as('otherResponder'), id, { role: 'participant' }), 'forbidden')
    const role = await expectDomainError(signUpForDrill(await cast.as('memberReporter2'), id, { role: 'red_team' }), 'validation')
    expect(role.details.fieldErrors).toEqual({ role: ['drills.validation.roleNotOffered'] })
    await expectDomainError(signUpForDrill(await cast.as('memberReporter'), id, { role: 'observer' }), 'conflict', 'drills.errors.alreadyRegistered')
    const network = await publishedDrill(await cast.as('analyst'), nationalForm())
    await expectDomainError(signUpForDrill(await cast.as('sysadmin'), network, { role: 'participant' }), 'forbidden')
    expect(await signUpForDrill(await cast.as('otherResponder'), network, { role: 'observer' })).toMatchObject({ status: 'confirmed' })
  })

  test('only while registration is open: not on a draft (404), not before it opens or after it closes (409)', async () => {
    const { id: draft } = await createDrill(await cast.as('leadResponder'), clusterForm())
    await expectDomainError(signUpForDrill(await cast.as('memberReporter'), draft, { role: 'participant' }), 'not_found')
    const id = await publishedDrill(await cast.as('leadResponder'), clusterForm())
    const row = (await drillRow(h, id))!
    try {
      h.setNow(new Date(row.registrationOpensAt.getTime() - 60_000))
      await expectDomainError(signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' }), 'conflict', 'drills.errors.registrationClosed')
      h.setNow(row.registrationClosesAt)
      await expectDomainError(signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' }), 'conflict', 'drills.errors.registrationClosed')
    } finally {
      h.setNow(null as unknown as Date)
    }
    await transitionDrill(await cast.as('leadResponder'), id, 'close_registration')
    await expectDomainError(signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' }), 'conflict', 'drills.errors.registrationClosed')
  })

  test('an organisation admin signs up their own staff, not another organisation’s', async () => {
    const id = await publishedDrill(await cast.as('leadResponder'), clusterForm())
    const done = await signUpForDrill(await cast.as('memberAdmin'), id, { role: 'observer', userId: cast.users.memberReporter2.id })
    expect(done.status).toBe('confirmed')
    await expectDomainError(signUpForDrill(await cast.as('memberAdmin'), id, { role: 'observer', userId: cast.users.siblingResponder.id }), 'forbidden')
    // A reporter cannot sign up a colleague.
    await expectDomainError(signUpForDrill(await cast.as('memberReporter2'), id, { role: 'observer', userId: cast.users.memberReporter.id }), 'forbidden')
  })
})

describe('who may approve and cancel', () => {
  test('where approval is required, the registrant’s own organisation admin approves; nobody else', async () => {
    const id = await publishedDrill(await cast.as('leadResponder'), clusterForm({ requiresApproval: 'on' }))
    const pending = await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    expect(pending.status).toBe('pending_approval')
    const [asked] = await drillEvents(h, id, 'drill.approval_requested')
    expect(asked!.payload).toMatchObject({ audience: { organisationAdminsOf: cast.memberOrgId } })
    for (const p of ['siblingAdmin', 'leadResponder', 'memberReporter'] as const) await expectDomainError(approveRegistration(await cast.as(p), pending.id), 'forbidden')
    expect(await approveRegistration(await cast.as('memberAdmin'), pending.id)).toMatchObject({ status: 'confirmed' })
    await expectDomainError(approveRegistration(await cast.as('memberAdmin'), pending.id), 'forbidden')
    // The admin's own sign-up of their staff is the approval.
    expect(await signUpForDrill(await cast.as('memberAdmin'), id, { role: 'participant', userId: cast.users.memberReporter2.id })).toMatchObject({ status: 'confirmed' })
  })

  test('the registrant, their organisation admin or an organiser cancels; another member cannot', async () => {
    const id = await publishedDrill(await cast.as('leadResponder'), clusterForm())
    const mine = await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    const colleague = await signUpForDrill(await cast.as('memberReporter2'), id, { role: 'participant' })
    const sibling = await signUpForDrill(await cast.as('siblingResponder'), id, { role: 'participant' })
    for (const p of ['siblingResponder', 'siblingAdmin', 'memberReporter2', 'leadReporter'] as const) {
      await expectDomainError(cancelRegistration(await cast.as(p), mine.id), 'forbidden')
    }
    await cancelRegistration(await cast.as('memberReporter'), mine.id)
    await cancelRegistration(await cast.as('memberAdmin'), colleague.id)
    await cancelRegistration(await cast.as('deputyAdmin'), sibling.id)
    await expectDomainError(cancelRegistration(await cast.as('memberReporter'), mine.id), 'forbidden')
    // Someone who cannot see the drill learns nothing about its registrations.
    const strict = await publishedDrill(await cast.as('memberAdmin'), internalForm({ tlp: 'AMBER+STRICT' }))
    const internal = await signUpForDrill(await cast.as('memberReporter'), strict, { role: 'participant' })
    await expectDomainError(cancelRegistration(await cast.as('siblingAdmin'), internal.id), 'not_found')
  })
})
