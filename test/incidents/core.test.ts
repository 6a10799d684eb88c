import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { accessGrants, auditLog, incidents, notificationEvents } from '../../db/schema/index.ts'
import {
  addComment,
  assignIncident,
  createIncident,
  getIncidentDetail,
  getIncidentForEdit,
  transitionIncident,
  updateIncident,
} from '../../app/incidents/incidents.server.ts'
import { grantIncidentToOrganisation } from '../../app/incidents/access.server.ts'
import { dateToLocalDateTime } from '../../app/lib/dates.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { testDriver } from '../support/db.ts'
import { makeUser } from '../support/factories.ts'
import {
  completeReport,
  eventsFor,
  expectDomainError,
  fileIncident,
  incidentCast,
  incidentRow,
  outcome,
  PEOPLE,
  type IncidentCast,
  type Person,
} from './core-fixtures.ts'

let h: Harness
let cast: IncidentCast

beforeAll(async () => {
  h = await createHarness()
  cast = await incidentCast(h)
})
afterAll(() => h.close())

describe('filing an initial report (Form 03)', () => {
  test('a submitted report gets a reference, status new, its organisation and creator, and a filed timeline entry', async () => {
    const creator = await cast.as('creator')
    const created = await fileIncident(creator)
    const row = await incidentRow(h, created.id)
    const year = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date())
    expect(row.reference).toMatch(new RegExp(`^IR-${year}-\\d{6}$`))
    expect(row).toMatchObject({
      status: 'new',
      reportingOrganisationId: cast.ownerOrgId,
      createdBy: cast.users.creator.id,
      category: 'defacement',
      severity: 'high',
      tlp: 'AMBER',
      systemDomains: ['portal.example.gov.vn'],
      systemPublicIps: ['203.0.113.10'],
      systemLevel: 3,
    })
    expect(row.submittedAt).toBeInstanceOf(Date)
    const detail = await getIncidentDetail(creator, created.id)
    expect(detail.timeline.map((e) => e.kind)).toEqual(['filed'])
    const audit = await h.services.db.select().from(auditLog).where(and(eq(auditLog.action, 'incident.filed'), eq(auditLog.objectId, created.id)))
    expect(audit).toHaveLength(1)
  })

  test('a draft needs only a title, and TLP defaults to AMBER', async () => {
    const created = await createIncident(await cast.as('creator'), { title: 'Chưa rõ sự cố' })
    const row = await incidentRow(h, created.id)
    expect(row).toMatchObject({ status: 'draft', tlp: 'AMBER', pap: 'AMBER', category: '', submittedAt: null })
    await expectDomainError(createIncident(await cast.as('creator'), { title: '  ' }), 'validation')
  })

  test('submitting requires the essentials, and reports every missing one at once', async () => {
    const error = await expectDomainError(
      createIncident(await cast.as('creator'), { title: 'Thiếu thông tin', systemPublicIps: '999.1.1.1' }, { submit: true }),
      'validation',
    )
    expect(Object.keys(error.details.fieldErrors!).sort()).toEqual(
      ['category', 'contactEmail', 'contactName', 'description', 'detectedAt', 'systemName', 'systemPublicIps'].sort(),
    )
    expect(error.details.fieldErrors!.contactEmail).toEqual(['incidents.validation.contactMeans'])
    expect(error.details.fieldErrors!.systemPublicIps).toEqual(['incidents.validation.ip'])
  })

  test('a phone number is enough to reach the contact', async () => {
    const created = await fileIncident(await cast.as('creator'), { contactEmail: '', contactPhone: '+84 912 345 678' })
    expect(created.status).toBe('new')
  })

  test('domains and IPs come from lines, commas or repeated fields, refanged, lowercased and deduplicated', async () => {
    const created = await fileIncident(await cast.as('creator'), {
      systemDomains: ['Portal.Example.gov.vn.\nmail[.]example.gov.vn, https://dichvucong.example.gov.vn/path', 'portal.example.gov.vn'],
      systemPublicIps: '203.0.113.10, 2001:DB8::1\n198.51.100.7',
    })
    const row = await incidentRow(h, created.id)
    expect(row.systemDomains).toEqual(['portal.example.gov.vn', 'mail.example.gov.vn', 'dichvucong.example.gov.vn'])
    expect(row.systemPublicIps).toEqual(['203.0.113.10', '2001:db8::1', '198.51.100.7'])
  })

  test('bad domains, bad IPs, a level outside 1–5 and unknown choices are refused with clear messages', async () => {
    const error = await expectDomainError(
      fileIncident(await cast.as('creator'), {
        systemDomains: 'not a domain!',
        systemPublicIps: '10.0.0.300',
        systemLevel: '7',
        category: 'aliens',
        tlp: 'PURPLE',
        detectionMethods: ['ids', 'crystal-ball'],
      }),
      'validation',
    )
    expect(error.details.fieldErrors).toMatchObject({
      systemDomains: ['incidents.validation.domain'],
      systemPublicIps: ['incidents.validation.ip'],
      systemLevel: ['incidents.validation.systemLevel'],
      category: ['validation.invalid'],
      tlp: ['validation.invalid'],
      detectionMethods: ['validation.invalid'],
    })
  })

  test('the detection time is read in the reporter’s zone and may not be in the future', async () => {
    const created = await createIncident(await cast.as('creator'), completeReport({ detectedAt: '2026-01-05T08:30' }), {
      submit: true,
      timeZone: 'Asia/Ho_Chi_Minh',
    })
    expect((await incidentRow(h, created.id)).detectedAt!.toISOString()).toBe('2026-01-05T01:30:00.000Z')
    const tomorrow = dateToLocalDateTime(new Date(Date.now() + 24 * 3600_000), 'Asia/Ho_Chi_Minh')
    const error = await expectDomainError(fileIncident(await cast.as('creator'), { detectedAt: tomorrow }), 'validation')
    expect(error.details.fieldErrors!.detectedAt).toEqual(['incidents.validation.detectedInFuture'])
    const bad = await expectDomainError(fileIncident(await cast.as('creator'), { detectedAt: '2026-02-30T10:00' }), 'validation')
    expect(bad.details.fieldErrors!.detectedAt).toEqual(['incidents.validation.dateTime'])
  })

  test('the serious flag follows the legal test from the criteria, which are stored', async () => {
    const serious = await fileIncident(await cast.as('creator'), {
      systemLevel: '4',
      seriousHarms: ['interruption', 'lossOfControl'],
      beyondOwnerCapacity: 'on',
    })
    const row = await incidentRow(h, serious.id)
    expect(row.serious).toBe(true)
    expect(row.seriousCriteria).toMatchObject({ interruption: true, lossOfControl: true, beyondOwnerCapacity: true, secretLeak: false })
    const notSerious = await fileIncident(await cast.as('creator'), { systemLevel: '3', seriousHarms: 'interruption', beyondOwnerCapacity: 'on' })
    expect((await incidentRow(h, notSerious.id)).serious).toBe(false)
    const critical = await fileIncident(await cast.as('creator'), {
      systemLevel: '2',
      criticalNationalSystem: 'on',
      seriousHarms: 'secretLeak',
      beyondOwnerCapacity: 'on',
    })
    expect((await incidentRow(h, critical.id)).serious).toBe(true)
  })

  test('a system administrator may not file incidents', async () => {
    await expectDomainError(fileIncident(await cast.as('sysadmin')), 'forbidden')
  })

  test('posted organisation, creator, status, reference and dates are ignored (no mass assignment)', async () => {
    const created = await fileIncident(
      await cast.as('creator'),
      {
        reportingOrganisationId: cast.otherOrgId,
        createdBy: cast.users.analyst.id,
        status: 'closed',
        reference: 'IR-1999-000001',
        submittedAt: '2000-01-01T00:00:00Z',
        escalatedAt: '2000-01-01T00:00:00Z',
        triageStatus: 'accepted',
        serious: 'true',
      },
      false,
    )
    const row = await incidentRow(h, created.id)
    expect(row).toMatchObject({
      reportingOrganisationId: cast.ownerOrgId,
      createdBy: cast.users.creator.id,
      status: 'draft',
      submittedAt: null,
      escalatedAt: null,
      triageStatus: null,
      serious: false,
    })
    expect(row.reference).not.toBe('IR-1999-000001')
    await updateIncident(await cast.as('creator'), created.id, completeReport({ reportingOrganisationId: cast.otherOrgId, status: 'closed', createdBy: cast.users.colleague.id }))
    expect(await incidentRow(h, created.id)).toMatchObject({ reportingOrganisationId: cast.ownerOrgId, status: 'draft', createdBy: cast.users.creator.id })
  })
})

