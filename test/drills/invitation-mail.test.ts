import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { transitionDrill } from '../../app/drills/drills.server.ts'
import { cancelRegistration, signUpForDrill } from '../../app/drills/registrations.server.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp.ts'
import { drillCast, drillForm, publishedDrill, type DrillCast } from './fixtures.ts'
import { parseCalendar } from './ical.ts'

// The invitation travels for real: a sign-up or a promotion commits its event, the worker sends
// the mail over SMTP to an in-process server, and mailparser finds the text/calendar part.

let h: Harness
let smtp: SmtpSink
let cast: DrillCast

beforeAll(async () => {
  smtp = await startSmtpSink()
  h = await createHarness({ worker: true, env: { SMTP_URL: smtp.url, EMAIL_RETRY_DELAY_SECONDS: '1' } })
  cast = await drillCast(h)
})
afterAll(async () => {
  await h.close()
  await smtp.close()
})
beforeEach(() => {
  smtp.received.length = 0
})

/** Waits for the mail to one address, ignoring the others. */
async function mailTo(email: string, subjectIncludes: string, timeoutMs = 30_000): Promise<ReceivedMail> {
  const start = Date.now()
  for (;;) {
    const found = smtp.received.find((m) => m.to.includes(email) && m.subject.includes(subjectIncludes))
    if (found) return found
    if (Date.now() - start > timeoutMs) throw new Error(`no mail "${subjectIncludes}" to ${email}; got ${smtp.received.map((m) => `${m.to.join(',')}: ${m.subject}`).join(' | ')}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The text/calendar part of a mail, as mailparser sees it. */
function calendarPart(mail: ReceivedMail) {
  const part = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar')
  if (!part) return null
  // The method parameter of the part's Content-Type is what Outlook and Gmail act on.
  const contentType = part.headers.get('content-type') as { params?: Record<string, string> } | undefined
  return { headerMethod: contentType?.params?.method?.toUpperCase() ?? null, ...parseCalendar(part.content.toString('utf8')) }
}

describe('drill invitations by mail', () => {
  test('a waitlisted person who is promoted gets mail with a text/calendar METHOD:REQUEST for their place', async () => {
    const id = await publishedDrill(await cast.as('leadResponder'), drillForm(h.services.now(), { clusterId: cast.clusterId, capacity: '1' }))
    const first = await signUpForDrill(await cast.as('memberReporter'), id, { role: 'participant' })
    const second = await signUpForDrill(await cast.as('siblingResponder'), id, { role: 'participant' })

    const confirmation = await mailTo(cast.users.memberReporter.email, 'Đăng ký diễn tập')
    expect(calendarPart(confirmation)).toMatchObject({ method: 'REQUEST' })
    // The waitlisted person is told, without an invitation.
    const waitlisted = await mailTo(cast.users.siblingResponder.email, 'Đăng ký diễn tập')
    expect(calendarPart(waitlisted)).toBeNull()

    await cancelRegistration(await cast.as('memberReporter'), first.id)
    const promotion = await mailTo(cast.users.siblingResponder.email, 'Bạn đã có chỗ trong đợt diễn tập')
    const part = calendarPart(promotion)
    expect(part).toMatchObject({ method: 'REQUEST', headerMethod: 'REQUEST' })
    expect(part!.events).toHaveLength(1)
    expect(part!.events[0]).toMatchObject({ tzid: 'Asia/Ho_Chi_Minh', sequence: 0, attendees: [`mailto:${cast.users.siblingResponder.email}`] })
    expect(part!.events[0]!.uid).toBe(calendarPart(confirmation)!.events[0]!.uid)
    // Their organisation admin gives the place up for them: the notice withdraws the invitation.
    await cancelRegistration(await cast.as('siblingAdmin'), second.id)
    const withdrawal = calendarPart(await mailTo(cast.users.siblingResponder.email, 'Đăng ký diễn tập của bạn đã bị hủy'))
    expect(withdrawal).toMatchObject({ method: 'CANCEL', headerMethod: 'CANCEL', events: [{ uid: part!.events[0]!.uid, status: 'CANCELLED' }] })
  })

  test('cancelling the drill mails METHOD:CANCEL; an AMBER drill’s invitation holds no details', async () => {
    const id = await publishedDrill(await cast.as('leadResponder'), drillForm(h.services.now(), { clusterId: cast.clusterId, tlp: 'AMBER' }))
    await signUpForDrill(await cast.as('memberReporter2'), id, { role: 'observer' })
    const invitation = calendarPart(await mailTo(cast.users.memberReporter2.email, 'Đăng ký diễn tập'))!
    expect(invitation.method).toBe('REQUEST')
    expect(invitation.events[0]!.summary).toBe('Diễn tập CSIRT Net (TLP:AMBER)')
    expect(invitation.events[0]!.location).toBeNull()

    await transitionDrill(await cast.as('leadResponder'), id, 'cancel')
    const cancellation = calendarPart(await mailTo(cast.users.memberReporter2.email, 'Đợt diễn tập bị hủy'))!
    expect(cancellation).toMatchObject({ method: 'CANCEL', events: [{ uid: invitation.events[0]!.uid, sequence: 1, status: 'CANCELLED' }] })
  })
})
