import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { clusterMembers, clusterOfficers, clusters } from '../../db/schema/index.ts'
import {
  addClusterMember,
  assignClusterOfficer,
  createCluster,
  endClusterMembership,
  endClusterOfficerTerm,
  getCluster,
  listClusters,
  removeClusterOfficerTerm,
  updateCluster,
} from '../../app/orgs/clusters.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { makeCluster, makeOrganisation } from '../support/factories.ts'
import { auditEntries, castOf, expectCode, type Cast } from './fixtures.ts'

let h: Harness
let cast: Cast

beforeAll(async () => {
  h = await createHarness()
  cast = await castOf(h)
})
afterAll(() => h.close())

const orgs = async (count: number) => Promise.all(Array.from({ length: count }, () => makeOrganisation(h.services.db)))

describe('reading clusters', () => {
  test('the list shows each cluster’s current lead and deputy and its current member count', async () => {
    const { clusters: rows } = await listClusters(await cast.as('reporter'))
    const cum3 = rows.find((c) => c.code === 'cum-3')!
    expect(cum3.lead).toMatchObject({ organisationId: h.orgIds.get('so-tttt-nam-dinh') })
    expect(cum3.deputy).toMatchObject({ organisationId: h.orgIds.get('so-tttt-hai-duong') })
    expect(cum3.memberCount).toBe(9)
    expect(rows.find((c) => c.code === 'cum-1')).toMatchObject({ lead: null, deputy: null, memberCount: 6 })
  })

  test('a cluster page sorts officers into past, current and future terms', async () => {
    const [a, b] = await orgs(2)
    const cluster = await makeCluster(h.services.db, { members: [a!.id, b!.id] })
    await h.services.db.insert(clusterOfficers).values([
      { clusterId: cluster.id, organisationId: a!.id, role: 'lead', termStart: '2001-01-01', termEnd: '2001-12-31' },
      { clusterId: cluster.id, organisationId: b!.id, role: 'lead', termStart: '2002-01-01', termEnd: '2998-12-31' },
      { clusterId: cluster.id, organisationId: a!.id, role: 'lead', termStart: '2999-01-01', termEnd: '2999-12-31' },
    ])
    const page = await getCluster(await cast.as('reporter'), cluster.id)
    expect(page.terms.map((t) => t.status)).toEqual(['future', 'current', 'past'])
    expect(page.members.find((m) => m.organisationId === b!.id)!.officerRole).toBe('lead')
    expect(page.members.find((m) => m.organisationId === a!.id)!.officerRole).toBeNull()
  })

  test('an unknown or malformed cluster id is not found', async () => {
    const acting = await cast.as('reporter')
    await expectCode(getCluster(acting, crypto.randomUUID()), 'not_found')
    await expectCode(getCluster(acting, 'cum-3'), 'not_found')
  })
})

describe('who may manage clusters', () => {
  test.each(['reporter', 'responder', 'ownAdmin', 'otherAdmin', 'analyst'] as const)('a %s may not', async (person) => {
    const acting = await cast.as(person)
    const [org] = await orgs(1)
    const cluster = await makeCluster(h.services.db, { members: [org!.id] })
    await expectCode(createCluster(acting, { code: `cum-x-${person.toLowerCase()}`, nameVi: 'Cụm X', nameEn: 'Cluster X' }), 'forbidden')
    await expectCode(updateCluster(acting, cluster.id, { nameVi: 'Cụm Y', nameEn: 'Cluster Y' }), 'forbidden')
    await expectCode(addClusterMember(acting, cluster.id, { memberOrganisationId: cast.ownOrgId, since: '2024-01-01' }), 'forbidden')
    await expectCode(
      assignClusterOfficer(acting, cluster.id, { officerOrganisationId: org!.id, role: 'lead', termStart: '2024-01-01', termEnd: '2024-12-31' }),
      'forbidden',
    )
    const [membership] = await h.services.db.select().from(clusterMembers).where(eq(clusterMembers.clusterId, cluster.id))
    await expectCode(endClusterMembership(acting, cluster.id, { membershipId: membership!.id, until: '2024-01-01' }), 'forbidden')
    expect(await h.services.db.select().from(clusterOfficers).where(eq(clusterOfficers.clusterId, cluster.id))).toEqual([])
  })

  test.each(['sysadmin', 'certAdmin'] as const)('a %s creates a cluster, adds members and assigns a lead, each audited', async (person) => {
    const acting = await cast.as(person)
    const [a, b] = await orgs(2)
    const { id } = await createCluster(acting, { code: `cum-moi-${person.toLowerCase()}`, nameVi: 'Cụm mới', nameEn: 'New cluster', foundedOn: '2025-07-01' })
    const m1 = await addClusterMember(acting, id, { memberOrganisationId: a!.id, since: '2025-07-01' })
    await addClusterMember(acting, id, { memberOrganisationId: b!.id, since: '2025-07-01' })
    const term = await assignClusterOfficer(acting, id, { officerOrganisationId: a!.id, role: 'lead', termStart: '2025-07-01', termEnd: '2999-06-30' })
    const page = await getCluster(acting, id)
    expect(page.members.map((m) => m.organisationId).sort()).toEqual([a!.id, b!.id].sort())
    expect(page.terms).toEqual([expect.objectContaining({ organisationId: a!.id, role: 'lead', status: 'current' })])
    expect((await auditEntries(h, 'cluster.created', id))[0]).toMatchObject({ objectOrganisationId: cast.certOrgId })
    expect((await auditEntries(h, 'cluster.member_added', m1.id))[0]).toMatchObject({ objectOrganisationId: a!.id })
    expect((await auditEntries(h, 'cluster.officer_assigned', term.id))[0]).toMatchObject({ objectOrganisationId: a!.id })
  })

  test('a cluster code already in use is refused on the code field as a conflict', async () => {
    await expectCode(createCluster(await cast.as('sysadmin'), { code: 'cum-3', nameVi: 'Cụm 3 bis', nameEn: 'Cluster 3 bis' }), 'conflict', {
      code: ['orgs.validation.codeTaken'],
    })
  })
})

