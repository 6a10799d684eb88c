import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { auditLog, drillActionItems, drillRegistrations } from '../../db/schema/index.ts'
import { exportParticipantsCsv, getAttendanceSheet, markAttendance } from '../../app/drills/attendance.server.ts'
import { transitionDrill } from '../../app/drills/drills.server.ts'
import { signUpForDrill } from '../../app/drills/registrations.server.ts'
import { addActionItem, afterActionLinks, getDrillReport, publishReport, recordObservation, saveReport, setActionItemDone } from '../../app/drills/report.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { makeUser } from '../support/factories.ts'
import { drillCast, drillForm, expectDomainError, publishedDrill, type DrillCast, type Person } from './fixtures.ts'

// During and after a drill: attendance, observations and scores, the after-action report and its
// action items, the participant CSV — who may and who may not, on real rows, through the domain
// acts (which ask app/policy/policy.server.ts, `drill.recordAttendance` and the rest).

let h: Harness
let cast: DrillCast

beforeAll(async () => {
  h = await createHarness()
  cast = await drillCast(h)
})
afterAll(() => h.close())

const OBJECTIVES = 'Báo cáo ban đầu trong ngày\nPhối hợp trong cụm trong 24 giờ'

interface Fixture {
  id: string
  /** Registration ids by person. */
  reg: Partial<Record<Person, string>>
}

/**
 * A published TLP:AMBER Cluster A tabletop (the cluster's members and the national CERT see it,
 * Cluster B does not) with a member's reporter and a sibling's responder as participants and
 * the member's second reporter as evaluator, all confirmed.
 */
async function drillWithParticipants(over: Record<string, string | string[]> = {}): Promise<Fixture> {
  const id = await publishedDrill(
    await cast.as('leadResponder'),
    drillForm(h.services.now(), { clusterId: cast.clusterId, tlp: 'AMBER', objectives: OBJECTIVES, rolesOffered: ['participant', 'evaluator'], ...over }),
  )
  const reg: Fixture['reg'] = {}
  for (const [person, role] of [
    ['memberReporter', 'participant'],
    ['siblingResponder', 'participant'],
    ['memberReporter2', 'evaluator'],
  ] as const) {
    reg[person] = (await signUpForDrill(await cast.as(person), id, { role })).id
  }
  return { id, reg }
}

const started = async (f: Fixture) => {
  await transitionDrill(await cast.as('leadResponder'), f.id, 'start')
  return f
}

async function auditOf(drillId: string, action: string) {
  // In the order written (the id is a sequence): without an order, PostgreSQL may return any.
  return h.services.db.select().from(auditLog).where(and(eq(auditLog.objectId, drillId), eq(auditLog.action, action))).orderBy(auditLog.id)
}

