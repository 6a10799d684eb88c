import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog, indicators, notificationEvents, type TlpLabel } from '../../db/schema/index.ts'
import { addSighting, createIndicator, getIndicator, listIndicators, relatedIndicators } from '../../app/iocs/indicators.server.ts'
import { resolveRecipients } from '../../app/notifications/recipients.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { incidentCast, PEOPLE, type IncidentCast, type Person } from '../incidents/core-fixtures.ts'

// The access matrix for indicators, their sightings and their correlations, with real rows: an
// indicator shared by the owner organisation's responder under each TLP label, read by everyone
// the rules distinguish (docs/decisions/004-visibility-rules.md, "Indicators").

let h: Harness
let cast: IncidentCast

beforeAll(async () => {
  h = await createHarness()
  cast = await incidentCast(h)
})
afterAll(() => h.close())

const SEES: Record<TlpLabel, readonly Person[]> = {
  CLEAR: PEOPLE,
  GREEN: PEOPLE,
  AMBER: ['creator', 'colleague', 'ownResponder', 'ownAdmin', 'leadResponder', 'analyst'],
  'AMBER+STRICT': ['creator', 'colleague', 'ownResponder', 'ownAdmin'],
  RED: ['ownResponder'],
}
const LABELS = Object.keys(SEES) as TlpLabel[]
/** Who may add a sighting, if they see the indicator: analysts, not reporters or administrators. */
const SIGHTERS: readonly Person[] = ['ownResponder', 'ownAdmin', 'leadResponder', 'siblingResponder', 'otherClusterResponder', 'analyst']

let n = 0
async function shared(tlp: TlpLabel, by: Person = 'ownResponder', value = `c2-${++n}.evil.example.vn`) {
  const { id } = await createIndicator(await cast.as(by), { type: 'domain', value, tlp })
  return id
}

describe.each(LABELS)('a TLP:%s indicator', (tlp) => {
  let id: string
  beforeAll(async () => {
    id = await shared(tlp)
  })

  test.each(PEOPLE.map((p) => [p, SEES[tlp].includes(p)] as const))('%s sees it: %s', async (person, sees) => {
    const acting = await cast.as(person)
    const listed = (await listIndicators(acting, { limit: 200 })).some((r) => r.id === id)
    expect(listed).toBe(sees)
    if (sees) expect((await getIndicator(acting, id)).indicator.id).toBe(id)
    else await expect(getIndicator(acting, id)).rejects.toMatchObject({ code: 'not_found' })
  })

  test.each(PEOPLE.map((p) => [p, SEES[tlp].includes(p), SIGHTERS.includes(p)] as const))(
    '%s adds a sighting (sees it: %s, analyst: %s)',
    async (person, sees, sighter) => {
      const attempt = addSighting(await cast.as(person), id, { count: '2', note: `seen by ${person}` })
      if (!sees) await expect(attempt).rejects.toMatchObject({ code: 'not_found' })
      else if (!sighter) await expect(attempt).rejects.toMatchObject({ code: 'forbidden' })
      else await expect(attempt).resolves.toMatchObject({ id: expect.any(String) })
    },
  )
})

describe('sharing', () => {
  test('reporters and system administrators do not share indicators', async () => {
    for (const person of ['creator', 'leadReporter', 'sysadmin'] as const) {
      await expect(createIndicator(await cast.as(person), { type: 'domain', value: 'x.evil.vn' })).rejects.toMatchObject({ code: 'forbidden' })
    }
  })

  test('a value is stored canonical, a repeat is the same indicator, and the act is audited', async () => {
    const acting = await cast.as('ownResponder')
    const first = await createIndicator(acting, { type: 'url', value: 'hxxps://Repeat[.]Evil.VN:443/a', tlp: 'GREEN' })
    const again = await createIndicator(acting, { type: 'url', value: 'https://repeat.evil.vn/a', tlp: 'GREEN' })
    expect(first.created).toBe(true)
    expect(again).toMatchObject({ id: first.id, created: false })
    const [row] = await h.services.db.select().from(indicators).where(eq(indicators.id, first.id))
    expect(row).toMatchObject({ value: 'https://repeat.evil.vn/a', sourceOrganisationId: cast.ownerOrgId, createdBy: cast.users.ownResponder.id })
    const audits = await h.services.db.select().from(auditLog).where(and(eq(auditLog.action, 'indicator.created'), eq(auditLog.objectId, first.id)))
    expect(audits).toHaveLength(1)
  })

  test('an invalid value is refused with its reason, on the value field', async () => {
    await expect(createIndicator(await cast.as('ownResponder'), { type: 'md5', value: 'abc' })).rejects.toMatchObject({
      code: 'validation',
      details: { fieldErrors: { value: ['iocs.validation.hash_length'] } },
    })
  })

  test('a warninglisted value is saved, with the warning', async () => {
    const result = await createIndicator(await cast.as('ownResponder'), { type: 'ipv4', value: '8.8.8.8', tlp: 'GREEN' })
    expect(result).toMatchObject({ created: true, warninglists: ['public-resolvers'] })
  })

  test('a sighting moves the indicator’s first and last seen', async () => {
    const id = await shared('GREEN')
    await addSighting(await cast.as('siblingResponder'), id, { seenAt: '2026-03-02T08:00:00Z', count: '3' })
    await addSighting(await cast.as('otherClusterResponder'), id, { seenAt: '2026-01-05', note: 'proxy logs' })
    const view = await getIndicator(await cast.as('analyst'), id)
    expect(view.indicator.firstSeenAt?.toISOString()).toBe('2026-01-05T00:00:00.000Z')
    expect(view.indicator.lastSeenAt?.toISOString()).toBe('2026-03-02T08:00:00.000Z')
    expect(view.sightings.map((s) => [s.organisationId, s.count])).toEqual([
      [cast.siblingOrgId, 3],
      [cast.otherOrgId, 1],
    ])
    await expect(addSighting(await cast.as('siblingResponder'), id, { count: '0' })).rejects.toMatchObject({ code: 'validation' })
  })
})

