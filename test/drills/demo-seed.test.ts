import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { seedDemoAccounts } from '../../db/seed.ts'
import { drillActionItems, drillObservations, drillRegistrations, drillReports, drills } from '../../db/schema/index.ts'
import { hashPassword } from '../../app/auth/password.server.ts'
import { seedDemoDrills, type DemoDrill } from '../../app/drills/demo.server.ts'
import { getDrillDetail, listDrills } from '../../app/drills/drills.server.ts'
import { getDrillReport } from '../../app/drills/report.server.ts'
import { signUpForDrill } from '../../app/drills/registrations.server.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { userByEmail } from '../support/factories.ts'

// The demo drills: Cluster 3's past tabletop exercise (completed, with participants, attendance,
// observations and a published after-action report with action items) and the next
// drill open for registration, made by the demo accounts through the domain acts. Seeded once.

let h: Harness
let made: Map<DemoDrill, string>
let madeBeforeAccounts: Map<DemoDrill, string>

beforeAll(async () => {
  h = await createHarness()
  madeBeforeAccounts = await seedDemoDrills(h.services)
  await seedDemoAccounts(h.services.db, h.orgIds, hashPassword)
  made = await seedDemoDrills(h.services)
})
afterAll(() => h?.close())

const as = async (email: string): Promise<ActingContext> => h.acting((await userByEmail(h.services.db, email))!.id)
const row = async (key: DemoDrill) => (await h.services.db.select().from(drills).where(eq(drills.id, made.get(key)!)))[0]!

test('needs the demo accounts, and seeds both drills once', async () => {
  expect(madeBeforeAccounts.size).toBe(0)
  expect([...made.keys()].sort()).toEqual(['past', 'upcoming'])
  expect((await seedDemoDrills(h.services)).size).toBe(0)
  expect(await h.services.db.select({ id: drills.id }).from(drills)).toHaveLength(2)
})

test('the past drill is completed, with its participants; the upcoming one is open for registration', async () => {
  expect(await row('past')).toMatchObject({ status: 'completed', level: 'cluster' })
  const upcoming = await row('upcoming')
  expect(upcoming.status).toBe('published')
  const now = h.services.now().getTime()
  expect(upcoming.registrationOpensAt.getTime()).toBeLessThan(now)
  expect(upcoming.registrationClosesAt.getTime()).toBeGreaterThan(now)
  const past = await h.services.db.select().from(drillRegistrations).where(eq(drillRegistrations.drillId, made.get('past')!))
  expect(past.filter((r) => r.status === 'confirmed')).toHaveLength(3)
})

test('a Cluster 3 member sees both and signs up for the upcoming one; Cluster 1 may read a GREEN drill but not sign up', async () => {
  const quangNinh = await as('reporter@quangninh.demo')
  expect((await listDrills(quangNinh, { when: 'upcoming' })).map((d) => d.id)).toContain(made.get('upcoming'))
  expect((await listDrills(quangNinh, { when: 'past' })).map((d) => d.id)).toContain(made.get('past'))
  const signed = await signUpForDrill(quangNinh, made.get('upcoming')!, { role: 'blue_team' })
  expect(signed).toBeTruthy()
  const bacNinh = await as('reporter@bacninh.demo')
  await getDrillDetail(bacNinh, made.get('upcoming')!)
  await expect(signUpForDrill(bacNinh, made.get('upcoming')!, { role: 'blue_team' })).rejects.toMatchObject({ name: 'DomainError' })
  const upcoming = await h.services.db.select().from(drillRegistrations).where(eq(drillRegistrations.drillId, made.get('upcoming')!))
  expect(upcoming.map((r) => r.organisationId).sort()).toEqual([h.orgIds.get('so-tttt-hai-phong'), h.orgIds.get('so-tttt-quang-ninh')].sort())
})

test('the past drill has its attendance, observations and a published report whose action items two members own', async () => {
  const id = made.get('past')!
  const db = h.services.db
  const registrations = await db.select().from(drillRegistrations).where(eq(drillRegistrations.drillId, id))
  expect(registrations.map((r) => r.attendance).sort()).toEqual(['absent', 'attended', 'attended'])
  const observations = await db.select().from(drillObservations).where(eq(drillObservations.drillId, id))
  expect(observations.map((o) => o.score).sort()).toEqual([2, 4])
  const [report] = await db.select().from(drillReports).where(eq(drillReports.drillId, id))
  expect(report).toMatchObject({ status: 'published' })
  expect(report!.objectiveAssessments).toHaveLength(3)
  const items = await db.select().from(drillActionItems).where(eq(drillActionItems.drillId, id))
  const owners = [h.orgIds.get('so-tttt-hai-phong'), h.orgIds.get('so-tttt-quang-ninh')]
  expect(items.map((i) => i.ownerOrganisationId).sort()).toEqual([...owners].sort())
  expect(items.find((i) => i.ownerOrganisationId === owners[0])!.doneAt).not.toBeNull()
  expect(items.find((i) => i.ownerOrganisationId === owners[1])!.doneAt).toBeNull()
  // A participant reads the report; Cluster 1 sees the GREEN drill but not its report.
  const page = await getDrillReport(await as('reporter@quangninh.demo'), id)
  expect(page.report?.recommendations).toContain('đầu mối trực 24/7')
  expect(page.actionItems).toHaveLength(2)
  await expect(getDrillReport(await as('reporter@bacninh.demo'), id)).rejects.toMatchObject({ code: 'not_found' })
})
