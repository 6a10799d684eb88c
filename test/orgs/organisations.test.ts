import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { clusterMembers, clusterOfficers, contactPoints, organisationHistory, organisations, users } from '../../db/schema/index.ts'
import { loadActor } from '../../app/policy/actor.server.ts'
import { addContactPoint, removeContactPoint, updateContactPoint } from '../../app/orgs/contacts.server.ts'
import {
  createOrganisation,
  getOrganisation,
  listOrganisations,
  mergeOrganisation,
  setOrganisationActive,
  updateOrganisation,
} from '../../app/orgs/organisations.server.ts'
import { todayFor } from '../../app/orgs/clusters.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { makeCluster, makeOrganisation, makeUser } from '../support/factories.ts'
import { auditEntries, castOf, expectCode, PEOPLE, type Cast, type Person } from './fixtures.ts'

let h: Harness
let cast: Cast

beforeAll(async () => {
  h = await createHarness()
  cast = await castOf(h)
})
afterAll(() => h.close())

let n = 0
const newOrg = () => {
  n += 1
  return { slug: `so-khcn-thu-${n}`, kind: 'member', nameVi: `Sở Khoa học và Công nghệ thử ${n}`, nameEn: `Test Department of Science and Technology ${n}`, shortName: `Sở KH&CN thử ${n}` }
}

describe('the network directory', () => {
  test('a reporter sees the active organisations with their province and current clusters', async () => {
    const rows = await listOrganisations(await cast.as('reporter'))
    const namDinh = rows.find((r) => r.slug === 'so-tttt-nam-dinh')!
    expect(namDinh.provinceNameVi).toBe('Nam Định')
    expect(namDinh.clusters).toEqual([expect.objectContaining({ code: 'cum-3', officerRole: 'lead' })])
    expect(rows[0]!.kind).toBe('national_cert')
  })

  test('search matches Vietnamese names and provinces, and the kind filter narrows the list', async () => {
    const acting = await cast.as('reporter')
    expect((await listOrganisations(acting, { q: 'Hải Dương' })).map((r) => r.slug)).toEqual(['so-tttt-hai-duong'])
    expect((await listOrganisations(acting, { kind: 'national_cert' })).every((r) => r.kind === 'national_cert')).toBe(true)
    expect(await listOrganisations(acting, { q: '100%_\\' })).toEqual([])
  })

  test('inactive organisations are listed only when asked for', async () => {
    const gone = await makeOrganisation(h.services.db, { active: false })
    const acting = await cast.as('reporter')
    expect((await listOrganisations(acting)).some((r) => r.id === gone.id)).toBe(false)
    expect((await listOrganisations(acting, { includeInactive: true })).some((r) => r.id === gone.id)).toBe(true)
  })

  test('an unknown or malformed organisation id is not found', async () => {
    const acting = await cast.as('reporter')
    await expectCode(getOrganisation(acting, crypto.randomUUID()), 'not_found')
    await expectCode(getOrganisation(acting, "1' or '1'='1"), 'not_found')
  })
})

