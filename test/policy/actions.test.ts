import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Actor } from '../../app/policy/actor.ts'
import { assignableRoles, can, type Action } from '../../app/policy/policy.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { makeUser } from '../support/factories.ts'

// The action matrix of the foundation, over actors loaded from real rows (so cluster terms and
// organisation kinds come from the database, as in production).

let h: Harness
const a: Record<string, Actor> = {}
let namDinh: string
let quangNinh: string
let vncert: string

beforeAll(async () => {
  h = await createHarness()
  const db = h.services.db
  namDinh = h.orgIds.get('so-tttt-nam-dinh')!
  quangNinh = h.orgIds.get('so-tttt-quang-ninh')!
  vncert = h.orgIds.get('vncert')!
  const people: [string, string, Actor['role']][] = [
    ['reporter', quangNinh, 'reporter'],
    ['responder', quangNinh, 'responder'],
    ['orgAdmin', quangNinh, 'org_admin'],
    ['leadResponder', namDinh, 'responder'],
    ['leadAdmin', namDinh, 'org_admin'],
    ['analyst', vncert, 'cert_analyst'],
    ['certAdmin', vncert, 'org_admin'],
    ['sysadmin', vncert, 'sysadmin'],
  ]
  for (const [name, org, role] of people) a[name] = (await h.acting((await makeUser(db, org, role)).id)).actor
})
afterAll(() => h.close())

test('the seeded Cluster 3 lead is Nam Định for the current term, and its actors know the members they coordinate', () => {
  expect(a.leadResponder!.officerOf.map((o) => o.role)).toEqual(['lead'])
  expect(a.leadResponder!.coordinatedOrganisationIds).toContain(quangNinh)
  expect(a.reporter!.officerOf).toEqual([])
  expect(a.reporter!.clusterIds).toHaveLength(1)
})

type Row = [label: string, request: () => Action, allowed: string[]]
const everyone = ['reporter', 'responder', 'orgAdmin', 'leadResponder', 'leadAdmin', 'analyst', 'certAdmin', 'sysadmin']
const rows: Row[] = [
  ['view the network directory', () => ({ action: 'organisation.view' }), everyone],
  ['view clusters', () => ({ action: 'cluster.view' }), everyone],
  ['create an organisation', () => ({ action: 'organisation.create' }), ['sysadmin']],
  ['edit an organisation', () => ({ action: 'organisation.update', organisationId: quangNinh }), ['sysadmin']],
  ['merge organisations', () => ({ action: 'organisation.merge' }), ['sysadmin']],
  ["edit Quảng Ninh's contact points", () => ({ action: 'organisation.editContacts', organisationId: quangNinh }), ['orgAdmin', 'sysadmin']],
  ["edit Nam Định's contact points", () => ({ action: 'organisation.editContacts', organisationId: namDinh }), ['leadAdmin', 'sysadmin']],
  ['manage clusters and their officers', () => ({ action: 'cluster.manage' }), ['certAdmin', 'sysadmin']],
  ['list users', () => ({ action: 'user.list' }), ['orgAdmin', 'leadAdmin', 'certAdmin', 'sysadmin']],
  ['view the audit log', () => ({ action: 'audit.view' }), ['orgAdmin', 'leadAdmin', 'certAdmin', 'sysadmin']],
  ['invite a reporter into Quảng Ninh', () => ({ action: 'user.invite', organisationId: quangNinh, organisationKind: 'member', role: 'reporter' }), ['orgAdmin', 'sysadmin']],
  ['invite an org admin into Quảng Ninh', () => ({ action: 'user.invite', organisationId: quangNinh, organisationKind: 'member', role: 'org_admin' }), ['orgAdmin', 'sysadmin']],
  ['invite a national-CERT analyst into a member organisation', () => ({ action: 'user.invite', organisationId: quangNinh, organisationKind: 'member', role: 'cert_analyst' }), []],
  ['invite a national-CERT analyst into VNCERT/CC', () => ({ action: 'user.invite', organisationId: vncert, organisationKind: 'national_cert', role: 'cert_analyst' }), ['certAdmin', 'sysadmin']],
  ['invite a system administrator', () => ({ action: 'user.invite', organisationId: vncert, organisationKind: 'national_cert', role: 'sysadmin' }), ['sysadmin']],
  ['make a Quảng Ninh user a responder', () => ({ action: 'user.manage', organisationId: quangNinh, organisationKind: 'member', role: 'responder', userId: crypto.randomUUID() }), ['orgAdmin', 'sysadmin']],
]

describe('who may do what', () => {
  for (const [label, request, allowed] of rows) {
    for (const who of everyone) {
      const yes = allowed.includes(who)
      test(`${who} ${yes ? 'may' : 'may not'} ${label}`, () => {
        expect(can(a[who]!, request())).toBe(yes)
      })
    }
  }
})

test('nobody manages their own account: role change and deactivation of oneself are refused', () => {
  for (const who of ['orgAdmin', 'sysadmin']) {
    const actor = a[who]!
    expect(can(actor, { action: 'user.manage', organisationId: actor.organisationId, organisationKind: actor.organisationKind, role: 'reporter', userId: actor.userId })).toBe(false)
  }
})

test('an organisation admin hands out only member roles of its own organisation', () => {
  expect(assignableRoles(a.orgAdmin!, quangNinh, 'member')).toEqual(['reporter', 'responder', 'org_admin'])
  expect(assignableRoles(a.orgAdmin!, namDinh, 'member')).toEqual([])
  expect(assignableRoles(a.certAdmin!, vncert, 'national_cert')).not.toContain('sysadmin')
  expect(assignableRoles(a.reporter!, quangNinh, 'member')).toEqual([])
})