describe('references', () => {
  test('ten reports filed at once get ten distinct, consecutive references', async () => {
    const creator = await cast.as('creator')
    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => fileIncident(creator, { title: `Đồng thời ${i}` })))
    const refs = created.map((c) => c.reference)
    expect(new Set(refs).size).toBe(10)
    const numbers = refs.map((r) => Number(r.slice(-6))).sort((a, b) => a - b)
    expect(numbers[9]! - numbers[0]!).toBe(9)
  }, 60_000)

  test('the counter follows the year in Vietnam: 31 December 23:30 UTC is already next year', async () => {
    h.setNow(new Date('2030-12-31T17:30:00Z'))
    try {
      const created = await createIncident(await cast.as('creator'), { title: 'Giao thừa' })
      expect(created.reference).toBe('IR-2031-000001')
    } finally {
      // Back to the running clock (the harness reads null as "real time").
      h.setNow(null as unknown as Date)
    }
  })

  test(`runs on ${testDriver()}`, () => expect(['pglite', 'postgres']).toContain(testDriver()))
})

describe('search text', () => {
  test('folds diacritics of the title, description, system, domains, IPs and category', async () => {
    const created = await fileIncident(await cast.as('creator'), {
      title: 'Mã độc tấn công Sở Tài chính Đà Nẵng',
      description: 'Phát hiện tệp lạ',
      systemName: 'Hệ thống Quản lý văn bản',
      systemDomains: 'qlvb.example.gov.vn',
      systemPublicIps: '198.51.100.20',
      category: 'malware',
    })
    const row = await incidentRow(h, created.id)
    expect(row.searchText).toContain('ma doc tan cong so tai chinh da nang')
    expect(row.searchText).toContain('phat hien tep la')
    expect(row.searchText).toContain('he thong quan ly van ban')
    expect(row.searchText).toContain('qlvb.example.gov.vn')
    expect(row.searchText).toContain('198.51.100.20')
    expect(row.searchText).toContain(row.reference.toLowerCase())
    expect(row.searchText).toContain('malware')
    expect(row.searchText).toMatch(/[a-z ]*tan cong su dung ma doc/)
    expect(row.searchText).not.toMatch(/[À-ỹđ]/)
  })

  test('is rewritten when the report is edited', async () => {
    const creator = await cast.as('creator')
    const created = await fileIncident(creator)
    await updateIncident(creator, created.id, completeReport({ title: 'Lừa đảo qua thư điện tử', category: 'phishing' }))
    const row = await incidentRow(h, created.id)
    expect(row.searchText).toContain('lua dao qua thu dien tu')
    expect(row.searchText).not.toContain('thay doi giao dien')
  })
})

