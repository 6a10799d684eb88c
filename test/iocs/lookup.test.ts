import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createIndicator, lookupIndicators } from '../../app/iocs/indicators.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { incidentCast, type IncidentCast, type Person } from '../incidents/core-fixtures.ts'

// "Have we seen this?": exact values, addresses within shared networks (inet, GiST inet_ops) and
// domains with their subdomains, on both drivers, never beyond what the asker may see.

let h: Harness
let cast: IncidentCast

beforeAll(async () => {
  h = await createHarness()
  cast = await incidentCast(h)
  const share = async (type: string, value: string, tlp = 'GREEN', by: Person = 'ownResponder') => createIndicator(await cast.as(by), { type, value, tlp })
  await share('cidr', '198.51.0.0/16')
  await share('cidr', '198.51.7.0/24')
  await share('ipv4', '198.51.7.9')
  await share('ipv4', '198.52.0.1')
  await share('ipv6', '2001:db8:5::1')
  await share('cidr', '2001:db8::/32')
  await share('domain', 'lookup-evil.vn')
  await share('domain', 'cdn.lookup-evil.vn')
  await share('domain', 'a.b.lookup-evil.vn', 'AMBER+STRICT', 'siblingResponder')
  await share('domain', 'notlookup-evil.vn')
  await share('domain', 'x_lookup-evil.vn')
})
afterAll(() => h.close())

const found = async (query: string, person: Person = 'ownResponder') =>
  (await lookupIndicators(await cast.as(person), query)).matches.map((m) => `${m.match} ${m.value}`).sort()

describe('looking an indicator up', () => {
  test('an address finds itself and every shared network around it', async () => {
    expect(await found('198[.]51[.]7[.]9')).toEqual(['contains 198.51.0.0/16', 'contains 198.51.7.0/24', 'exact 198.51.7.9'])
    expect(await found('2001:DB8:5:0::1')).toEqual(['contains 2001:db8::/32', 'exact 2001:db8:5::1'])
  })

  test('a network finds what lies inside it and what contains it', async () => {
    expect(await found('198.51.7.0/24')).toEqual(['contains 198.51.0.0/16', 'exact 198.51.7.0/24', 'within 198.51.7.9'])
    expect(await found('198.51.0.0/16')).toEqual(['exact 198.51.0.0/16', 'within 198.51.7.0/24', 'within 198.51.7.9'])
  })

  test('a domain finds itself and its subdomains, not look-alikes', async () => {
    expect(await found('Lookup-Evil.VN')).toEqual(['exact lookup-evil.vn', 'subdomain cdn.lookup-evil.vn'])
  })

  test('what the asker may not see is not found', async () => {
    // The sibling's AMBER+STRICT subdomain is theirs alone.
    expect(await found('lookup-evil.vn', 'siblingResponder')).toEqual(['exact lookup-evil.vn', 'subdomain a.b.lookup-evil.vn', 'subdomain cdn.lookup-evil.vn'])
    expect(await found('a.b.lookup-evil.vn', 'analyst')).toEqual([])
  })

  test('an unreadable query says why and finds nothing', async () => {
    expect(await lookupIndicators(await cast.as('ownResponder'), '999.1.1.1')).toEqual({ query: null, reason: 'ipv4_octet_range', matches: [] })
  })
})