describe('attendance', () => {
  test('the organisers mark it once the drill has started, and after it ends; each mark is audited', async () => {
    const f = await drillWithParticipants()
    // Not before the start: there is nothing to attend yet.
    await expectDomainError(markAttendance(await cast.as('leadResponder'), f.id, { registrationId: f.reg.memberReporter, attendance: 'attended' }), 'forbidden')
    await started(f)
    expect(await markAttendance(await cast.as('leadResponder'), f.id, { registrationId: f.reg.memberReporter, attendance: 'attended' })).toMatchObject({ attendance: 'attended' })
    await markAttendance(await cast.as('deputyAdmin'), f.id, { registrationId: f.reg.siblingResponder, attendance: 'absent' })
    await transitionDrill(await cast.as('leadResponder'), f.id, 'complete')
    // A correction after the end.
    await markAttendance(await cast.as('leadResponder'), f.id, { registrationId: f.reg.siblingResponder, attendance: 'attended' })
    const [row] = await h.services.db.select().from(drillRegistrations).where(eq(drillRegistrations.id, f.reg.siblingResponder!))
    expect(row).toMatchObject({ attendance: 'attended', attendanceMarkedBy: cast.users.leadResponder.id })
    const entries = await auditOf(f.id, 'drill.attendance_marked')
    expect(entries).toHaveLength(3)
    expect(entries.at(-1)).toMatchObject({ actorUserId: cast.users.leadResponder.id, objectOrganisationId: cast.siblingOrgId, details: { attendance: 'attended', from: 'absent' } })
    const sheet = await getAttendanceSheet(await cast.as('deputyAdmin'), f.id)
    expect(sheet.counts).toEqual({ confirmed: 3, attended: 2, absent: 0 })
  })

  test('a participant, their admin, the national CERT and a lead’s reporter may not; an outsider gets 404', async () => {
    const f = await started(await drillWithParticipants())
    const mark = { registrationId: f.reg.memberReporter, attendance: 'attended' }
    for (const p of ['memberReporter', 'memberAdmin', 'analyst', 'leadReporter'] as const) {
      await expectDomainError(markAttendance(await cast.as(p), f.id, mark), 'forbidden')
      await expectDomainError(getAttendanceSheet(await cast.as(p), f.id), 'forbidden')
    }
    await expectDomainError(markAttendance(await cast.as('otherResponder'), f.id, mark), 'not_found')
    await expectDomainError(getAttendanceSheet(await cast.as('otherResponder'), f.id), 'not_found')
    expect(await auditOf(f.id, 'drill.attendance_marked')).toHaveLength(0)
  })

  test('only confirmed registrants of this drill; a bad value is a field error', async () => {
    const f = await started(await drillWithParticipants())
    const other = await drillWithParticipants()
    const lead = await cast.as('leadResponder')
    await expectDomainError(markAttendance(lead, f.id, { registrationId: other.reg.memberReporter, attendance: 'attended' }), 'not_found')
    const bad = await expectDomainError(markAttendance(lead, f.id, { registrationId: f.reg.memberReporter, attendance: 'maybe' }), 'validation')
    expect(bad.details.fieldErrors).toEqual({ attendance: ['validation.required'] })
    // A waitlisted person held no place, so cannot have attended.
    const full = await publishedDrill(lead, drillForm(h.services.now(), { clusterId: cast.clusterId, capacity: '1' }))
    await signUpForDrill(await cast.as('memberReporter'), full, { role: 'participant' })
    const waiting = await signUpForDrill(await cast.as('siblingResponder'), full, { role: 'participant' })
    expect(waiting.status).toBe('waitlisted')
    await transitionDrill(lead, full, 'start')
    await expectDomainError(markAttendance(lead, full, { registrationId: waiting.id, attendance: 'attended' }), 'conflict', 'drills.errors.notConfirmed')
  })
})

describe('observations and scores', () => {
  test('organisers and the drill’s evaluators record them; participants may not; outsiders get 404', async () => {
    const f = await started(await drillWithParticipants())
    await recordObservation(await cast.as('leadResponder'), f.id, { text: 'Báo cáo Mẫu 03 gửi sau 3 giờ.', objective: 'Báo cáo ban đầu trong ngày', score: '4', organisationId: cast.memberOrgId })
    await recordObservation(await cast.as('memberReporter2'), f.id, { text: 'Thiếu đầu mối trực ban đêm.', score: '' })
    await expectDomainError(recordObservation(await cast.as('memberReporter'), f.id, { text: 'Tôi thấy ổn.' }), 'forbidden')
    await expectDomainError(recordObservation(await cast.as('memberAdmin'), f.id, { text: 'x' }), 'forbidden')
    await expectDomainError(recordObservation(await cast.as('otherResponder'), f.id, { text: 'x' }), 'not_found')
    const page = await getDrillReport(await cast.as('memberReporter2'), f.id)
    expect(page.observations.map((o) => [o.text, o.score, o.objective, o.organisationName !== null])).toEqual([
      ['Báo cáo Mẫu 03 gửi sau 3 giờ.', 4, 'Báo cáo ban đầu trong ngày', true],
      ['Thiếu đầu mối trực ban đêm.', null, null, false],
    ])
    expect(page.observations[1]!.recordedByName).toBe('memberReporter2')
    expect(await auditOf(f.id, 'drill.observation_recorded')).toHaveLength(2)
  })

  test('a score outside 1–5, an objective the drill lacks or an organisation that took no part are field errors', async () => {
    const f = await started(await drillWithParticipants())
    const lead = await cast.as('leadResponder')
    const score = await expectDomainError(recordObservation(lead, f.id, { text: 'x', score: '7' }), 'validation')
    expect(score.details.fieldErrors).toEqual({ score: ['drills.validation.score'] })
    const objective = await expectDomainError(recordObservation(lead, f.id, { text: 'x', objective: 'Một mục tiêu khác' }), 'validation')
    expect(objective.details.fieldErrors).toEqual({ objective: ['validation.invalid'] })
    const outsider = await expectDomainError(recordObservation(lead, f.id, { text: 'x', organisationId: cast.otherOrgId }), 'validation')
    expect(outsider.details.fieldErrors).toEqual({ organisationId: ['drills.validation.notParticipant'] })
    const empty = await expectDomainError(recordObservation(lead, f.id, { text: '  ' }), 'validation')
    expect(empty.details.fieldErrors).toEqual({ text: ['validation.required'] })
  })
})

