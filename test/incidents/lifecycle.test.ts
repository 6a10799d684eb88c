import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  computeDeadlines,
  getIncidentDetail,
  IllegalTransitionError,
  submitClosureReport,
  transitionIncident,
} from '../../app/incidents/incidents.server.ts'
import { INCIDENT_STATUSES, nextStatus, TRANSITIONS, type IncidentStatus, type Transition } from '../../app/incidents/lifecycle.ts'
import { createI18n } from '../../app/i18n/i18n.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { eventsFor, expectDomainError, fileIncident, forceStatus, incidentCast, incidentRow, type IncidentCast } from './core-fixtures.ts'

let h: Harness
let cast: IncidentCast

beforeAll(async () => {
  h = await createHarness()
  cast = await incidentCast(h)
})
afterAll(() => h.close())

const ALL_TRANSITIONS = Object.keys(TRANSITIONS) as Transition[]
const FORM_04 = {
  closureWhatHappened: 'Kẻ tấn công khai thác lỗ hổng của trình quản lý nội dung.',
  closureResolution: 'Khôi phục từ bản sao lưu, vá lỗ hổng, đổi mật khẩu quản trị.',
  closurePrevention: 'Cập nhật định kỳ, bật xác thực hai lớp, giám sát toàn vẹn tệp.',
}

/** An incident of the owner organisation in the given status (a complete report, closure report on file when closing). */
async function incidentIn(status: IncidentStatus) {
  const { id } = await fileIncident(await cast.as('creator'), { title: `Trạng thái ${status}` }, status !== 'draft')
  if (status === 'draft') return id
  await forceStatus(h, id, status, status === 'resolved' ? { ...FORM_04, closureSubmittedAt: h.services.now() } : {})
  return id
}

describe('the state machine', () => {
  const illegal = INCIDENT_STATUSES.flatMap((from) => ALL_TRANSITIONS.filter((t) => nextStatus(from, t) === null).map((t) => [from, t] as const))
  const legal = INCIDENT_STATUSES.flatMap((from) => ALL_TRANSITIONS.filter((t) => nextStatus(from, t) !== null).map((t) => [from, t] as const))

  test('has arrows for the life cycle the issue names, and nothing else', () => {
    expect(legal.map(([from, t]) => `${from} -${t}-> ${nextStatus(from, t)}`)).toEqual([
      'draft -submit-> new',
      'new -acknowledge-> acknowledged',
      'new -investigate-> investigating',
      'acknowledged -investigate-> investigating',
      'investigating -contain-> contained',
      'investigating -resolve-> resolved',
      'contained -resolve-> resolved',
      'resolved -close-> closed',
      'resolved -reopen-> investigating',
      'closed -reopen-> investigating',
    ])
  })

  test.each(illegal)('refuses %s → %s with 409 naming both statuses, and changes nothing', async (from, transition) => {
    const id = await incidentIn(from)
    // The owner's responder may handle the incident: only the state machine stands in the way.
    const error = await expectDomainError(transitionIncident(await cast.as('ownResponder'), id, transition), 'conflict', 'incidents.errors.illegalTransition')
    expect(error).toBeInstanceOf(IllegalTransitionError)
    expect(error).toMatchObject({ from, transition, to: TRANSITIONS[transition].to })
    expect((await incidentRow(h, id)).status).toBe(from)
  })

  test.each(legal)('accepts %s → %s', async (from, transition) => {
    const id = await incidentIn(from)
    const result = await transitionIncident(await cast.as('ownResponder'), id, transition)
    expect(result).toEqual({ id, from, to: TRANSITIONS[transition].to })
    expect((await incidentRow(h, id)).status).toBe(TRANSITIONS[transition].to)
  })

  test('the refusal reads clearly in both languages', () => {
    const params = (lng: 'vi' | 'en') => {
      const t = createI18n(lng).t
      return t('incidents.errors.illegalTransition', { from: t('incidents.status.new'), to: t('incidents.status.closed') })
    }
    expect(params('vi')).toBe('Không thể chuyển sự cố từ trạng thái “Mới” sang “Đã đóng”.')
    expect(params('en')).toBe('An incident in status “New” cannot move to “Closed”.')
  })

  test('an unknown transition is a validation error', async () => {
    const id = await incidentIn('new')
    await expectDomainError(transitionIncident(await cast.as('ownResponder'), id, 'explode'), 'validation')
    await expectDomainError(transitionIncident(await cast.as('ownResponder'), id, undefined), 'validation')
  })

  test('an allowed-looking step by someone who may not take it is 403; by someone who cannot see it, 404', async () => {
    const id = await incidentIn('new')
    await expectDomainError(transitionIncident(await cast.as('creator'), id, 'acknowledge'), 'forbidden')
    await expectDomainError(transitionIncident(await cast.as('leadResponder'), id, 'investigate'), 'forbidden')
    await expectDomainError(transitionIncident(await cast.as('siblingResponder'), id, 'acknowledge'), 'not_found')
    expect((await incidentRow(h, id)).status).toBe('new')
  })
})

