import { inArray, sql } from 'drizzle-orm'
import { pgTable, text, uuid } from 'drizzle-orm/pg-core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { accessGrants } from '../../db/schema/index.ts'
import type { Actor, TlpLabel } from '../../app/policy/actor.ts'
import { canSeeTlpItem, tlpVisibleWhere, type TlpItem } from '../../app/policy/policy.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { makeCluster, makeOrganisation, makeUser } from '../support/factories.ts'

// TLP visibility is written twice: canSeeTlpItem (one object) and tlpVisibleWhere (a SQL
// condition for lists). These tests pin both to the decision record's table
// (docs/decisions/004-visibility-rules.md) with real rows, and check they never disagree.

const probe = pgTable('tlp_probe', {
  id: uuid().primaryKey(),
  tlp: text().notNull(),
  ownerOrganisationId: uuid().notNull(),
  createdBy: uuid(),
})

let h: Harness
const org: Record<string, string> = {}
const user: Record<string, string> = {}
const actors: Record<string, Actor> = {}

beforeAll(async () => {
  h = await createHarness()
  const db = h.services.db
  await db.execute(sql`create table tlp_probe (id uuid primary key, tlp tlp_label not null, owner_organisation_id uuid not null, created_by uuid)`)
  const nationalCertId = h.orgIds.get('vncert')!
  org.cert = nationalCertId
  org.lead = (await makeOrganisation(db)).id
  org.owner = (await makeOrganisation(db)).id
  org.sibling = (await makeOrganisation(db)).id
  org.outsider = (await makeOrganisation(db)).id
  org.outsiderLead = (await makeOrganisation(db)).id
  await makeCluster(db, { members: [org.lead, org.owner, org.sibling], lead: org.lead })
  await makeCluster(db, { members: [org.outsider, org.outsiderLead], lead: org.outsiderLead })
  const people: [string, string, Actor['role']][] = [
    ['ownerReporter', org.owner, 'reporter'],
    ['ownerResponder', org.owner, 'responder'],
    ['leadResponder', org.lead, 'responder'],
    ['leadReporter', org.lead, 'reporter'],
    ['siblingResponder', org.sibling, 'responder'],
    ['outsiderLeadResponder', org.outsiderLead, 'responder'],
    ['analyst', org.cert, 'cert_analyst'],
    ['certReporter', org.cert, 'reporter'],
    ['sysadmin', org.cert, 'sysadmin'],
  ]
  for (const [name, orgId, role] of people) {
    user[name] = (await makeUser(db, orgId, role)).id
    actors[name] = (await h.acting(user[name]!)).actor
  }
})
afterAll(() => h.close())

async function insertItem(item: { tlp: TlpLabel; owner: string; createdBy: string; grantUsers?: string[]; grantOrgs?: string[] }) {
  const id = crypto.randomUUID()
  await h.services.db.insert(probe).values({ id, tlp: item.tlp, ownerOrganisationId: item.owner, createdBy: item.createdBy })
  for (const u of item.grantUsers ?? []) {
    await h.services.db.insert(accessGrants).values({ objectType: 'probe', objectId: id, granteeUserId: u, reason: 'test' })
  }
  for (const o of item.grantOrgs ?? []) {
    await h.services.db.insert(accessGrants).values({ objectType: 'probe', objectId: id, granteeOrganisationId: o, reason: 'test' })
  }
  return id
}

async function visibleIds(actor: Actor, ids: string[]) {
  const rows = await h.services.db
    .select({ id: probe.id })
    .from(probe)
    .where(sql`${inArray(probe.id, ids)} and ${tlpVisibleWhere(actor, { objectType: 'probe', id: probe.id, tlp: probe.tlp, ownerOrganisationId: probe.ownerOrganisationId, createdBy: probe.createdBy })}`)
  return new Set(rows.map((r) => r.id))
}

// Expected visibility of an item owned by org.owner and created by ownerReporter, per label.
const MATRIX: Record<TlpLabel, Record<string, boolean>> = {
  CLEAR: { ownerReporter: true, ownerResponder: true, leadResponder: true, leadReporter: true, siblingResponder: true, outsiderLeadResponder: true, analyst: true, certReporter: true, sysadmin: true },
  GREEN: { ownerReporter: true, ownerResponder: true, leadResponder: true, leadReporter: true, siblingResponder: true, outsiderLeadResponder: true, analyst: true, certReporter: true, sysadmin: true },
  AMBER: { ownerReporter: true, ownerResponder: true, leadResponder: true, leadReporter: false, siblingResponder: false, outsiderLeadResponder: false, analyst: true, certReporter: false, sysadmin: false },
  'AMBER+STRICT': { ownerReporter: true, ownerResponder: true, leadResponder: false, leadReporter: false, siblingResponder: false, outsiderLeadResponder: false, analyst: false, certReporter: false, sysadmin: false },
  RED: { ownerReporter: true, ownerResponder: false, leadResponder: false, leadReporter: false, siblingResponder: false, outsiderLeadResponder: false, analyst: false, certReporter: false, sysadmin: false },
}