describe('the after-action report', () => {
  test('a draft is the organisers’ alone; once published after completion the participants read it, outsiders still 404', async () => {
    const f = await started(await drillWithParticipants())
    const lead = await cast.as('leadResponder')
    await saveReport(lead, f.id, { assessment_0: 'met', assessment_1: 'partly', objectivesMet: 'Đạt phần lớn.', observationsSummary: 'Phối hợp tốt.', recommendations: 'Lập danh bạ trực đêm.' })
    expect((await getDrillReport(await cast.as('deputyAdmin'), f.id)).report).toMatchObject({
      status: 'draft',
      objectiveAssessments: [
        { objective: 'Báo cáo ban đầu trong ngày', result: 'met' },
        { objective: 'Phối hợp trong cụm trong 24 giờ', result: 'partly' },
      ],
      recommendations: 'Lập danh bạ trực đêm.',
    })
    for (const p of ['memberReporter', 'memberAdmin', 'siblingResponder', 'analyst'] as const) await expectDomainError(getDrillReport(await cast.as(p), f.id), 'not_found')
    // The evaluator records observations on the page but does not read the draft.
    expect((await getDrillReport(await cast.as('memberReporter2'), f.id)).report).toBeNull()
    await expectDomainError(publishReport(lead, f.id), 'conflict', 'drills.errors.publishAfterCompletion')
    await transitionDrill(lead, f.id, 'complete')
    await expectDomainError(publishReport(await cast.as('memberAdmin'), f.id), 'forbidden')
    expect(await publishReport(lead, f.id)).toEqual({ status: 'published' })
    await expectDomainError(publishReport(lead, f.id), 'conflict', 'drills.errors.reportPublished')
    // Invited organisations and, for an AMBER drill, the national CERT's staff.
    for (const p of ['memberReporter', 'memberAdmin', 'siblingResponder', 'siblingAdmin', 'analyst'] as const) {
      expect((await getDrillReport(await cast.as(p), f.id)).report, p).toMatchObject({ status: 'published', observationsSummary: 'Phối hợp tốt.' })
    }
    await expectDomainError(getDrillReport(await cast.as('otherResponder'), f.id), 'not_found')
    expect(await afterActionLinks(await cast.as('memberReporter'), f.id)).toEqual({ attendance: false, report: true })
    expect(await afterActionLinks(await cast.as('leadResponder'), f.id)).toEqual({ attendance: true, report: true })
    expect(await auditOf(f.id, 'drill.report_published')).toHaveLength(1)
  })

  test('only organisers write it, and only from the start; an empty report is not published', async () => {
    const f = await drillWithParticipants()
    await expectDomainError(saveReport(await cast.as('leadResponder'), f.id, { recommendations: 'x' }), 'forbidden')
    await started(f)
    for (const p of ['memberReporter2', 'memberAdmin', 'analyst'] as const) await expectDomainError(saveReport(await cast.as(p), f.id, { recommendations: 'x' }), 'forbidden')
    await expectDomainError(saveReport(await cast.as('otherResponder'), f.id, { recommendations: 'x' }), 'not_found')
    const bad = await expectDomainError(saveReport(await cast.as('leadResponder'), f.id, { assessment_0: 'excellent' }), 'validation')
    expect(bad.details.fieldErrors).toEqual({ assessment_0: ['validation.invalid'] })
    await transitionDrill(await cast.as('leadResponder'), f.id, 'complete')
    await expectDomainError(publishReport(await cast.as('leadResponder'), f.id), 'conflict', 'drills.errors.reportEmpty')
    await saveReport(await cast.as('leadResponder'), f.id, {})
    await expectDomainError(publishReport(await cast.as('leadResponder'), f.id), 'conflict', 'drills.errors.reportEmpty')
  })

  test('a GREEN drill’s report still goes to the participants only, not the whole network', async () => {
    const f = await started(await drillWithParticipants({ tlp: 'GREEN' }))
    const lead = await cast.as('leadResponder')
    await saveReport(lead, f.id, { recommendations: 'Diễn tập lại vào quý sau.' })
    await transitionDrill(lead, f.id, 'complete')
    await publishReport(lead, f.id)
    expect((await getDrillReport(await cast.as('memberReporter'), f.id)).report?.status).toBe('published')
    // Cluster B sees the GREEN drill but took no part in it.
    await expectDomainError(getDrillReport(await cast.as('otherResponder'), f.id), 'not_found')
  })
})