describe('times and timeline of each step', () => {
  test('a full journey records every time and timeline entry, and the closure report', async () => {
    const { id } = await fileIncident(await cast.as('creator'), {}, false)
    const creator = await cast.as('creator')
    const responder = await cast.as('ownResponder')
    await transitionIncident(creator, id, 'submit')
    await transitionIncident(await cast.as('leadResponder'), id, 'acknowledge')
    expect((await incidentRow(h, id)).acknowledgedAt).toBeInstanceOf(Date)
    await transitionIncident(responder, id, 'investigate')
    await transitionIncident(responder, id, 'contain')
    await transitionIncident(responder, id, 'resolve')
    expect((await incidentRow(h, id)).resolvedAt).toBeInstanceOf(Date)
    await submitClosureReport(responder, id, FORM_04)
    await transitionIncident(responder, id, 'close')
    const row = await incidentRow(h, id)
    expect(row).toMatchObject({ status: 'closed', ...FORM_04 })
    expect(row.closedAt).toBeInstanceOf(Date)
    expect(row.closureSubmittedAt).toBeInstanceOf(Date)
    const detail = await getIncidentDetail(creator, id)
    expect(detail.timeline.map((e) => e.kind)).toEqual([
      'filed',
      'acknowledged',
      'status_changed',
      'status_changed',
      'status_changed',
      'closure_report',
      'status_changed',
    ])
    expect(detail.timeline[1]).toMatchObject({ actorName: cast.users.leadResponder.name, data: { from: 'new', to: 'acknowledged' } })
    expect(detail.timeline.at(-1)!.data).toEqual({ from: 'resolved', to: 'closed', transition: 'close' })
    expect(detail.deadlines.closureReport.state).toBe('met')
    expect((await eventsFor(h, id, 'incident.status_changed')).length).toBe(4)
  })

  test('taking a new incident straight into investigation acknowledges its receipt too', async () => {
    const id = await incidentIn('new')
    await transitionIncident(await cast.as('ownResponder'), id, 'investigate')
    expect((await incidentRow(h, id)).acknowledgedAt).toBeInstanceOf(Date)
  })

  test('submitting an incomplete draft lists what is missing', async () => {
    const { id } = await fileIncident(await cast.as('creator'), { systemName: '', description: '' }, false)
    const error = await expectDomainError(transitionIncident(await cast.as('creator'), id, 'submit'), 'validation', 'incidents.errors.incomplete')
    expect(Object.keys(error.details.fieldErrors!).sort()).toEqual(['description', 'systemName'])
    expect((await incidentRow(h, id)).status).toBe('draft')
  })
})

describe('closing needs the closure report (Form 04)', () => {
  async function resolvedWithoutReport() {
    const { id } = await fileIncident(await cast.as('creator'))
    await forceStatus(h, id, 'resolved')
    return id
  }

  test('closing without a closure report is refused', async () => {
    const id = await resolvedWithoutReport()
    await expectDomainError(transitionIncident(await cast.as('ownResponder'), id, 'close'), 'conflict', 'incidents.errors.closureReportRequired')
    expect((await incidentRow(h, id)).status).toBe('resolved')
  })

  test('an incomplete closure report given with the close is refused field by field', async () => {
    const id = await resolvedWithoutReport()
    const error = await expectDomainError(
      transitionIncident(await cast.as('ownResponder'), id, 'close', { ...FORM_04, closurePrevention: ' ' }),
      'validation',
    )
    expect(error.details.fieldErrors).toEqual({ closurePrevention: ['validation.required'] })
    expect((await incidentRow(h, id)).status).toBe('resolved')
  })

  test('the report may come with the close', async () => {
    const id = await resolvedWithoutReport()
    await transitionIncident(await cast.as('ownResponder'), id, 'close', FORM_04)
    const row = await incidentRow(h, id)
    expect(row).toMatchObject({ status: 'closed', ...FORM_04 })
    const kinds = (await getIncidentDetail(await cast.as('creator'), id)).timeline.map((e) => e.kind)
    expect(kinds).toContain('closure_report')
  })

  test('the report comes before the close in the timeline, and closing with it unchanged is not a second report', async () => {
    const id = await resolvedWithoutReport()
    const responder = await cast.as('ownResponder')
    await submitClosureReport(responder, id, FORM_04)
    await transitionIncident(responder, id, 'close', FORM_04)
    const kinds = (await getIncidentDetail(responder, id)).timeline.map((e) => e.kind)
    expect(kinds.filter((k) => k === 'closure_report')).toHaveLength(1)
    expect(kinds.slice(-2)).toEqual(['closure_report', 'status_changed'])

    // A corrected report given with the close is recorded, before the status change.
    const other = await resolvedWithoutReport()
    await submitClosureReport(responder, other, FORM_04)
    await transitionIncident(responder, other, 'close', { ...FORM_04, closurePrevention: 'Giám sát toàn vẹn tệp 24/7.' })
    const corrected = (await getIncidentDetail(responder, other)).timeline.map((e) => e.kind)
    expect(corrected.slice(-3)).toEqual(['closure_report', 'closure_report', 'status_changed'])
  })

  test('the report alone is only written once the incident is resolved, by those who handle it', async () => {
    const open = await incidentIn('investigating')
    await expectDomainError(submitClosureReport(await cast.as('ownResponder'), open, FORM_04), 'conflict', 'incidents.errors.closureReportNotResolved')
    const id = await resolvedWithoutReport()
    await expectDomainError(submitClosureReport(await cast.as('creator'), id, FORM_04), 'forbidden')
    await expectDomainError(submitClosureReport(await cast.as('leadResponder'), id, FORM_04), 'forbidden')
    await expectDomainError(submitClosureReport(await cast.as('siblingResponder'), id, FORM_04), 'not_found')
    await submitClosureReport(await cast.as('ownAdmin'), id, FORM_04)
    expect((await incidentRow(h, id)).closureSubmittedAt).toBeInstanceOf(Date)
  })

  test('reopening clears the closing, the resolution and the report’s submission (its text stays)', async () => {
    const id = await resolvedWithoutReport()
    const responder = await cast.as('ownResponder')
    await transitionIncident(responder, id, 'close', FORM_04)
    await transitionIncident(responder, id, 'reopen')
    const row = await incidentRow(h, id)
    expect(row).toMatchObject({ status: 'investigating', closedAt: null, resolvedAt: null, closureSubmittedAt: null, ...FORM_04 })
    const kinds = (await getIncidentDetail(responder, id)).timeline.map((e) => e.kind)
    expect(kinds.at(-1)).toBe('reopened')
    // A new resolution needs its report again.
    await transitionIncident(responder, id, 'resolve')
    await expectDomainError(transitionIncident(responder, id, 'close'), 'conflict', 'incidents.errors.closureReportRequired')
  })
})