describe('correlations never reveal what the viewer may not see', () => {
  test('the same value from three organisations: each viewer sees only the holders they may see, and counts them alone', async () => {
    const value = 'shared-c2.evil.example.vn'
    const owner = await shared('GREEN', 'ownResponder', value)
    const sibling = await shared('AMBER+STRICT', 'siblingResponder', value)
    const other = await shared('AMBER', 'otherClusterResponder', value)
    const relatedIds = async (person: Person, id: string) => (await relatedIndicators(await cast.as(person), id)).map((r) => r.id).sort()

    // The owner's responder: the sibling's AMBER+STRICT and the other cluster's AMBER are not theirs to see.
    expect(await relatedIds('ownResponder', owner)).toEqual([])
    expect((await getIndicator(await cast.as('ownResponder'), owner)).seenByOrganisations).toBe(1)
    // The national CERT sees AMBER network-wide, never another organisation's AMBER+STRICT.
    expect(await relatedIds('analyst', owner)).toEqual([other])
    expect((await getIndicator(await cast.as('analyst'), owner)).seenByOrganisations).toBe(2)
    // The sibling sees its own copy and the owner's GREEN one, not the other cluster's AMBER.
    expect(await relatedIds('siblingResponder', sibling)).toEqual([owner])
    expect((await getIndicator(await cast.as('siblingResponder'), sibling)).seenByOrganisations).toBe(2)
    // The other cluster's responder sees the owner's GREEN copy beside its own.
    expect(await relatedIds('otherClusterResponder', other)).toEqual([owner])
    // Asking about a copy one may not see is a 404, not the list of its visible neighbours.
    await expect(relatedIndicators(await cast.as('ownResponder'), sibling)).rejects.toMatchObject({ code: 'not_found' })
  })

  test('the notice goes to the cluster lead and the national CERT only where they may see both sides', async () => {
    const db = h.services.db
    const eventsFor = async (id: string) => db.select().from(notificationEvents).where(and(eq(notificationEvents.type, 'indicator.correlated'), eq(notificationEvents.objectId, id)))

    // GREEN from the owner, then GREEN from the other cluster: the owner's cluster lead and the analyst are told.
    const first = 'notice-green.evil.example.vn'
    await shared('GREEN', 'ownResponder', first)
    const second = await shared('GREEN', 'otherClusterResponder', first)
    const [event] = await eventsFor(second)
    expect(event).toBeDefined()
    const told = (await resolveRecipients(db, event!)).map((r) => r.id)
    expect(told).toEqual(expect.arrayContaining([cast.users.leadResponder.id, cast.users.analyst.id]))
    expect(told).not.toContain(cast.users.otherClusterResponder.id)
    expect(told).not.toContain(cast.users.siblingResponder.id)

    // Against an AMBER+STRICT copy nobody outside its organisation may see: no one is told.
    const hidden = 'notice-strict.evil.example.vn'
    await shared('AMBER+STRICT', 'ownResponder', hidden)
    const probe = await shared('GREEN', 'otherClusterResponder', hidden)
    const [strictEvent] = await eventsFor(probe)
    expect(strictEvent).toBeDefined()
    expect(await resolveRecipients(db, strictEvent!)).toEqual([])
  })

  test('a repeated share does not correlate or notify twice', async () => {
    const value = 'repeat-notice.evil.example.vn'
    await shared('GREEN', 'ownResponder', value)
    const id = await shared('GREEN', 'siblingResponder', value)
    await createIndicator(await cast.as('siblingResponder'), { type: 'domain', value, tlp: 'GREEN' })
    const events = await h.services.db.select().from(notificationEvents).where(and(eq(notificationEvents.type, 'indicator.correlated'), eq(notificationEvents.objectId, id)))
    expect(events).toHaveLength(1)
  })
})