describe('action items', () => {
  test('owned by a participating organisation; its admin or the organisers mark it done, nobody else', async () => {
    const f = await started(await drillWithParticipants())
    const lead = await cast.as('leadResponder')
    const outsider = await expectDomainError(addActionItem(lead, f.id, { description: 'x', ownerOrganisationId: cast.otherOrgId, dueOn: '2027-03-31' }), 'validation')
    expect(outsider.details.fieldErrors).toEqual({ ownerOrganisationId: ['drills.validation.notParticipant'] })
    const badDate = await expectDomainError(addActionItem(lead, f.id, { description: '', ownerOrganisationId: cast.memberOrgId, dueOn: '2027-02-30' }), 'validation')
    expect(Object.keys(badDate.details.fieldErrors!).sort()).toEqual(['description', 'dueOn'])
    await expectDomainError(addActionItem(await cast.as('memberAdmin'), f.id, { description: 'x', ownerOrganisationId: cast.memberOrgId, dueOn: '2027-03-31' }), 'forbidden')
    const { id: memberItem } = await addActionItem(lead, f.id, { description: 'Lập danh bạ trực đêm', ownerOrganisationId: cast.memberOrgId, dueOn: '2027-03-31' })
    const { id: siblingItem } = await addActionItem(lead, f.id, { description: 'Cập nhật quy trình', ownerOrganisationId: cast.siblingOrgId, dueOn: '2027-06-30' })
    // While the report is a draft, the owner's admin does not see the item at all.
    await expectDomainError(setActionItemDone(await cast.as('memberAdmin'), f.id, { itemId: memberItem, done: 'true' }), 'not_found')
    await transitionDrill(lead, f.id, 'complete')
    await saveReport(lead, f.id, { recommendations: 'Lập danh bạ trực đêm.' })
    await publishReport(lead, f.id)
    for (const p of ['siblingAdmin', 'memberReporter', 'analyst'] as const) {
      await expectDomainError(setActionItemDone(await cast.as(p), f.id, { itemId: memberItem, done: 'true' }), 'forbidden')
    }
    await expectDomainError(setActionItemDone(await cast.as('otherResponder'), f.id, { itemId: memberItem, done: 'true' }), 'not_found')
    expect(await setActionItemDone(await cast.as('memberAdmin'), f.id, { itemId: memberItem, done: 'true' })).toEqual({ id: memberItem, done: true })
    await setActionItemDone(await cast.as('deputyAdmin'), f.id, { itemId: siblingItem, done: 'true' })
    await setActionItemDone(lead, f.id, { itemId: siblingItem, done: 'false' })
    const items = await h.services.db.select().from(drillActionItems).where(eq(drillActionItems.drillId, f.id))
    expect(items.find((i) => i.id === memberItem)).toMatchObject({ doneBy: cast.users.memberAdmin.id, dueOn: '2027-03-31' })
    expect(items.find((i) => i.id === siblingItem)).toMatchObject({ doneAt: null, doneBy: null })
    const page = await getDrillReport(await cast.as('memberAdmin'), f.id)
    expect(page.actionItems.map((i) => [i.description, i.mayUpdate, i.doneAt !== null])).toEqual([
      ['Lập danh bạ trực đêm', true, true],
      ['Cập nhật quy trình', false, false],
    ])
    expect((await auditOf(f.id, 'drill.action_item_done')).map((e) => e.actorUserId)).toEqual([cast.users.memberAdmin.id, cast.users.deputyAdmin.id])
    expect(await auditOf(f.id, 'drill.action_item_reopened')).toHaveLength(1)
  })
})