describe('events in the same transaction', () => {
  test('filing emits incident.filed to the organisation, its cluster coordinators and the national CERT', async () => {
    const created = await fileIncident(await cast.as('creator'))
    const [event] = await eventsFor(h, created.id, 'incident.filed')
    expect(event).toBeDefined()
    expect(event!.tlp).toBe('AMBER')
    expect(event!.actorUserId).toBe(cast.users.creator.id)
    expect(event!.payload).toMatchObject({
      incidentId: created.id,
      link: `/incidents/${created.id}`,
      audience: { organisations: [{ id: cast.ownerOrgId }], clusterCoordinatorsOf: cast.ownerOrgId, nationalCertTriagers: true },
    })
  })

  test('a draft emits nothing until it is submitted', async () => {
    const creator = await cast.as('creator')
    const created = await fileIncident(creator, {}, false)
    expect(await eventsFor(h, created.id)).toHaveLength(0)
    await transitionIncident(creator, created.id, 'submit')
    expect(await eventsFor(h, created.id, 'incident.filed')).toHaveLength(1)
  })

  test('acknowledging emits incident.acknowledged; other steps emit incident.status_changed', async () => {
    const created = await fileIncident(await cast.as('creator'))
    const responder = await cast.as('ownResponder')
    await transitionIncident(responder, created.id, 'acknowledge')
    await transitionIncident(responder, created.id, 'investigate')
    const [ack] = await eventsFor(h, created.id, 'incident.acknowledged')
    expect(ack!.payload).toMatchObject({ audience: { organisations: [{ id: cast.ownerOrgId }], users: [cast.users.creator.id], nationalCertTriagers: false } })
    expect(await eventsFor(h, created.id, 'incident.status_changed')).toHaveLength(1)
  })

  test('an act that fails after writing leaves no incident, no timeline and no event', async () => {
    const jobs = h.services.jobs
    const enqueue = jobs.enqueue
    jobs.enqueue = async () => {
      throw new Error('queue unavailable')
    }
    try {
      await expect(fileIncident(await cast.as('creator'), { title: 'Không được lưu' })).rejects.toThrow('queue unavailable')
    } finally {
      jobs.enqueue = enqueue
    }
    expect(await h.services.db.select().from(incidents).where(eq(incidents.title, 'Không được lưu'))).toHaveLength(0)
    const events = await h.services.db.select().from(notificationEvents).where(eq(notificationEvents.type, 'incident.filed'))
    expect(events.every((e) => (e.payload as { title?: string }).title !== 'Không được lưu')).toBe(true)
  })

  test('a refused act emits nothing', async () => {
    const created = await fileIncident(await cast.as('creator'))
    const before = (await eventsFor(h, created.id)).length
    await expectDomainError(transitionIncident(await cast.as('ownResponder'), created.id, 'close'), 'conflict')
    await expectDomainError(transitionIncident(await cast.as('siblingResponder'), created.id, 'acknowledge'), 'not_found')
    expect(await eventsFor(h, created.id)).toHaveLength(before)
  })

  test('an internal comment is announced only to the author’s organisation', async () => {
    const created = await fileIncident(await cast.as('creator'))
    await addComment(await cast.as('leadResponder'), created.id, { body: 'Ghi chú của cụm', internal: 'on' })
    const [event] = await eventsFor(h, created.id, 'incident.comment_added')
    expect(event!.payload).toMatchObject({ audience: { internalToOrganisationId: cast.leadOrgId, organisations: [{ id: cast.leadOrgId }] } })
  })
})

