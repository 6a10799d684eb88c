import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { INDICATOR_TYPES as STORED_TYPES, indicators } from '../../db/schema/index.ts'
import { INDICATOR_TYPES } from '../../app/iocs/normalise.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { makeOrganisation, makeUser } from '../support/factories.ts'

let h: Harness
let orgId: string
let otherOrgId: string
let userId: string

beforeAll(async () => {
  h = await createHarness()
  orgId = (await makeOrganisation(h.services.db)).id
  otherOrgId = (await makeOrganisation(h.services.db)).id
  userId = (await makeUser(h.services.db, orgId, 'responder')).id
})
afterAll(() => h.close())

const row = (type: (typeof STORED_TYPES)[number], value: string, network: string | null, source = orgId) => ({
  type,
  value,
  network,
  sourceOrganisationId: source,
  createdBy: userId,
})

describe('the indicators schema', () => {
  test('the database enum and the normaliser know the same types', () => {
    expect([...STORED_TYPES]).toEqual([...INDICATOR_TYPES])
  })

  test('(type, value, source organisation) is unique, so imports can be idempotent', async () => {
    const db = h.services.db
    await db.insert(indicators).values(row('domain', 'dup.example.vn', null))
    await db.insert(indicators).values(row('domain', 'dup.example.vn', null, otherOrgId))
    await expect(db.insert(indicators).values(row('domain', 'dup.example.vn', null))).rejects.toThrow()
    const again = await db.insert(indicators).values(row('domain', 'dup.example.vn', null)).onConflictDoNothing().returning()
    expect(again).toEqual([])
  })

  test('addresses are found inside a network and networks around an address through the inet column', async () => {
    const db = h.services.db
    await db.insert(indicators).values([
      row('ipv4', '198.18.7.9', '198.18.7.9'),
      row('ipv6', '2001:db8:7::9', '2001:db8:7::9'),
      row('cidr', '198.18.0.0/16', '198.18.0.0/16'),
      row('ipv4', '198.19.0.1', '198.19.0.1'),
    ])
    const inside = await db
      .select({ value: indicators.value })
      .from(indicators)
      .where(sql`${indicators.network} <<= ${'198.18.0.0/16'}::inet`)
      .orderBy(indicators.value)
    expect(inside.map((r) => r.value)).toEqual(['198.18.0.0/16', '198.18.7.9'])
    const around = await db
      .select({ value: indicators.value })
      .from(indicators)
      .where(sql`${indicators.network} >>= ${'198.18.7.9'}::inet`)
      .orderBy(indicators.value)
    expect(around.map((r) => r.value)).toEqual(['198.18.0.0/16', '198.18.7.9'])
    const v6 = await db.select({ value: indicators.value }).from(indicators).where(sql`${indicators.network} <<= ${'2001:db8::/32'}::inet`)
    expect(v6.map((r) => r.value)).toEqual(['2001:db8:7::9'])
  })

  test('only address types carry a network, and confidence stays within 0–100', async () => {
    const db = h.services.db
    await expect(db.insert(indicators).values(row('domain', 'net.example.vn', '10.0.0.1'))).rejects.toThrow()
    await expect(db.insert(indicators).values(row('ipv4', '10.9.9.9', null))).rejects.toThrow()
    await expect(db.insert(indicators).values({ ...row('md5', 'a'.repeat(32), null), confidence: 101 })).rejects.toThrow()
    const [ok] = await db.insert(indicators).values({ ...row('md5', 'b'.repeat(32), null), confidence: 100 }).returning()
    expect((await db.select().from(indicators).where(eq(indicators.id, ok!.id)))[0]?.confidence).toBe(100)
  })
})