describe('terms of lead and deputy', () => {
  async function clusterWith(count: number) {
    const members = await orgs(count)
    const cluster = await makeCluster(h.services.db, { members: members.map((m) => m.id) })
    return { cluster, ids: members.map((m) => m.id) }
  }
  const assign = async (clusterId: string, organisationId: string, role: 'lead' | 'deputy', termStart: string, termEnd: string) =>
    assignClusterOfficer(await cast.as('sysadmin'), clusterId, { officerOrganisationId: organisationId, role, termStart, termEnd })

  test('a term overlapping another term of the same role is refused; the next year’s term is accepted', async () => {
    const { cluster, ids } = await clusterWith(2)
    await assign(cluster.id, ids[0]!, 'lead', '2025-01-01', '2025-12-31')
    await expectCode(assign(cluster.id, ids[1]!, 'lead', '2025-12-31', '2026-12-30'), 'conflict', { termStart: ['orgs.validation.termOverlap'] })
    await assign(cluster.id, ids[1]!, 'lead', '2026-01-01', '2026-12-31')
    expect(await h.services.db.select().from(clusterOfficers).where(eq(clusterOfficers.clusterId, cluster.id))).toHaveLength(2)
  })

  test('an organisation cannot be lead and deputy of one cluster in overlapping terms', async () => {
    const { cluster, ids } = await clusterWith(2)
    await assign(cluster.id, ids[0]!, 'lead', '2025-01-01', '2025-12-31')
    await expectCode(assign(cluster.id, ids[0]!, 'deputy', '2025-06-01', '2026-05-31'), 'conflict', {
      officerOrganisationId: ['orgs.validation.bothRoles'],
    })
    await assign(cluster.id, ids[1]!, 'deputy', '2025-06-01', '2026-05-31')
  })

  test('a term must not end before it starts', async () => {
    const { cluster, ids } = await clusterWith(1)
    await expectCode(assign(cluster.id, ids[0]!, 'lead', '2025-12-31', '2025-01-01'), 'validation', { termEnd: ['orgs.validation.termOrder'] })
  })

  test('only a current member can be assigned', async () => {
    const { cluster } = await clusterWith(1)
    const [outsider, former] = await orgs(2)
    await h.services.db.insert(clusterMembers).values({ clusterId: cluster.id, organisationId: former!.id, since: '2020-01-01', until: '2021-01-01' })
    for (const org of [outsider!, former!]) {
      await expectCode(assign(cluster.id, org.id, 'lead', '2025-01-01', '2025-12-31'), 'validation', {
        officerOrganisationId: ['orgs.validation.notCurrentMember'],
      })
    }
  })

  test('malformed dates and roles are refused field by field', async () => {
    const { cluster, ids } = await clusterWith(1)
    await expectCode(
      assignClusterOfficer(await cast.as('sysadmin'), cluster.id, { officerOrganisationId: ids[0], role: 'chair', termStart: '2025-02-30', termEnd: '' }),
      'validation',
      { role: ['validation.required'], termStart: ['validation.date'], termEnd: ['validation.required'] },
    )
  })

  test('a term can be ended early but not extended, and only a future term can be withdrawn', async () => {
    const { cluster, ids } = await clusterWith(2)
    const acting = await cast.as('sysadmin')
    const current = await assign(cluster.id, ids[0]!, 'lead', '2020-01-01', '2998-12-31')
    const future = await assign(cluster.id, ids[1]!, 'lead', '2999-01-01', '2999-12-31')
    await expectCode(endClusterOfficerTerm(acting, cluster.id, { termId: current.id, newTermEnd: '2999-01-01' }), 'validation', {
      newTermEnd: ['orgs.validation.termNotShortened'],
    })
    await endClusterOfficerTerm(acting, cluster.id, { termId: current.id, newTermEnd: '2024-06-30' })
    await expectCode(removeClusterOfficerTerm(acting, cluster.id, current.id), 'conflict')
    await removeClusterOfficerTerm(acting, cluster.id, future.id)
    const rows = await h.services.db.select().from(clusterOfficers).where(eq(clusterOfficers.clusterId, cluster.id))
    expect(rows).toEqual([expect.objectContaining({ id: current.id, termEnd: '2024-06-30' })])
    expect(await auditEntries(h, 'cluster.officer_term_ended', current.id)).toHaveLength(1)
    expect(await auditEntries(h, 'cluster.officer_term_removed', future.id)).toHaveLength(1)
  })
})

