import { expect } from 'vitest'
import { accessGrants, incidents } from '../../db/schema/index.ts'
import type { Executor } from '../../db/client.ts'
import { factsOf } from '../../app/incidents/access.server.ts'
import { foldForSearch } from '../../app/incidents/taxonomy.ts'
import type { Actor, TlpLabel, UserRole } from '../../app/policy/actor.ts'
import { canSeeIncident } from '../../app/policy/policy.server.ts'
import type { Harness } from '../support/harness.ts'
import { makeCluster, makeOrganisation, makeUser } from '../support/factories.ts'

// Incidents inserted as rows, without the filing module: finding incidents is tested on its
// own, with the search text folded the way the domain module folds it.

export type IncidentRow = typeof incidents.$inferSelect
export type IncidentSeed = Partial<typeof incidents.$inferInsert> & { reportingOrganisationId: string; createdBy: string }

let sequence = 0

export async function insertIncident(db: Executor, seed: IncidentSeed): Promise<IncidentRow> {
  sequence += 1
  const reference = seed.reference ?? `IR-2026-${String(100000 + sequence).padStart(6, '0')}`
  const title = seed.title ?? `Sự cố thử nghiệm ${sequence}`
  const description = seed.description ?? ''
  const status = seed.status ?? 'new'
  const submittedAt = seed.submittedAt !== undefined ? seed.submittedAt : status === 'draft' ? null : new Date()
  const [row] = await db
    .insert(incidents)
    .values({
      category: 'malware',
      severity: 'medium',
      tlp: 'GREEN',
      detectedAt: new Date(),
      ...seed,
      reference,
      title,
      description,
      status,
      submittedAt,
      searchText: foldForSearch([reference, title, description, seed.systemName ?? ''].join(' ')),
    })
    .returning()
  return row!
}

export async function grantIncident(db: Executor, incidentId: string, to: { userId?: string; organisationId?: string }) {
  await db.insert(accessGrants).values({
    objectType: 'incident',
    objectId: incidentId,
    granteeUserId: to.userId ?? null,
    granteeOrganisationId: to.organisationId ?? null,
    reason: 'test',
  })
}

// ---------------------------------------------------------------------------------------------
// A small network for the access matrix: an owner organisation in a cluster with a lead and a
// sibling member, another cluster with its own lead, and the national CERT.

export const VIEWERS = [
  'creator',
  'ownerReporter',
  'ownerResponder',
  'leadResponder',
  'leadAdmin',
  'leadReporter',
  'siblingResponder',
  'outsiderLeadResponder',
  'analyst',
  'certResponder',
  'certReporter',
  'sysadmin',
] as const
export type Viewer = (typeof VIEWERS)[number]

export interface MatrixIncident {
  label: string
  row: IncidentRow
  grantedUserIds: string[]
  grantedOrganisationIds: string[]
}

export interface Matrix {
  org: { owner: string; lead: string; sibling: string; outsider: string; outsiderLead: string; cert: string }
  clusterId: string
  otherClusterId: string
  users: Record<Viewer, { id: string; email: string; role: UserRole }>
  actors: Record<Viewer, Actor>
  incidents: MatrixIncident[]
  /** Ids of the matrix incidents the viewer may see, by the policy's object check. */
  expectedFor(viewer: Viewer): Set<string>
}