// ---------------------------------------------------------------------------------------------
// Who may do what, with real rows

type Act = 'view' | 'edit' | 'comment' | 'acknowledge' | 'investigate' | 'assign'

async function attempt(person: Person, act: Act, id: string): Promise<string> {
  const acting = await cast.as(person)
  switch (act) {
    case 'view':
      return outcome(getIncidentDetail(acting, id))
    case 'edit':
      return outcome(getIncidentForEdit(acting, id).then(() => updateIncident(acting, id, completeReport())))
    case 'comment':
      return outcome(addComment(acting, id, { body: `Bình luận của ${person}` }))
    case 'acknowledge':
    case 'investigate':
      return outcome(transitionIncident(acting, id, act))
    case 'assign':
      // Assigning nobody to an unassigned incident changes nothing but is still authorised first.
      return outcome(assignIncident(acting, id, { assignedUserId: '', respondingOrganisationId: '' }))
  }
}

/** Runs each act on a fresh incident, so one act's effect (a status change) never blocks another. */
async function matrix(tlp: string, setUp?: (id: string) => Promise<void>) {
  const out = {} as Record<Person, Record<Act, string>>
  for (const person of PEOPLE) {
    out[person] = {} as Record<Act, string>
    for (const act of ['view', 'edit', 'comment', 'acknowledge', 'investigate', 'assign'] as const) {
      const { id } = await fileIncident(await cast.as('creator'), { tlp, title: `${tlp} ${person} ${act}` })
      if (setUp) await setUp(id)
      out[person][act] = await attempt(person, act, id)
    }
  }
  return out
}