describe('creating an organisation', () => {
  test.each(PEOPLE.filter((p) => p !== 'sysadmin'))('a %s may not create one', async (person) => {
    const input = newOrg()
    await expectCode(createOrganisation(await cast.as(person), input), 'forbidden')
    expect(await h.services.db.select().from(organisations).where(eq(organisations.slug, input.slug))).toEqual([])
  })

  test('a sysadmin creates one, with a "created" history row and an audit entry', async () => {
    const input = { ...newOrg(), provinceId: '', email: 'IRT@Example.VN', website: 'example.vn' }
    const { id } = await createOrganisation(await cast.as('sysadmin'), input)
    const [row] = await h.services.db.select().from(organisations).where(eq(organisations.id, id))
    expect(row).toMatchObject({ slug: input.slug, provinceId: null, email: 'irt@example.vn', website: 'https://example.vn', active: true })
    const history = await h.services.db.select().from(organisationHistory).where(eq(organisationHistory.organisationId, id))
    expect(history).toEqual([expect.objectContaining({ event: 'created', newNameVi: input.nameVi })])
    const [entry] = await auditEntries(h, 'organisation.created', id)
    expect(entry).toMatchObject({ actorUserId: cast.users.sysadmin.id, objectOrganisationId: id })
  })

  test('a slug already in use is refused on the slug field as a conflict', async () => {
    await expectCode(createOrganisation(await cast.as('sysadmin'), { ...newOrg(), slug: 'vncert' }), 'conflict', {
      slug: ['orgs.validation.slugTaken'],
    })
  })

  test('malformed input is refused field by field', async () => {
    await expectCode(
      createOrganisation(await cast.as('sysadmin'), { slug: 'Sở Mới!', kind: 'ministry', nameVi: ' ', nameEn: 'x', shortName: 'x', website: 'javascript:alert(1)', provinceId: 'nope' }),
      'validation',
      {
        slug: ['validation.slug'],
        kind: ['validation.required'],
        nameVi: ['validation.required'],
        website: ['validation.invalid'],
        provinceId: ['validation.invalid'],
      },
    )
  })

  test('a province id that names no province is refused', async () => {
    await expectCode(createOrganisation(await cast.as('sysadmin'), { ...newOrg(), provinceId: crypto.randomUUID() }), 'validation', {
      provinceId: ['validation.invalid'],
    })
  })
})

describe('editing an organisation', () => {
  const denied: Person[] = ['reporter', 'responder', 'ownAdmin', 'otherAdmin', 'analyst', 'certAdmin']
  test.each(denied)('a %s may not edit one, not even their own', async (person) => {
    await expectCode(
      updateOrganisation(await cast.as(person), cast.ownOrgId, { nameVi: 'Tên mới', nameEn: 'New name', shortName: 'Mới' }),
      'forbidden',
    )
  })

  test('a rename keeps the former names in the history and in the audit entry', async () => {
    const org = await makeOrganisation(h.services.db, { nameVi: 'Sở Thông tin và Truyền thông Thử', nameEn: 'Test Department of Information and Communications', shortName: 'Sở TT&TT Thử' })
    const acting = await cast.as('sysadmin')
    await updateOrganisation(acting, org.id, {
      nameVi: 'Sở Khoa học và Công nghệ Thử',
      nameEn: 'Test Department of Science and Technology',
      shortName: 'Sở KH&CN Thử',
      phone: '+84 228 3 123 456',
    })
    const page = await getOrganisation(acting, org.id)
    expect(page.organisation).toMatchObject({ nameVi: 'Sở Khoa học và Công nghệ Thử', shortName: 'Sở KH&CN Thử', phone: '+84 228 3 123 456' })
    expect(page.history).toEqual([
      expect.objectContaining({
        event: 'renamed',
        previousNameVi: 'Sở Thông tin và Truyền thông Thử',
        newNameVi: 'Sở Khoa học và Công nghệ Thử',
        previousNameEn: 'Test Department of Information and Communications',
      }),
    ])
    const [entry] = await auditEntries(h, 'organisation.updated', org.id)
    expect(entry!.objectOrganisationId).toBe(org.id)
    expect(entry!.details).toMatchObject({ nameVi: { from: 'Sở Thông tin và Truyền thông Thử', to: 'Sở Khoa học và Công nghệ Thử' } })
  })

  test('an edit that keeps the names writes no rename', async () => {
    const org = await makeOrganisation(h.services.db)
    await updateOrganisation(await cast.as('sysadmin'), org.id, { nameVi: org.nameVi, nameEn: org.nameEn, shortName: org.shortName, email: 'soc@example.vn' })
    expect(await h.services.db.select().from(organisationHistory).where(eq(organisationHistory.organisationId, org.id))).toEqual([])
  })

  test('deactivation stops the organisation’s users from acting, and reactivation lets them back', async () => {
    const org = await makeOrganisation(h.services.db)
    const member = await makeUser(h.services.db, org.id, 'responder')
    const acting = await cast.as('sysadmin')
    await setOrganisationActive(acting, org.id, false)
    expect(await loadActor(h.services.db, member.id, h.services.now())).toBeNull()
    await expectCode(setOrganisationActive(acting, org.id, false), 'conflict')
    await setOrganisationActive(acting, org.id, true)
    expect(await loadActor(h.services.db, member.id, h.services.now())).not.toBeNull()
    const events = (await getOrganisation(acting, org.id)).history.map((e) => e.event)
    expect(events.sort()).toEqual(['deactivated', 'reactivated'])
    expect(await auditEntries(h, 'organisation.deactivated', org.id)).toHaveLength(1)
  })

  test('a sysadmin cannot deactivate their own organisation', async () => {
    await expectCode(setOrganisationActive(await cast.as('sysadmin'), cast.certOrgId, false), 'conflict')
  })
})