describe('TLP visibility of an item filed by a member organisation', () => {
  for (const [tlp, expected] of Object.entries(MATRIX) as [TlpLabel, Record<string, boolean>][]) {
    for (const [who, allowed] of Object.entries(expected)) {
      test(`${tlp}: ${who} ${allowed ? 'sees' : 'does not see'} it`, async () => {
        const id = await insertItem({ tlp, owner: org.owner!, createdBy: user.ownerReporter! })
        const item: TlpItem = { tlp, ownerOrganisationId: org.owner!, createdBy: user.ownerReporter!, grantedUserIds: [], grantedOrganisationIds: [] }
        expect(canSeeTlpItem(actors[who]!, item)).toBe(allowed)
        expect((await visibleIds(actors[who]!, [id])).has(id)).toBe(allowed)
      })
    }
  }
})

describe('explicit grants', () => {
  test('escalating an AMBER+STRICT item grants the national CERT, and only its organisation', async () => {
    const id = await insertItem({ tlp: 'AMBER+STRICT', owner: org.owner!, createdBy: user.ownerReporter!, grantOrgs: [org.cert!] })
    expect((await visibleIds(actors.analyst!, [id])).has(id)).toBe(true)
    expect((await visibleIds(actors.leadResponder!, [id])).has(id)).toBe(false)
  })

  test('a TLP:RED item is seen by its named recipients and nobody else, not even their colleagues', async () => {
    const id = await insertItem({ tlp: 'RED', owner: org.owner!, createdBy: user.ownerReporter!, grantUsers: [user.analyst!] })
    expect((await visibleIds(actors.analyst!, [id])).has(id)).toBe(true)
    expect((await visibleIds(actors.sysadmin!, [id])).has(id)).toBe(false)
    expect((await visibleIds(actors.ownerResponder!, [id])).has(id)).toBe(false)
  })

  test('an organisation grant does not open a TLP:RED item: RED names people', async () => {
    const id = await insertItem({ tlp: 'RED', owner: org.owner!, createdBy: user.ownerReporter!, grantOrgs: [org.cert!] })
    expect((await visibleIds(actors.analyst!, [id])).has(id)).toBe(false)
  })

  test('a grant on one object does not leak to another object with the same owner', async () => {
    const granted = await insertItem({ tlp: 'AMBER+STRICT', owner: org.owner!, createdBy: user.ownerReporter!, grantOrgs: [org.sibling!] })
    const other = await insertItem({ tlp: 'AMBER+STRICT', owner: org.owner!, createdBy: user.ownerReporter! })
    const seen = await visibleIds(actors.siblingResponder!, [granted, other])
    expect(seen.has(granted)).toBe(true)
    expect(seen.has(other)).toBe(false)
  })
})

describe('the SQL condition and the object check never disagree', () => {
  test('for random items, grants and viewers', async () => {
    const orgKeys = Object.keys(org)
    const userKeys = Object.keys(user)
    const itemArb = fc.record({
      tlp: fc.constantFrom<TlpLabel>('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'),
      owner: fc.constantFrom(...orgKeys),
      creator: fc.constantFrom(...userKeys),
      grantUsers: fc.uniqueArray(fc.constantFrom(...userKeys), { maxLength: 2 }),
      grantOrgs: fc.uniqueArray(fc.constantFrom(...orgKeys), { maxLength: 2 }),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(itemArb, { minLength: 1, maxLength: 6 }), fc.constantFrom(...userKeys), async (items, viewer) => {
        const made: { id: string; item: TlpItem }[] = []
        for (const it of items) {
          const grantUsers = it.grantUsers.map((k) => user[k]!)
          const grantOrgs = it.grantOrgs.map((k) => org[k]!)
          const id = await insertItem({ tlp: it.tlp, owner: org[it.owner]!, createdBy: user[it.creator]!, grantUsers, grantOrgs })
          made.push({ id, item: { tlp: it.tlp, ownerOrganisationId: org[it.owner]!, createdBy: user[it.creator]!, grantedUserIds: grantUsers, grantedOrganisationIds: grantOrgs } })
        }
        const seen = await visibleIds(actors[viewer]!, made.map((m) => m.id))
        for (const m of made) expect(seen.has(m.id)).toBe(canSeeTlpItem(actors[viewer]!, m.item))
      }),
      { numRuns: 40 },
    )
  })
})