describe('the participant CSV', () => {
  test('lists the registrants with their attendance, neutralises formulas, and is audited', async () => {
    const f = await started(await drillWithParticipants())
    const sly = await makeUser(h.services.db, cast.memberOrgId, 'responder', { name: '=HYPERLINK("http://evil.example","x")' })
    const [slyReg] = await h.services.db
      .insert(drillRegistrations)
      .values({ drillId: f.id, userId: sly.id, organisationId: cast.memberOrgId, role: 'participant', status: 'confirmed', registeredBy: sly.id })
      .returning()
    const lead = await cast.as('leadResponder')
    await markAttendance(lead, f.id, { registrationId: f.reg.memberReporter, attendance: 'attended' })
    await markAttendance(lead, f.id, { registrationId: slyReg!.id, attendance: 'absent' })
    const csv = await exportParticipantsCsv(lead, f.id, { locale: 'en', timeZone: 'Asia/Ho_Chi_Minh' })
    expect(csv.body.startsWith('\uFEFF"Name","Email","Organisation","Role","Registration status","Attendance","Attendance marked at","Attendance marked by"\r\n')).toBe(true)
    expect(csv.rowCount).toBe(4)
    const lines = csv.body.slice(1).trimEnd().split('\r\n')
    const line = (name: string) => lines.find((l) => l.startsWith(`"${name}"`))
    expect(line('memberReporter')).toMatch(new RegExp(`^"memberReporter","${cast.users.memberReporter.email}","[^"]+","Participant","Confirmed","Attended","\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+07:00","leadResponder"$`))
    expect(line('memberReporter2')).toContain('"Evaluator","Confirmed","",""')
    expect(line(`'=HYPERLINK(""http://evil.example"",""x"")`)).toContain('"Absent"')
    expect(await auditOf(f.id, 'drill.participants_exported')).toMatchObject([{ actorUserId: cast.users.leadResponder.id, details: { format: 'csv', rowCount: 4 } }])
  })

  test('is for the organisers only: 403 for participants and the national CERT, 404 for outsiders, nothing audited', async () => {
    const f = await drillWithParticipants()
    for (const p of ['memberReporter', 'memberAdmin', 'analyst'] as const) await expectDomainError(exportParticipantsCsv(await cast.as(p), f.id), 'forbidden')
    await expectDomainError(exportParticipantsCsv(await cast.as('otherResponder'), f.id), 'not_found')
    expect(await auditOf(f.id, 'drill.participants_exported')).toHaveLength(0)
  })
})