describe('deadlines (Circular 20/2017)', () => {
  const t0 = new Date('2026-03-01T00:00:00Z')
  const at = (hours: number) => new Date(t0.getTime() + hours * 3600_000)
  const none = { detectedAt: null, submittedAt: null, acknowledgedAt: null, resolvedAt: null, closureSubmittedAt: null }

  test('without a detection time nothing applies', () => {
    const d = computeDeadlines(none, at(0))
    expect([d.notification.state, d.acknowledgement.state, d.closureReport.state]).toEqual(['not_applicable', 'not_applicable', 'not_applicable'])
  })

  test('notification is due 5 days after detection: pending, then overdue, then met (late if after the due time)', () => {
    const row = { ...none, detectedAt: t0 }
    expect(computeDeadlines(row, at(24)).notification).toEqual({ dueAt: at(120), metAt: null, state: 'pending', late: false })
    expect(computeDeadlines(row, at(121)).notification.state).toBe('overdue')
    expect(computeDeadlines({ ...row, submittedAt: at(100) }, at(200)).notification).toEqual({ dueAt: at(120), metAt: at(100), state: 'met', late: false })
    expect(computeDeadlines({ ...row, submittedAt: at(130) }, at(200)).notification).toMatchObject({ state: 'met', late: true })
  })

  test('acknowledgement is due 24 hours after submission', () => {
    const row = { ...none, detectedAt: t0, submittedAt: at(1) }
    expect(computeDeadlines(row, at(2)).acknowledgement).toMatchObject({ dueAt: at(25), state: 'pending' })
    expect(computeDeadlines(row, at(26)).acknowledgement.state).toBe('overdue')
    expect(computeDeadlines({ ...row, acknowledgedAt: at(3) }, at(26)).acknowledgement).toMatchObject({ state: 'met', late: false })
  })

  test('the closure report is due 5 days after resolution', () => {
    const row = { ...none, detectedAt: t0, submittedAt: at(1), acknowledgedAt: at(2), resolvedAt: at(48) }
    expect(computeDeadlines(row, at(50)).closureReport).toMatchObject({ dueAt: at(168), state: 'pending' })
    expect(computeDeadlines(row, at(169)).closureReport.state).toBe('overdue')
    expect(computeDeadlines({ ...row, closureSubmittedAt: at(100) }, at(169)).closureReport.state).toBe('met')
  })

  test('accepts serialised times (list badges computed from JSON rows)', () => {
    expect(computeDeadlines({ ...none, detectedAt: t0.toISOString() }, at(200)).notification.state).toBe('overdue')
  })

  test('the detail view computes them at the service clock', async () => {
    const { id } = await fileIncident(await cast.as('creator'), {}, false)
    const detected = (await incidentRow(h, id)).detectedAt!
    h.setNow(new Date(detected.getTime() + 6 * 24 * 3600_000))
    try {
      const detail = await getIncidentDetail(await cast.as('creator'), id)
      expect(detail.deadlines.notification.state).toBe('overdue')
      expect(detail.deadlines.acknowledgement.state).toBe('not_applicable')
    } finally {
      h.setNow(null as unknown as Date)
    }
  })
})
