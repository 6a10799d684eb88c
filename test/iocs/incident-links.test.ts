import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createIndicator, getIndicator, indicatorsOfIncident, linkIncident } from '../../app/iocs/indicators.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { fileIncident, incidentCast, type IncidentCast } from '../incidents/core-fixtures.ts'

// An indicator linked to an incident: each side names the other only to those who may see it.

let h: Harness
let cast: IncidentCast
let incidentId: string
let green: string
let strict: string

beforeAll(async () => {
  h = await createHarness()
  cast = await incidentCast(h)
  incidentId = (await fileIncident(await cast.as('creator'), { tlp: 'AMBER' })).id
  green = (await createIndicator(await cast.as('ownResponder'), { type: 'domain', value: 'linked.evil.vn', tlp: 'GREEN' })).id
  strict = (await createIndicator(await cast.as('ownResponder'), { type: 'domain', value: 'linked-strict.evil.vn', tlp: 'AMBER+STRICT' })).id
  expect(await linkIncident(await cast.as('ownResponder'), green, incidentId)).toEqual({ linked: true })
  expect(await linkIncident(await cast.as('ownAdmin'), strict, incidentId)).toEqual({ linked: true })
})
afterAll(() => h.close())

describe('indicators linked to incidents', () => {
  test('linking twice changes nothing', async () => {
    expect(await linkIncident(await cast.as('ownResponder'), green, incidentId)).toEqual({ linked: false })
  })

  test('the indicator names the incident only to those who may see the incident', async () => {
    expect((await getIndicator(await cast.as('analyst'), green)).linkedIncidents.map((i) => i.id)).toEqual([incidentId])
    expect((await getIndicator(await cast.as('leadResponder'), green)).linkedIncidents.map((i) => i.id)).toEqual([incidentId])
    expect((await getIndicator(await cast.as('siblingResponder'), green)).linkedIncidents).toEqual([])
    expect((await getIndicator(await cast.as('otherClusterResponder'), green)).linkedIncidents).toEqual([])
  })

  test('the incident lists only the indicators the viewer may see', async () => {
    const values = async (person: Parameters<IncidentCast['as']>[0]) => (await indicatorsOfIncident(await cast.as(person), incidentId)).map((i) => i.value)
    expect(await values('ownAdmin')).toEqual(['linked-strict.evil.vn', 'linked.evil.vn'])
    expect(await values('leadResponder')).toEqual(['linked.evil.vn'])
    await expect(indicatorsOfIncident(await cast.as('siblingResponder'), incidentId)).rejects.toMatchObject({ code: 'not_found' })
  })

  test('only those who see both sides and share indicators may link', async () => {
    await expect(linkIncident(await cast.as('siblingResponder'), green, incidentId)).rejects.toMatchObject({ code: 'not_found' })
    await expect(linkIncident(await cast.as('leadResponder'), strict, incidentId)).rejects.toMatchObject({ code: 'not_found' })
    await expect(linkIncident(await cast.as('creator'), green, incidentId)).rejects.toMatchObject({ code: 'forbidden' })
    await expect(linkIncident(await cast.as('analyst'), green, incidentId)).resolves.toEqual({ linked: false })
  })
})