describe('merging organisations', () => {
  test.each(PEOPLE.filter((p) => p !== 'sysadmin'))('a %s may not merge', async (person) => {
    await expectCode(mergeOrganisation(await cast.as(person), cast.ownOrgId, { targetId: cast.otherOrgId }), 'forbidden')
  })

  test('a merge deactivates the source, moves its users, ends its cluster ties today and records both sides', async () => {
    const db = h.services.db
    const source = await makeOrganisation(db, { nameVi: 'Sở TT&TT Hợp nhất', nameEn: 'Merged DIC' })
    const target = await makeOrganisation(db, { nameVi: 'Sở KH&CN Hợp nhất', nameEn: 'Merged DOST' })
    const sibling = await makeOrganisation(db)
    const cluster = await makeCluster(db, { members: [source.id, sibling.id], lead: source.id, termStart: '2020-01-01', termEnd: '2999-12-31' })
    const [futureTerm] = await db
      .insert(clusterOfficers)
      .values({ clusterId: cluster.id, organisationId: source.id, role: 'deputy', termStart: '3000-01-01', termEnd: '3000-12-31' })
      .returning()
    const people = [await makeUser(db, source.id, 'org_admin'), await makeUser(db, source.id, 'reporter')]
    const acting = await cast.as('sysadmin')
    const today = todayFor(acting)

    const result = await mergeOrganisation(acting, source.id, { targetId: target.id })

    const [after] = await db.select().from(organisations).where(eq(organisations.id, source.id))
    expect(after).toMatchObject({ active: false, mergedIntoId: target.id })
    const moved = await db.select({ id: users.id, organisationId: users.organisationId }).from(users).where(eq(users.organisationId, target.id))
    expect(moved.map((u) => u.id).sort()).toEqual(people.map((p) => p.id).sort())
    expect(result.usersMoved).toHaveLength(2)
    const memberships = await db.select().from(clusterMembers).where(eq(clusterMembers.organisationId, source.id))
    expect(memberships.map((m) => m.until)).toEqual([today])
    const terms = await db.select().from(clusterOfficers).where(eq(clusterOfficers.organisationId, source.id))
    expect(terms.map((t) => t.termEnd)).toEqual([today])
    expect(terms.some((t) => t.id === futureTerm!.id)).toBe(false)
    // The sibling's membership is untouched.
    const [siblingMembership] = await db.select().from(clusterMembers).where(eq(clusterMembers.organisationId, sibling.id))
    expect(siblingMembership!.until).toBeNull()

    const sourcePage = await getOrganisation(acting, source.id)
    expect(sourcePage.organisation.mergedInto).toMatchObject({ id: target.id })
    expect(sourcePage.history).toEqual([expect.objectContaining({ event: 'merged_into', mergedIntoId: target.id, absorbed: false })])
    const targetPage = await getOrganisation(acting, target.id)
    expect(targetPage.history).toEqual([expect.objectContaining({ event: 'merged_into', previousNameVi: 'Sở TT&TT Hợp nhất', absorbed: true })])
    expect(targetPage.mergedFrom.map((m) => m.id)).toEqual([source.id])

    expect((await auditEntries(h, 'organisation.merged', source.id))[0]).toMatchObject({ objectOrganisationId: source.id })
    expect((await auditEntries(h, 'organisation.absorbed', target.id))[0]).toMatchObject({ objectOrganisationId: target.id })

    // A moved user now acts for the target organisation.
    const actor = await loadActor(db, people[0]!.id, h.services.now())
    expect(actor!.organisationId).toBe(target.id)
  })

  test('merging into itself is refused on the target field', async () => {
    await expectCode(mergeOrganisation(await cast.as('sysadmin'), cast.otherOrgId, { targetId: cast.otherOrgId }), 'validation', {
      targetId: ['orgs.validation.mergeIntoItself'],
    })
  })

  test('merging into an inactive organisation is refused on the target field, and nothing changes', async () => {
    const source = await makeOrganisation(h.services.db)
    const inactive = await makeOrganisation(h.services.db, { active: false })
    await expectCode(mergeOrganisation(await cast.as('sysadmin'), source.id, { targetId: inactive.id }), 'conflict', {
      targetId: ['orgs.validation.mergeIntoInactive'],
    })
    const [after] = await h.services.db.select().from(organisations).where(eq(organisations.id, source.id))
    expect(after).toMatchObject({ active: true, mergedIntoId: null })
  })

  test('a member organisation cannot be merged into the national CERT', async () => {
    const source = await makeOrganisation(h.services.db)
    await expectCode(mergeOrganisation(await cast.as('sysadmin'), source.id, { targetId: cast.certOrgId }), 'conflict', {
      targetId: ['orgs.validation.mergeKindMismatch'],
    })
  })

  test('a merged organisation cannot be reactivated', async () => {
    const source = await makeOrganisation(h.services.db)
    const target = await makeOrganisation(h.services.db)
    const acting = await cast.as('sysadmin')
    await mergeOrganisation(acting, source.id, { targetId: target.id })
    await expectCode(setOrganisationActive(acting, source.id, true), 'conflict')
  })
})