describe('memberships', () => {
  test('a second overlapping membership of the same organisation is refused', async () => {
    const [a] = await orgs(1)
    const cluster = await makeCluster(h.services.db, { members: [a!.id] })
    await expectCode(addClusterMember(await cast.as('sysadmin'), cluster.id, { memberOrganisationId: a!.id, since: '2025-01-01' }), 'conflict', {
      memberOrganisationId: ['orgs.validation.alreadyMember'],
    })
  })

  test('ending a membership ends the organisation’s terms in that cluster with it', async () => {
    const [a, b] = await orgs(2)
    const cluster = await makeCluster(h.services.db, { members: [a!.id, b!.id], lead: a!.id, deputy: b!.id })
    await h.services.db
      .insert(clusterOfficers)
      .values({ clusterId: cluster.id, organisationId: a!.id, role: 'deputy', termStart: '3000-01-01', termEnd: '3000-12-31' })
    const [membership] = await h.services.db.select().from(clusterMembers).where(eq(clusterMembers.organisationId, a!.id))
    const acting = await cast.as('sysadmin')
    await expectCode(endClusterMembership(acting, cluster.id, { membershipId: membership!.id, until: '2019-12-31' }), 'validation', {
      until: ['orgs.validation.untilBeforeSince'],
    })
    const result = await endClusterMembership(acting, cluster.id, { membershipId: membership!.id, until: '2025-03-31' })
    expect(result.termsEnded).toHaveLength(2)
    const terms = await h.services.db.select().from(clusterOfficers).where(eq(clusterOfficers.clusterId, cluster.id))
    expect(terms.map((t) => [t.organisationId, t.role, t.termEnd]).sort()).toEqual(
      [
        [a!.id, 'lead', '2025-03-31'],
        [b!.id, 'deputy', '2999-12-31'],
      ].sort(),
    )
    await expectCode(endClusterMembership(acting, cluster.id, { membershipId: membership!.id, until: '2025-06-30' }), 'conflict')
    expect((await auditEntries(h, 'cluster.member_ended', membership!.id))[0]).toMatchObject({ objectOrganisationId: a!.id })
  })

  test('an inactive organisation cannot join a cluster', async () => {
    const cluster = await makeCluster(h.services.db, { members: [] })
    const inactive = await makeOrganisation(h.services.db, { active: false })
    await expectCode(addClusterMember(await cast.as('sysadmin'), cluster.id, { memberOrganisationId: inactive.id, since: '2025-01-01' }), 'conflict')
  })

  test('cluster details can be renamed and deactivated', async () => {
    const cluster = await makeCluster(h.services.db, { members: [] })
    await updateCluster(await cast.as('certAdmin'), cluster.id, { nameVi: 'Cụm Đông Bắc', nameEn: 'North-East cluster', description: 'Thử', foundedOn: '' })
    const [row] = await h.services.db.select().from(clusters).where(eq(clusters.id, cluster.id))
    expect(row).toMatchObject({ nameVi: 'Cụm Đông Bắc', active: false, foundedOn: null })
    expect(await auditEntries(h, 'cluster.updated', cluster.id)).toHaveLength(1)
  })
})