const row = (view: string, edit: string, comment: string, acknowledge: string, investigate: string, assign: string) => ({
  view,
  edit,
  comment,
  acknowledge,
  investigate,
  assign,
})
const HIDDEN = row('not_found', 'not_found', 'not_found', 'not_found', 'not_found', 'not_found')

describe('the permission matrix', () => {
  test('TLP:AMBER — the owner organisation, its cluster lead and the national CERT see it; each does what its role allows', async () => {
    expect(await matrix('AMBER')).toEqual({
      creator: row('ok', 'ok', 'ok', 'forbidden', 'forbidden', 'forbidden'),
      colleague: row('ok', 'forbidden', 'ok', 'forbidden', 'forbidden', 'forbidden'),
      ownResponder: row('ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
      ownAdmin: row('ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
      leadResponder: row('ok', 'forbidden', 'ok', 'ok', 'forbidden', 'forbidden'),
      leadReporter: HIDDEN,
      siblingResponder: HIDDEN,
      otherClusterResponder: HIDDEN,
      analyst: row('ok', 'forbidden', 'ok', 'ok', 'forbidden', 'forbidden'),
      sysadmin: HIDDEN,
    })
  }, 120_000)

  test('TLP:AMBER+STRICT — only the owner organisation, until escalation grants the national CERT', async () => {
    const before = await matrix('AMBER+STRICT')
    expect(before.leadResponder).toEqual(HIDDEN)
    expect(before.analyst).toEqual(HIDDEN)
    expect(before.ownResponder).toEqual(row('ok', 'ok', 'ok', 'ok', 'ok', 'ok'))
    expect(before.colleague.view).toBe('ok')

    // Escalation, simulated as the escalation module records it: triage pending and a grant.
    const escalate = async (id: string) => {
      await h.services.db
        .update(incidents)
        .set({ escalatedAt: new Date(), escalatedBy: cast.users.ownResponder.id, escalationReason: 'Vượt khả năng', triageStatus: 'pending' })
        .where(eq(incidents.id, id))
      await grantIncidentToOrganisation(h.services.db, await cast.as('ownResponder'), id, cast.certOrgId, 'escalation')
    }
    const escalated = await matrix('AMBER+STRICT', escalate)
    expect(escalated.analyst).toEqual(row('ok', 'forbidden', 'ok', 'ok', 'forbidden', 'forbidden'))
    expect(escalated.leadResponder).toEqual(HIDDEN)
    // A system administrator counts as a member of its organisation (decision 004): the grant covers it.
    expect(escalated.sysadmin).toEqual(row('ok', 'forbidden', 'ok', 'forbidden', 'forbidden', 'forbidden'))

    // Once the national CERT accepts the escalation, its analysts handle the incident.
    const accepted = await matrix('AMBER+STRICT', async (id) => {
      await escalate(id)
      await h.services.db.update(incidents).set({ triageStatus: 'accepted' }).where(eq(incidents.id, id))
    })
    expect(accepted.analyst).toEqual(row('ok', 'forbidden', 'ok', 'ok', 'ok', 'ok'))
  }, 240_000)

  test('TLP:GREEN — the whole network sees it and may comment, but only handlers act on it', async () => {
    const m = await matrix('GREEN')
    expect(m.siblingResponder).toEqual(row('ok', 'forbidden', 'ok', 'forbidden', 'forbidden', 'forbidden'))
    expect(m.otherClusterResponder).toEqual(row('ok', 'forbidden', 'ok', 'forbidden', 'forbidden', 'forbidden'))
    expect(m.leadReporter).toEqual(row('ok', 'forbidden', 'ok', 'forbidden', 'forbidden', 'forbidden'))
    expect(m.sysadmin.view).toBe('ok')
    expect(m.sysadmin.edit).toBe('forbidden')
  }, 120_000)

  test('TLP:RED — only the creator and the people named', async () => {
    const creator = await cast.as('creator')
    const { id } = await fileIncident(creator, { tlp: 'RED', recipientIds: [cast.users.ownResponder.id, cast.users.analyst.id] })
    for (const person of ['creator', 'ownResponder', 'analyst'] as const) expect(await attempt(person, 'view', id)).toBe('ok')
    for (const person of ['colleague', 'ownAdmin', 'leadResponder', 'siblingResponder', 'sysadmin'] as const) {
      expect(await attempt(person, 'view', id)).toBe('not_found')
    }
    const detail = await getIncidentDetail(creator, id)
    expect(detail.recipients.map((r) => r.id).sort()).toEqual([cast.users.ownResponder.id, cast.users.analyst.id].sort())
  })

  test('TLP:RED recipients are limited to the organisation, its cluster coordinators and national-CERT analysts', async () => {
    const creator = await cast.as('creator')
    await fileIncident(creator, { tlp: 'RED', recipientIds: cast.users.leadResponder.id })
    for (const outsider of ['siblingResponder', 'otherClusterResponder', 'leadReporter', 'sysadmin'] as const) {
      const error = await expectDomainError(fileIncident(creator, { tlp: 'RED', recipientIds: cast.users[outsider].id }), 'validation')
      expect(error.details.fieldErrors!.recipientIds).toEqual(['incidents.validation.recipient'])
    }
  })

  test('changing the label from RED removes the named recipients’ grants', async () => {
    const creator = await cast.as('creator')
    const { id } = await fileIncident(creator, { tlp: 'RED', recipientIds: cast.users.leadResponder.id })
    expect(await attempt('leadResponder', 'view', id)).toBe('ok')
    await updateIncident(creator, id, completeReport({ tlp: 'AMBER+STRICT', recipientIds: cast.users.leadResponder.id }))
    expect(await attempt('leadResponder', 'view', id)).toBe('not_found')
    const grants = await h.services.db.select().from(accessGrants).where(eq(accessGrants.objectId, id))
    expect(grants).toHaveLength(0)
  })
})

describe('drafts', () => {
  test('a draft is seen by its creator and the organisation’s responders and admins only', async () => {
    const { id } = await fileIncident(await cast.as('creator'), { tlp: 'CLEAR' }, false)
    const seen = Object.fromEntries(await Promise.all(PEOPLE.map(async (p) => [p, await attempt(p, 'view', id)] as const)))
    expect(seen).toEqual({
      creator: 'ok',
      colleague: 'not_found',
      ownResponder: 'ok',
      ownAdmin: 'ok',
      leadResponder: 'not_found',
      leadReporter: 'not_found',
      siblingResponder: 'not_found',
      otherClusterResponder: 'not_found',
      analyst: 'not_found',
      sysadmin: 'not_found',
    })
  })

  test('nobody comments on or assigns a draft; its creator may edit and submit it', async () => {
    const creator = await cast.as('creator')
    const { id } = await fileIncident(creator, {}, false)
    expect(await attempt('creator', 'comment', id)).toBe('forbidden')
    expect(await attempt('ownResponder', 'assign', id)).toBe('forbidden')
    expect(await attempt('creator', 'edit', id)).toBe('ok')
    await transitionIncident(creator, id, 'submit')
    expect((await incidentRow(h, id)).status).toBe('new')
  })

  test('an edit can submit a draft in one step, and then it is visible as its label allows', async () => {
    const creator = await cast.as('creator')
    const { id } = await createIncident(creator, { title: 'Nháp' })
    expect(await attempt('leadResponder', 'view', id)).toBe('not_found')
    await updateIncident(creator, id, completeReport(), { submit: true })
    const row = await incidentRow(h, id)
    expect(row.status).toBe('new')
    expect(row.submittedAt).toBeInstanceOf(Date)
    expect(await attempt('leadResponder', 'view', id)).toBe('ok')
    expect(await eventsFor(h, id, 'incident.filed')).toHaveLength(1)
  })
})

describe('edits', () => {
  test('the timeline names the changed fields, not their values', async () => {
    const creator = await cast.as('creator')
    const { id } = await fileIncident(creator)
    await updateIncident(creator, id, completeReport({ title: 'Tiêu đề mới bí mật', severity: 'critical' }))
    const detail = await getIncidentDetail(creator, id)
    const updated = detail.timeline.find((e) => e.kind === 'updated')!
    expect(updated.data).toEqual({ fields: ['title', 'severity'] })
    expect(JSON.stringify(updated)).not.toContain('Tiêu đề mới bí mật')
  })

  test('saving without changes adds no timeline entry', async () => {
    const creator = await cast.as('creator')
    const { id } = await fileIncident(creator)
    await updateIncident(creator, id, completeReport())
    expect((await getIncidentDetail(creator, id)).timeline.map((e) => e.kind)).toEqual(['filed'])
  })

  test('a submitted report keeps its essentials: an edit cannot empty them', async () => {
    const creator = await cast.as('creator')
    const { id } = await fileIncident(creator)
    const error = await expectDomainError(updateIncident(creator, id, completeReport({ category: '', systemName: '' })), 'validation')
    expect(Object.keys(error.details.fieldErrors!).sort()).toEqual(['category', 'systemName'])
    expect((await incidentRow(h, id)).category).toBe('defacement')
  })

  test('a closed incident cannot be edited', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    await h.services.db.update(incidents).set({ status: 'closed' }).where(eq(incidents.id, id))
    await expectDomainError(updateIncident(await cast.as('ownResponder'), id, completeReport()), 'forbidden')
  })
})

describe('comments', () => {
  test('internal notes stay in their organisation; shared comments reach everyone who sees the incident', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    await addComment(await cast.as('ownResponder'), id, { body: 'Nội bộ tổ chức', internal: 'on' })
    await addComment(await cast.as('leadResponder'), id, { body: 'Nội bộ của cụm trưởng', internal: 'on' })
    await addComment(await cast.as('analyst'), id, { body: 'Chia sẻ từ VNCERT/CC' })
    const bodies = async (person: Person) =>
      (await getIncidentDetail(await cast.as(person), id)).timeline.filter((e) => e.kind === 'comment').map((e) => e.body)
    expect(await bodies('creator')).toEqual(['Nội bộ tổ chức', 'Chia sẻ từ VNCERT/CC'])
    expect(await bodies('ownAdmin')).toEqual(['Nội bộ tổ chức', 'Chia sẻ từ VNCERT/CC'])
    expect(await bodies('leadResponder')).toEqual(['Nội bộ của cụm trưởng', 'Chia sẻ từ VNCERT/CC'])
    expect(await bodies('analyst')).toEqual(['Chia sẻ từ VNCERT/CC'])
    const own = (await getIncidentDetail(await cast.as('creator'), id)).timeline.find((e) => e.body === 'Nội bộ tổ chức')!
    expect(own.internal).toBe(true)
    expect(own.actorName).toBe(cast.users.ownResponder.name)
  })

  test('an empty comment is refused', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    const error = await expectDomainError(addComment(await cast.as('ownResponder'), id, { body: '   ' }), 'validation')
    expect(error.details.fieldErrors).toEqual({ body: ['validation.required'] })
  })
})

