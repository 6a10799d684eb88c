import { afterAll, beforeAll, expect, test } from 'vitest'
import { seedDemoAccounts } from '../../db/seed.ts'
import { hashPassword } from '../../app/auth/password.server.ts'
import { DEMO_C2_ADDRESS, DEMO_PHISHING_DOMAIN, seedDemoIndicators } from '../../app/iocs/demo.server.ts'
import { getIndicator, listIndicators, lookupIndicators } from '../../app/iocs/indicators.server.ts'
import { resolveRecipients } from '../../app/notifications/recipients.server.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { userByEmail } from '../support/factories.ts'
import { eq } from 'drizzle-orm'
import { notificationEvents } from '../../db/schema/index.ts'

// The demo indicators: a Hải Phòng paste, the same phishing domain from the Cluster 3 lead and the
// same C2 address from Bắc Ninh (Cluster 1) — correlations inside and across clusters — and a
// sighting, made by the demo accounts through the domain acts. Seeded once, only with the accounts.

let h: Harness
let before: number
let seeded: number

beforeAll(async () => {
  h = await createHarness()
  before = await seedDemoIndicators(h.services)
  await seedDemoAccounts(h.services.db, h.orgIds, hashPassword)
  seeded = await seedDemoIndicators(h.services)
})
afterAll(() => h?.close())

const as = async (email: string): Promise<ActingContext> => h.acting((await userByEmail(h.services.db, email))!.id)

test('needs the demo accounts and seeds once', async () => {
  expect(before).toBe(0)
  expect(seeded).toBeGreaterThanOrEqual(6)
  expect(await seedDemoIndicators(h.services)).toBe(0)
})

test('the pasted report was refanged: the domain, URL, address, email and hash are there', async () => {
  const list = await listIndicators(await as('responder@haiphong.demo'), { limit: 200 })
  const mine = list.filter((i) => i.organisationName.includes('Hải Phòng')).map((i) => `${i.type} ${i.value}`)
  expect(mine).toEqual(
    expect.arrayContaining([
      `domain ${DEMO_PHISHING_DOMAIN}`,
      `url https://${DEMO_PHISHING_DOMAIN}/dang-nhap?ma=2026`,
      `ipv4 ${DEMO_C2_ADDRESS}`,
      `email thongbao@${DEMO_PHISHING_DOMAIN}`,
      'sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    ]),
  )
})

test('the C2 address is seen by two organisations across clusters, with the lead’s sighting; the Cluster 3 lead is told', async () => {
  const lead = await as('lead@namdinh.demo')
  const found = await lookupIndicators(lead, DEMO_C2_ADDRESS)
  expect(found.matches).toHaveLength(2)
  const pages = await Promise.all(found.matches.map((m) => getIndicator(lead, m.id)))
  expect(pages.map((p) => p.seenByOrganisations)).toEqual([2, 2])
  expect(pages.flatMap((p) => p.sightings).map((s) => s.count)).toEqual([4])
  const events = await h.services.db.select().from(notificationEvents).where(eq(notificationEvents.type, 'indicator.correlated'))
  expect(events.length).toBeGreaterThanOrEqual(2)
  const told = new Set<string>()
  for (const e of events) for (const r of await resolveRecipients(h.services.db, e)) told.add(r.email)
  expect(told).toContain('lead@namdinh.demo')
  expect(told).toContain('analyst@vncert.demo')
})