describe('points of contact (Đầu mối ứng cứu sự cố)', () => {
  const contact = { contactName: 'Tổ trực ứng cứu sự cố', contactTitle: 'Đầu mối', contactEmail: 'ir@own.example.vn', contactPhone: '+84 24 1234 5678', contact24x7: 'on' }

  test.each(['reporter', 'responder', 'otherAdmin', 'analyst', 'certAdmin'] as const)('a %s may not add one to the organisation', async (person) => {
    await expectCode(addContactPoint(await cast.as(person), cast.ownOrgId, contact), 'forbidden')
  })

  test.each(['ownAdmin', 'sysadmin'] as const)('a %s adds, edits and removes one, each audited', async (person) => {
    const acting = await cast.as(person)
    const { id } = await addContactPoint(acting, cast.ownOrgId, contact)
    const [row] = await h.services.db.select().from(contactPoints).where(eq(contactPoints.id, id))
    expect(row).toMatchObject({ name: 'Tổ trực ứng cứu sự cố', available24x7: true, priority: 1 })
    await updateContactPoint(acting, cast.ownOrgId, id, { ...contact, contact24x7: '', contactPriority: '2' })
    const [edited] = await h.services.db.select().from(contactPoints).where(eq(contactPoints.id, id))
    expect(edited).toMatchObject({ available24x7: false, priority: 2 })
    await removeContactPoint(acting, cast.ownOrgId, id)
    expect(await h.services.db.select().from(contactPoints).where(eq(contactPoints.id, id))).toEqual([])
    for (const action of ['contact_point.created', 'contact_point.updated', 'contact_point.removed']) {
      expect(await auditEntries(h, action, id)).toEqual([expect.objectContaining({ objectOrganisationId: cast.ownOrgId })])
    }
  })

  test('an organisation admin cannot reach another organisation’s contact through their own organisation', async () => {
    const theirs = await addContactPoint(await cast.as('otherAdmin'), cast.otherOrgId, contact)
    const mine = await cast.as('ownAdmin')
    await expectCode(updateContactPoint(mine, cast.ownOrgId, theirs.id, contact), 'not_found')
    await expectCode(removeContactPoint(mine, cast.ownOrgId, theirs.id), 'not_found')
    await expectCode(removeContactPoint(mine, cast.otherOrgId, theirs.id), 'forbidden')
  })

  test('a contact without email or phone is refused', async () => {
    await expectCode(addContactPoint(await cast.as('ownAdmin'), cast.ownOrgId, { contactName: 'Ai đó' }), 'validation', {
      contactEmail: ['orgs.validation.contactMeans'],
    })
  })
})