describe('assignment', () => {
  test('assigning a colleague records it, notifies them and shows their name', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    const responder = await cast.as('ownResponder')
    await assignIncident(responder, id, { assignedUserId: cast.users.ownAdmin.id })
    const detail = await getIncidentDetail(responder, id)
    expect(detail.incident.assignedUserName).toBe(cast.users.ownAdmin.name)
    expect(detail.timeline.at(-1)).toMatchObject({ kind: 'assigned' })
    const [event] = await eventsFor(h, id, 'incident.assigned')
    expect(event!.payload).toMatchObject({ audience: { users: [cast.users.ownAdmin.id] } })
  })

  test('a person who cannot see the incident cannot be assigned', async () => {
    const { id } = await fileIncident(await cast.as('creator'), { tlp: 'AMBER+STRICT' })
    const error = await expectDomainError(assignIncident(await cast.as('ownResponder'), id, { assignedUserId: cast.users.siblingResponder.id }), 'validation')
    expect(error.details.fieldErrors).toEqual({ assignedUserId: ['incidents.validation.assigneeCannotSee'] })
    expect((await incidentRow(h, id)).assignedUserId).toBeNull()
  })

  test('a responding organisation is granted access, so its responder can then be assigned and act', async () => {
    const { id } = await fileIncident(await cast.as('creator'), { tlp: 'AMBER+STRICT' })
    await assignIncident(await cast.as('ownResponder'), id, {
      respondingOrganisationId: cast.siblingOrgId,
      assignedUserId: cast.users.siblingResponder.id,
    })
    expect(await attempt('siblingResponder', 'view', id)).toBe('ok')
    expect(await attempt('siblingResponder', 'investigate', id)).toBe('ok')
    const grants = await h.services.db.select().from(accessGrants).where(and(eq(accessGrants.objectId, id), eq(accessGrants.reason, 'responding')))
    expect(grants.map((g) => g.granteeOrganisationId)).toEqual([cast.siblingOrgId])
  })

  test('an unknown user or organisation is a field error, not a crash', async () => {
    const { id } = await fileIncident(await cast.as('creator'))
    const responder = await cast.as('ownResponder')
    await expectDomainError(assignIncident(responder, id, { assignedUserId: crypto.randomUUID() }), 'validation')
    await expectDomainError(assignIncident(responder, id, { respondingOrganisationId: crypto.randomUUID() }), 'validation')
    await expectDomainError(assignIncident(responder, id, { assignedUserId: 'nope' }), 'validation')
  })

  test('a deactivated person cannot be assigned', async () => {
    const gone = await makeUser(h.services.db, cast.ownerOrgId, 'responder', { status: 'deactivated' })
    const { id } = await fileIncident(await cast.as('creator'))
    await expectDomainError(assignIncident(await cast.as('ownResponder'), id, { assignedUserId: gone.id }), 'validation')
  })
})

describe('not found', () => {
  test('unknown and malformed ids are 404 for every act', async () => {
    const acting = await cast.as('ownResponder')
    for (const id of [crypto.randomUUID(), 'not-a-uuid', "1' or '1'='1"]) {
      await expectDomainError(getIncidentDetail(acting, id), 'not_found')
      await expectDomainError(updateIncident(acting, id, completeReport()), 'not_found')
      await expectDomainError(transitionIncident(acting, id, 'acknowledge'), 'not_found')
      await expectDomainError(addComment(acting, id, { body: 'x' }), 'not_found')
      await expectDomainError(assignIncident(acting, id, {}), 'not_found')
    }
  })
})