export const TLPS: TlpLabel[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']

/**
 * Every TLP label filed by the owner organisation's reporter, plus a draft, an AMBER+STRICT
 * incident escalated (granted) to the national CERT, a RED one naming the analyst, and one
 * incident of another cluster. Every title contains "Mã độc" so a search reaches all of them.
 */
export async function buildMatrix(h: Harness): Promise<Matrix> {
  const db = h.services.db
  const org = {
    owner: (await makeOrganisation(db)).id,
    lead: (await makeOrganisation(db)).id,
    sibling: (await makeOrganisation(db)).id,
    outsider: (await makeOrganisation(db)).id,
    outsiderLead: (await makeOrganisation(db)).id,
    cert: h.orgIds.get('vncert')!,
  }
  const cluster = await makeCluster(db, { members: [org.lead, org.owner, org.sibling], lead: org.lead })
  const otherCluster = await makeCluster(db, { members: [org.outsider, org.outsiderLead], lead: org.outsiderLead })
  const spec: Record<Viewer, [string, UserRole]> = {
    creator: [org.owner, 'reporter'],
    ownerReporter: [org.owner, 'reporter'],
    ownerResponder: [org.owner, 'responder'],
    leadResponder: [org.lead, 'responder'],
    leadAdmin: [org.lead, 'org_admin'],
    leadReporter: [org.lead, 'reporter'],
    siblingResponder: [org.sibling, 'responder'],
    outsiderLeadResponder: [org.outsiderLead, 'responder'],
    analyst: [org.cert, 'cert_analyst'],
    certResponder: [org.cert, 'responder'],
    certReporter: [org.cert, 'reporter'],
    sysadmin: [org.cert, 'sysadmin'],
  }
  const users = {} as Matrix['users']
  const actors = {} as Matrix['actors']
  for (const viewer of VIEWERS) {
    const [orgId, role] = spec[viewer]
    const u = await makeUser(db, orgId, role)
    users[viewer] = { id: u.id, email: u.email, role }
    actors[viewer] = (await h.acting(u.id)).actor
  }

  const list: MatrixIncident[] = []
  const add = async (label: string, seed: Partial<IncidentSeed>, grants: { users?: string[]; orgs?: string[] } = {}) => {
    const row = await insertIncident(db, {
      reportingOrganisationId: org.owner,
      createdBy: users.creator.id,
      title: `Mã độc ${label}`,
      ...seed,
    })
    for (const u of grants.users ?? []) await grantIncident(db, row.id, { userId: u })
    for (const o of grants.orgs ?? []) await grantIncident(db, row.id, { organisationId: o })
    list.push({ label, row, grantedUserIds: grants.users ?? [], grantedOrganisationIds: grants.orgs ?? [] })
  }
  for (const tlp of TLPS) await add(tlp, { tlp })
  await add('draft AMBER', { tlp: 'AMBER', status: 'draft' })
  await add('draft GREEN', { tlp: 'GREEN', status: 'draft' })
  await add('AMBER+STRICT escalated', { tlp: 'AMBER+STRICT', escalatedAt: new Date(), triageStatus: 'pending' }, { orgs: [org.cert] })
  await add('RED named analyst', { tlp: 'RED' }, { users: [users.analyst.id] })
  await add('AMBER of another cluster', { tlp: 'AMBER', reportingOrganisationId: org.outsider, createdBy: users.outsiderLeadResponder.id })

  return {
    org,
    clusterId: cluster.id,
    otherClusterId: otherCluster.id,
    users,
    actors,
    incidents: list,
    expectedFor(viewer) {
      return new Set(
        list
          .filter((i) =>
            canSeeIncident(actors[viewer], factsOf(i.row, [...i.grantedUserIds.map((u) => ({ userId: u, organisationId: null })), ...i.grantedOrganisationIds.map((o) => ({ userId: null, organisationId: o }))])),
          )
          .map((i) => i.row.id),
      )
    },
  }
}

export function idOf(matrix: Matrix, label: string): string {
  const found = matrix.incidents.find((i) => i.label === label)
  if (!found) throw new Error(`no matrix incident ${label}`)
  return found.row.id
}

/** The expected table, written out, so the tests do not only mirror the policy's own code. */
export const SPOT_CHECKS: [Viewer, string, boolean][] = [
  ['creator', 'RED', true],
  ['ownerReporter', 'RED', false],
  ['ownerResponder', 'RED', false],
  ['ownerReporter', 'draft AMBER', false],
  ['ownerResponder', 'draft AMBER', true],
  ['leadResponder', 'draft GREEN', false],
  ['leadResponder', 'AMBER', true],
  ['leadAdmin', 'AMBER', true],
  ['leadReporter', 'AMBER', false],
  ['leadResponder', 'AMBER+STRICT', false],
  ['siblingResponder', 'AMBER', false],
  ['siblingResponder', 'GREEN', true],
  ['outsiderLeadResponder', 'AMBER', false],
  ['outsiderLeadResponder', 'AMBER of another cluster', true],
  ['analyst', 'AMBER', true],
  ['analyst', 'AMBER+STRICT', false],
  ['analyst', 'AMBER+STRICT escalated', true],
  ['analyst', 'RED named analyst', true],
  ['certResponder', 'RED named analyst', false],
  ['certReporter', 'AMBER', false],
  ['sysadmin', 'AMBER', false],
  ['sysadmin', 'CLEAR', true],
  ['sysadmin', 'draft GREEN', false],
]

export function expectSameIds(actual: Iterable<string>, expected: Set<string>, context: string) {
  const list = [...actual]
  expect(new Set(list).size, `${context}: no duplicates`).toBe(list.length)
  expect(new Set(list), context).toEqual(expected)
}
