import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { clusterOfficers } from '../../db/schema/index.ts'
import { listClusters, myClusters } from '../../app/orgs/clusters.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { makeCluster, makeOrganisation, makeUser } from '../support/factories.ts'

// Terms end at midnight in Vietnam (UTC+7), not at UTC midnight. The clock is fixed at
// 00:30 on 11 March 2026 in Hà Nội, which is still 10 March in UTC.
const NOW = new Date('2026-03-10T17:30:00Z')

let h: Harness
let oldLead: string
let newLead: string
let clusterId: string
let newLeadOrgId: string

beforeAll(async () => {
  h = await createHarness()
  h.setNow(NOW)
  const db = h.services.db
  const [a, b] = [await makeOrganisation(db), await makeOrganisation(db)]
  const cluster = await makeCluster(db, { members: [a.id, b.id] })
  clusterId = cluster.id
  newLeadOrgId = b.id
  await db.insert(clusterOfficers).values([
    { clusterId, organisationId: a.id, role: 'lead', termStart: '2025-03-11', termEnd: '2026-03-10' },
    { clusterId, organisationId: b.id, role: 'lead', termStart: '2026-03-11', termEnd: '2027-03-10' },
  ])
  oldLead = (await makeUser(db, a.id, 'responder')).id
  newLead = (await makeUser(db, b.id, 'responder')).id
})
afterAll(() => h.close())

describe('actor loading follows the terms by the calendar in Vietnam', () => {
  test('an organisation whose lead term ended yesterday is no longer an officer of the cluster', async () => {
    const actor = (await h.acting(oldLead)).actor
    expect(actor.officerOf).toEqual([])
    expect(actor.clusterIds).toEqual([clusterId])
    expect(actor.coordinatedOrganisationIds).toEqual([])
  })

  test('the organisation whose term started today is the lead, and coordinates the cluster’s members', async () => {
    const acting = await h.acting(newLead)
    expect(acting.actor.officerOf).toEqual([{ clusterId, role: 'lead' }])
    expect(acting.actor.coordinatedOrganisationIds).toHaveLength(2)
    expect(await myClusters(acting)).toEqual([expect.objectContaining({ id: clusterId, officerRole: 'lead' })])
  })

  test('the cluster list names the new lead', async () => {
    const { clusters, today } = await listClusters(await h.acting(newLead))
    expect(today).toBe('2026-03-11')
    expect(clusters.find((c) => c.id === clusterId)!.lead).toMatchObject({ organisationId: newLeadOrgId, termEnd: '2027-03-10' })
  })
})
