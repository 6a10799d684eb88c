import crypto from 'node:crypto'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dateToLocalDateTime, localDateTimeToDate } from '../../app/lib/dates.ts'
import { calendarDate, DEFAULT_TIME_ZONE, formatDateTime } from '../../app/lib/dates.ts'
import { launchBrowser, newContext, pageLang, signIn, url, words, type Text, type Words } from './browser.ts'

// One incident's whole life, each act by the demo account whose role allows it, each in its own
// browser: filed by a Quảng Ninh reporter (Form 03), acknowledged, commented on and escalated by
// the Cluster 3 lead (Nam Định), triaged by VNCERT/CC, coordinated with Form 06, worked by the
// responding organisation (Hải Phòng), closed with Form 04 — and hidden from Cluster 1.
//
// The journey creates its own incident under a unique title and finds it by that title, so it
// does not care which other incidents the demo data holds.
//
// Texts come from the i18n resources (app/i18n/resources) and are Vietnamese: every account
// except the analyst is checked to see Vietnamese. language.test.ts switches the analyst's saved
// language to English and back while it runs, possibly at the same time as this file, so the
// analyst's steps accept either language's text for the same key.

const ANALYST = 'analyst@vncert.demo'
const REPORTER = 'reporter@quangninh.demo'
const LEAD = 'lead@namdinh.demo'
const RESPONDER = 'responder@haiphong.demo'
const OUTSIDER = 'reporter@bacninh.demo'

const QUANG_NINH = 'Sở TT&TT Quảng Ninh'
const NAM_DINH = 'Sở TT&TT Nam Định'
const HAI_PHONG = 'Sở TT&TT Hải Phòng'
const VNCERT = 'VNCERT/CC'
const REPORTER_NAME = 'Hoàng Văn Em'
const LEAD_NAME = 'Trần Thị Bình'
const ANALYST_NAME = 'Nguyễn Văn An'
const RESPONDER_NAME = 'Phạm Thị Dung'

// The demo accounts keep the default zone; datetime-local fields are read in it.
const ZONE = DEFAULT_TIME_ZONE
const HOUR = 3600 * 1000

// A token of letters and digits only, so that the list's full-text search finds it as one word.
const token = `hanhtrinh${crypto.randomBytes(5).toString('hex')}`
const title = `Cổng thông tin điện tử bị thay đổi giao diện ${token}`
const comment = `Cụm 3 đã nhận được thông báo và liên hệ đơn vị (${token}).`
const escalationReason = `Giao diện cổng bị thay đổi lặp lại sau khi khôi phục; cần VNCERT/CC hỗ trợ phân tích mã độc (${token}).`
const triageNote = `Hệ thống cấp độ 3, có nguy cơ lan sang các cổng khác trong tỉnh (${token}).`
const coordinationRequest = `Rà soát nhật ký máy chủ web, gửi mẫu tệp lạ và danh sách IP truy cập quản trị (${token}).`
const coordinationAnswer = `Đã rà soát nhật ký, gửi kèm mẫu webshell và 3 địa chỉ IP nghi vấn (${token}).`
const closureWhatHappened = `Kẻ tấn công khai thác lỗ hổng tải tệp để cài webshell và thay giao diện (${token}).`
const closureResolution = `Gỡ webshell, vá lỗ hổng, khôi phục từ bản sao lưu sạch, đổi mật khẩu quản trị (${token}).`
const closurePrevention = `Bật tường lửa ứng dụng web, giám sát toàn vẹn tệp, rà soát định kỳ (${token}).`

/** What one journey learns along the way and hands to the next step. */
const journey = { incidentId: '', reference: '', dueAt: new Date(0), quangNinhRequestPath: '', haiPhongRequestPath: '' }

let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

/**
 * Signs `email` in, in a browser of its own, and runs one step. Any server error (5xx) or
 * script error on the way fails the step, even where the page looked fine.
 */
async function as(email: string, run: (page: Page, say: Words) => Promise<void>) {
  const context = await newContext(browser)
  const problems: string[] = []
  try {
    const page = await context.newPage()
    page.on('response', (response) => {
      if (response.status() >= 500) problems.push(`${response.status()} ${response.url()}`)
    })
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`))
    await signIn(page, email)
    let say: Words
    if (email === ANALYST) {
      say = words('vi', 'en')
    } else {
      expect(await pageLang(page), `${email} sees the site in Vietnamese`).toBe('vi')
      say = words('vi')
    }
    await run(page, say)
    expect(problems).toEqual([])
  } finally {
    await context.close()
  }
}

const incidentPath = () => `/incidents/${journey.incidentId}`
const onIncident = (u: URL, done?: string) => u.pathname === incidentPath() && (done === undefined || u.searchParams.get('done') === done)

/** Waits until the locator shows exactly `text` (trimmed), or matches it when it is a pattern. */
async function expectText(locator: Locator, text: Text) {
  const read = async () => (await locator.innerText()).trim()
  if (typeof text === 'string') await expect.poll(read, { timeout: 10_000 }).toBe(text)
  else await expect.poll(read, { timeout: 10_000 }).toMatch(text)
}

/** The announcement after an act (role="status"). */
const notice = (page: Page) => page.getByRole('status')

/** The value (dd) of a fact in a definition list, by its term (dt). */
function fact(scope: Page | Locator, term: Text) {
  return scope.getByRole('term').filter({ hasText: asPattern(term) }).locator('xpath=following-sibling::dd[1]')
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A text as a pattern matching it exactly. */
function asPattern(text: Text): RegExp {
  return typeof text === 'string' ? new RegExp(`^${escapeRegExp(text)}$`) : text
}

/** Selects the option with this accessible name. */
async function choose(select: Locator, option: Text) {
  const value = await select.getByRole('option', { name: option, exact: true }).getAttribute('value')
  if (value === null) throw new Error(`option ${String(option)} has no value`)
  await select.selectOption(value)
}

const navLink = (page: Page, say: Words, key: string) =>
  page.getByRole('navigation', { name: say('nav.label') }).getByRole('link', { name: say(key), exact: true })

/** The incident's timeline: one row per act, with who did it (name, organisation) and what. */
function timelineTable(page: Page, say: Words) {
  return page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: say('incidents.timeline.who'), exact: true }) })
}

/** Waits for the timeline row of an act, found by a text only that act's row shows. */
async function timelineRow(page: Page, say: Words, text: string) {
  const row = timelineTable(page, say).getByRole('row').filter({ hasText: text })
  await row.waitFor()
  return row
}

interface Act {
  what: string
  who: string
}

async function timelineOf(page: Page, say: Words): Promise<(Act & { text: string })[]> {
  const table = timelineTable(page, say)
  await table.waitFor()
  // The rows with cells: every row but the header.
  const rows = await table.getByRole('row').filter({ has: page.getByRole('cell') }).evaluateAll((trs) =>
    trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (cell) => cell.innerText.trim())),
  )
  return rows.map(([, who = '', what = '']) => ({
    who: who.split('\n').map((line) => line.trim()).filter(Boolean).join(' / '),
    what: what.split('\n')[0]!.trim(),
    text: what,
  }))
}

/** A status change as the timeline writes it, e.g. "Mới → Đã tiếp nhận". */
const statusChange = (say: Words, from: string, to: string) =>
  say.of((t) => t('incidents.timeline.statusChange', { from: t(`incidents.status.${from}`), to: t(`incidents.status.${to}`) }))

/** A text in Vietnamese: the steps that search rows by text run as Vietnamese-only accounts. */
const vi = (key: string, vars?: Record<string, unknown>) => words('vi')(key, vars) as string

function vietnameseYear(at: Date) {
  return calendarDate(at, ZONE).slice(0, 4)
}

describe.sequential('an incident from filing to closure, across the network', () => {
  test('a Quảng Ninh reporter files an AMBER initial report (Form 03) and sees its reference', async () => {
    await as(REPORTER, async (page, say) => {
      await navLink(page, say, 'nav.incidents').click()
      await page.getByRole('link', { name: say('incidentList.newReport'), exact: true }).click()
      await page.waitForURL((u) => u.pathname === '/incidents/new')
      await expectText(page.getByRole('heading', { level: 1 }), say('incidents.newTitle'))

      const field = (key: string) => page.getByLabel(say(`incidents.fields.${key}`), { exact: true })
      await field('title').fill(title)
      await field('description').fill('Trang chủ cổng thông tin hiển thị nội dung lạ từ 07:40; đã tạm dừng cổng.')
      // A day ago, in the reader's zone: in the past, within the 5-day notification period.
      await field('detectedAt').fill(dateToLocalDateTime(new Date(Date.now() - 24 * HOUR), ZONE))
      await page.getByRole('checkbox', { name: say('incidents.detectionMethods.logs'), exact: true }).check()
      await page.getByRole('checkbox', { name: say('incidents.notifiedParties.responsible_member'), exact: true }).check()
      await choose(field('category'), say('incidents.categories.defacement'))
      await choose(field('severity'), say('incidents.severity.high'))
      await choose(field('tlp'), say.of((t) => `TLP:AMBER — ${t('incidents.tlpHelp.AMBER')}`))
      // The contact comes filled in from the reporter's account; a title and phone complete it.
      expect(await field('contactName').inputValue()).toBe(REPORTER_NAME)
      expect(await field('contactEmail').inputValue()).toBe(REPORTER)
      await field('contactTitle').fill('Chuyên viên an toàn thông tin')
      await field('contactPhone').fill('0203 3835 123')
      await field('systemName').fill('Cổng thông tin điện tử tỉnh Quảng Ninh')
      await field('systemDomains').fill('congthongtin.example.gov.vn')
      await field('systemPublicIps').fill('203.0.113.10')
      await choose(field('systemLevel'), say('incidents.systemLevels.3'))
      await field('systemOwner').fill('Ủy ban nhân dân tỉnh Quảng Ninh')

      const yearBefore = vietnameseYear(new Date())
      await page.getByRole('button', { name: say('incidents.buttons.submitReport'), exact: true }).click()
      await page.waitForURL((u) => /^\/incidents\/[0-9a-f-]{36}$/.test(u.pathname) && u.searchParams.get('done') === 'filed')
      journey.incidentId = new URL(page.url()).pathname.split('/')[2]!

      const filed = await notice(page).innerText()
      const match = /^Đã gửi báo cáo (IR-(\d{4})-\d{6})\.$/.exec(filed.trim())
      expect(match, `the notice "${filed}" names the reference`).not.toBeNull()
      journey.reference = match![1]!
      expect([yearBefore, vietnameseYear(new Date())]).toContain(match![2])
      await expectText(notice(page), say('incidents.done.filed', { reference: journey.reference }))
      await expectText(page.getByRole('heading', { level: 1 }), `${journey.reference} — ${title}`)

      await expectText(fact(page, say('incidents.fields.tlp')), 'TLP:AMBER')
      await expectText(fact(page, say('incidents.fields.severity')), say('incidents.severity.high'))
      await expectText(fact(page, say('incidents.fields.category')), say('incidents.categories.defacement'))
      await expectText(fact(page, say('incidents.fields.systemDomains')), 'congthongtin.example.gov.vn')
      await expectText(fact(page, say('incidents.fields.reportingOrganisation')), QUANG_NINH)
      await expectText(fact(page, say('incidents.fields.createdBy')), REPORTER_NAME)

      const acts = await timelineOf(page, say)
      expect(acts.map(({ what, who }) => ({ what, who }))).toEqual([{ what: vi('incidents.timeline.kinds.filed'), who: `${REPORTER_NAME} / ${QUANG_NINH}` }])

      // Their own list shows it, new and AMBER.
      await page.getByRole('link', { name: say('incidents.backToList'), exact: true }).click()
      await page.getByLabel(say('incidentList.q'), { exact: true }).fill(token)
      await page.getByRole('button', { name: say('incidentList.apply'), exact: true }).click()
      await page.waitForURL((u) => u.pathname === '/incidents' && u.searchParams.get('q') === token)
      const row = page.getByRole('table', { name: say('incidentList.caption') }).getByRole('row').filter({ hasText: title })
      await expectText(row.getByRole('cell').nth(0), journey.reference)
      await expectText(row.getByRole('cell').nth(5), 'TLP:AMBER')
      await expectText(row.getByRole('cell').nth(6), say('incidentList.statuses.new'))
    })
  })

  test('the Cluster 3 lead finds it on the cluster board, acknowledges it and adds a shared comment', async () => {
    await as(LEAD, async (page, say) => {
      await navLink(page, say, 'nav.clusters').click()
      await page.getByRole('link', { name: 'Cụm 3', exact: true }).click()
      await page.getByRole('link', { name: say('incidentList.board.title', { cluster: 'Cụm 3' }), exact: true }).click()
      await page.waitForURL((u) => /^\/clusters\/[0-9a-f-]{36}\/board$/.test(u.pathname))
      await expectText(page.getByRole('heading', { level: 1 }), say('incidentList.board.title', { cluster: 'Cụm 3' }))

      // Quảng Ninh's "new" cell links to its new incidents; how many depends on the demo data.
      const board = page.getByRole('table', { name: say('incidentList.board.caption') })
      const quangNinh = board.getByRole('row').filter({ has: page.getByRole('rowheader', { name: QUANG_NINH, exact: true }) })
      const sample = vi('incidentList.board.openLink', { count: 987654, status: vi('incidentList.statuses.new'), organisation: QUANG_NINH })
      const openLink = new RegExp(`^${escapeRegExp(sample).replace('987654', '\\d+')}$`)
      await quangNinh.getByRole('link', { name: openLink }).click()
      await page.waitForURL((u) => u.pathname === '/incidents' && u.searchParams.get('status') === 'new')

      await page.getByLabel(say('incidentList.q'), { exact: true }).fill(token)
      await page.getByRole('button', { name: say('incidentList.apply'), exact: true }).click()
      await page.waitForURL((u) => u.pathname === '/incidents' && u.searchParams.get('q') === token)
      const row = page.getByRole('table', { name: say('incidentList.caption') }).getByRole('row').filter({ hasText: title })
      await expectText(row.getByRole('cell').nth(2), QUANG_NINH)
      await row.getByRole('link', { name: journey.reference, exact: true }).click()
      await page.waitForURL((u) => onIncident(u))
      await expectText(page.getByRole('heading', { level: 1 }), `${journey.reference} — ${title}`)

      await page.getByRole('button', { name: say('incidents.transitions.acknowledge'), exact: true }).click()
      await page.waitForURL((u) => onIncident(u, 'transitioned'))
      const acknowledged = await timelineRow(page, say, statusChange(say, 'new', 'acknowledged') as string)
      await expectText(acknowledged.getByRole('cell').nth(1), `${LEAD_NAME}\n${NAM_DINH}`)
      const deadline = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: say('incidents.deadlines.acknowledgement'), exact: true }) })
      await expectText(deadline.getByRole('cell').nth(0), say('incidents.deadlines.states.met'))

      // A comment for everyone on the incident, not an internal note.
      await page.getByLabel(say('incidents.fields.commentBody'), { exact: true }).fill(comment)
      expect(await page.getByLabel(say('incidents.fields.internal'), { exact: true }).isChecked()).toBe(false)
      await page.getByRole('button', { name: say('incidents.buttons.comment'), exact: true }).click()
      await page.waitForURL((u) => onIncident(u, 'commented'))
      await expectText(notice(page), say('incidents.done.commented'))
      const commented = await timelineRow(page, say, comment)
      await expectText(commented.getByRole('cell').nth(1), `${LEAD_NAME}\n${NAM_DINH}`)
      expect(await commented.getByText(say('incidents.detail.internalBadge'), { exact: true }).count()).toBe(0)
    })
  })

  test('the Cluster 3 lead escalates it to VNCERT/CC with a reason and an urgency', async () => {
    await as(LEAD, async (page, say) => {
      await page.goto(url(incidentPath()))
      await page.getByRole('link', { name: say('incidents.links.escalate'), exact: true }).click()
      await page.waitForURL((u) => u.pathname === `${incidentPath()}/escalate`)
      await expectText(page.getByRole('heading', { level: 1 }), say('triage.escalate.title'))
      await page.getByLabel(say('triage.fields.reason'), { exact: true }).fill(escalationReason)
      await choose(page.getByLabel(say('triage.fields.urgency'), { exact: true }), say('triage.urgency.urgent'))
      await page.getByRole('button', { name: say('triage.escalate.submit'), exact: true }).click()

      await page.waitForURL((u) => onIncident(u))
      const escalated = await timelineRow(page, say, escalationReason)
      await expectText(escalated.getByRole('cell').nth(1), `${LEAD_NAME}\n${NAM_DINH}`)
      await page.getByText(say('incidents.detail.escalatedBadge'), { exact: true }).waitFor()
      await expectText(fact(page, say('incidents.fields.escalation')), new RegExp(` — ${LEAD_NAME}$`))
      // Waiting for triage, it cannot be escalated again.
      expect(await page.getByRole('link', { name: say('incidents.links.escalate'), exact: true }).count()).toBe(0)
    })
  })

  test('the VNCERT/CC analyst accepts it from the triage queue as serious and names the analyst in charge', async () => {
    await as(ANALYST, async (page, say) => {
      await navLink(page, say, 'nav.triage').click()
      await page.waitForURL((u) => u.pathname === '/triage')
      await expectText(page.getByRole('heading', { level: 1 }), say('triage.queue.title'))
      const waiting = page.getByRole('table', { name: say('triage.queue.waitingCaption') }).getByRole('row').filter({ hasText: title })
      await expectText(waiting.getByRole('cell').nth(2), QUANG_NINH)
      await expectText(waiting.getByRole('cell').nth(3), say('triage.urgency.urgent'))
      await expectText(waiting.getByRole('cell').nth(5), say('triage.status.pending'))
      await waiting.getByRole('link', { name: journey.reference, exact: true }).click()

      await page.waitForURL((u) => u.pathname === `${incidentPath()}/triage`)
      await expectText(page.getByRole('heading', { level: 1 }), say('triage.decide.title', { reference: journey.reference }))
      await expectText(fact(page, say('triage.fields.reason')), escalationReason)
      await expectText(fact(page, say('triage.fields.escalatedBy')), LEAD_NAME)
      await expectText(fact(page, say('triage.fields.urgency')), say('triage.urgency.urgent'))

      await choose(page.getByLabel(say('triage.fields.classification'), { exact: true }), say('triage.classification.serious'))
      await choose(
        page.getByLabel(say('triage.fields.analyst'), { exact: true }),
        say.of((t) => `${ANALYST_NAME} (${t('roles.cert_analyst')})`),
      )
      await page.getByLabel(say('triage.fields.note'), { exact: true }).fill(triageNote)
      await page.getByRole('button', { name: say('triage.decide.accept'), exact: true }).click()

      await page.waitForURL((u) => u.pathname === '/triage' && u.searchParams.get('done') === 'accepted')
      await expectText(notice(page), say('triage.queue.done.accepted'))
      expect(await page.getByRole('table', { name: say('triage.queue.waitingCaption') }).getByRole('row').filter({ hasText: title }).count()).toBe(0)
      const decided = page.getByRole('table', { name: say('triage.queue.decidedCaption') }).getByRole('row').filter({ hasText: title })
      await expectText(decided.getByRole('cell').nth(3), say.of((t) => `${t('triage.status.accepted')} ${t('triage.classification.serious')}`))

      await decided.getByRole('link', { name: journey.reference, exact: true }).click()
      await page.waitForURL((u) => u.pathname === `${incidentPath()}/triage`)
      await expectText(fact(page, say('triage.fields.classification')), say('triage.classification.serious'))
      await expectText(fact(page, say('triage.fields.analyst')), ANALYST_NAME)
      await page.getByText(say('triage.decide.notAwaiting'), { exact: true }).waitFor()
    })
  })

  test('the analyst makes Hải Phòng the responding organisation and issues a coordination request (Form 06) to Quảng Ninh and Hải Phòng with a due date', async () => {
    await as(ANALYST, async (page, say) => {
      await page.goto(url(`${incidentPath()}/triage`))
      await page.getByRole('link', { name: say('triage.backToIncident', { reference: journey.reference }) }).click()
      await page.waitForURL((u) => onIncident(u))
      await expectText(fact(page, say('incidents.fields.serious')), say('incidents.yes'))
      await page.getByText(say('incidents.detail.seriousBadge'), { exact: true }).waitFor()

      await choose(page.getByLabel(say('incidents.fields.assignedUser'), { exact: true }), `${ANALYST_NAME} — ${VNCERT}`)
      await choose(page.getByLabel(say('incidents.fields.respondingOrganisation'), { exact: true }), HAI_PHONG)
      await page.getByRole('button', { name: say('incidents.buttons.assign'), exact: true }).click()
      await page.waitForURL((u) => onIncident(u, 'assigned'))
      await expectText(notice(page), say('incidents.done.assigned'))
      await expectText(fact(page, say('incidents.fields.assignedUser')), ANALYST_NAME)
      await expectText(fact(page, say('incidents.fields.respondingOrganisation')), HAI_PHONG)

      await page.getByRole('link', { name: say('incidents.links.coordination'), exact: true }).click()
      await page.waitForURL((u) => u.pathname === `${incidentPath()}/coordination/new`)
      await expectText(page.getByRole('heading', { level: 1 }), say('triage.coordination.newTitle'))
      await page.getByRole('checkbox', { name: new RegExp(`^${escapeRegExp(QUANG_NINH)} `) }).check()
      await page.getByRole('checkbox', { name: new RegExp(`^${escapeRegExp(HAI_PHONG)} `) }).check()
      await page.getByLabel(say('triage.fields.request'), { exact: true }).fill(coordinationRequest)
      // A week from now at 17:00, in the analyst's zone.
      const due = `${calendarDate(new Date(Date.now() + 7 * 24 * HOUR), ZONE)}T17:00`
      journey.dueAt = localDateTimeToDate(due, ZONE)!
      await page.getByLabel(say('triage.fields.dueAt'), { exact: true }).fill(due)
      await page.getByRole('button', { name: say('triage.coordination.submit'), exact: true }).click()

      await page.waitForURL((u) => u.pathname === '/coordination' && u.searchParams.get('done') === 'issued')
      await expectText(notice(page), say('triage.coordination.done.issued'))
      const issued = page.getByRole('table', { name: say('triage.coordination.issuedCaption') }).getByRole('row').filter({ hasText: journey.reference })
      await expect.poll(() => issued.count(), { timeout: 10_000 }).toBe(2)
      for (const recipient of [QUANG_NINH, HAI_PHONG]) {
        const row = issued.filter({ hasText: recipient })
        await expectText(row.getByRole('cell').nth(0), coordinationRequest)
        await expectText(row.getByRole('cell').nth(3), say.of((_t, lang) => formatDateTime(journey.dueAt, lang, ZONE)))
        await expectText(row.getByRole('cell').nth(4), say('triage.coordinationStatus.open'))
      }
    })
  })

  test('the Quảng Ninh reporter sees the request sent to their organisation, which only its responders may answer', async () => {
    await as(REPORTER, async (page, say) => {
      await navLink(page, say, 'nav.coordination').click()
      await page.waitForURL((u) => u.pathname === '/coordination')
      const row = page.getByRole('table', { name: say('triage.coordination.receivedCaption') }).getByRole('row').filter({ hasText: journey.reference })
      await expectText(row.getByRole('cell').nth(2), VNCERT)
      await expectText(row.getByRole('cell').nth(4), say('triage.coordinationStatus.open'))
      await row.getByRole('link', { name: coordinationRequest, exact: true }).click()

      await page.waitForURL((u) => /^\/coordination\/[0-9a-f-]{36}$/.test(u.pathname))
      journey.quangNinhRequestPath = new URL(page.url()).pathname
      await expectText(page.getByRole('heading', { level: 1 }), say('triage.coordination.requestTitle'))
      await expectText(fact(page, say('triage.fields.recipient')), QUANG_NINH)
      await expectText(fact(page, say('triage.fields.issuer')), `${VNCERT} (${ANALYST_NAME})`)
      await expectText(fact(page, say('triage.fields.dueAt')), formatDateTime(journey.dueAt, 'vi', ZONE))
      await page.getByText(coordinationRequest, { exact: true }).waitFor()
      // Coordination.respond: a member's responders and admins answer for it, not its reporters.
      expect(await page.getByRole('button', { name: say('triage.coordination.acknowledge'), exact: true }).count()).toBe(0)
      expect(await page.getByRole('button', { name: say('triage.coordination.answer'), exact: true }).count()).toBe(0)
    })
  })

  test('the Hải Phòng responder acknowledges and answers the coordination request', async () => {
    await as(RESPONDER, async (page, say) => {
      await navLink(page, say, 'nav.coordination').click()
      await page.waitForURL((u) => u.pathname === '/coordination')
      const row = page.getByRole('table', { name: say('triage.coordination.receivedCaption') }).getByRole('row').filter({ hasText: journey.reference })
      await row.getByRole('link', { name: coordinationRequest, exact: true }).click()
      await page.waitForURL((u) => /^\/coordination\/[0-9a-f-]{36}$/.test(u.pathname))
      journey.haiPhongRequestPath = new URL(page.url()).pathname
      expect(journey.haiPhongRequestPath).not.toBe(journey.quangNinhRequestPath)
      await expectText(fact(page, say('triage.fields.recipient')), HAI_PHONG)

      await page.getByRole('button', { name: say('triage.coordination.acknowledge'), exact: true }).click()
      await page.waitForURL((u) => u.pathname === journey.haiPhongRequestPath && u.searchParams.get('done') === 'acknowledged')
      await expectText(notice(page), say('triage.coordination.done.acknowledged'))
      await expectText(fact(page, say('triage.fields.status')), say('triage.coordinationStatus.acknowledged'))

      await page.getByLabel(say('triage.fields.answer'), { exact: true }).fill(coordinationAnswer)
      await page.getByRole('button', { name: say('triage.coordination.answer'), exact: true }).click()
      await page.waitForURL((u) => u.pathname === journey.haiPhongRequestPath && u.searchParams.get('done') === 'answered')
      await expectText(notice(page), say('triage.coordination.done.answered'))
      await expectText(fact(page, say('triage.fields.status')), say('triage.coordinationStatus.answered'))
      await page.getByText(coordinationAnswer, { exact: true }).waitFor()
      expect(await page.getByRole('button', { name: say('triage.coordination.answer'), exact: true }).count()).toBe(0)

      // The request opened the incident to Hải Phòng.
      await page.getByRole('link', { name: journey.reference, exact: true }).click()
      await page.waitForURL((u) => onIncident(u))
      await expectText(page.getByRole('heading', { level: 1 }), `${journey.reference} — ${title}`)
      const answered = await timelineRow(page, say, vi('incidents.timeline.kinds.coordination_answered'))
      await expectText(answered.getByRole('cell').nth(1), `${RESPONDER_NAME}\n${HAI_PHONG}`)
      // The shared timeline records the answer, not its text.
      expect(await timelineTable(page, say).getByText(coordinationAnswer).count()).toBe(0)
    })
  })

  test('the Hải Phòng responder takes it through investigating and contained to resolved, and writes the closure report (Form 04)', async () => {
    await as(RESPONDER, async (page, say) => {
      await page.goto(url(incidentPath()))
      const steps: [transition: string, from: string, to: string][] = [
        ['investigate', 'acknowledged', 'investigating'],
        ['contain', 'investigating', 'contained'],
        ['resolve', 'contained', 'resolved'],
      ]
      for (const [transition, from, to] of steps) {
        await page.getByRole('button', { name: say(`incidents.transitions.${transition}`), exact: true }).click()
        const row = await timelineRow(page, say, statusChange(say, from, to) as string)
        await expectText(row.getByRole('cell').nth(1), `${RESPONDER_NAME}\n${HAI_PHONG}`)
        expect(new URL(page.url()).searchParams.get('done')).toBe('transitioned')
      }

      await page.getByRole('link', { name: say('incidents.detail.closure'), exact: true }).click()
      await page.waitForURL((u) => u.pathname === `${incidentPath()}/close`)
      await expectText(page.getByRole('heading', { level: 1 }), say('incidents.closeTitle', { reference: journey.reference }))
      await page.getByLabel(say('incidents.fields.closureWhatHappened'), { exact: true }).fill(closureWhatHappened)
      await page.getByLabel(say('incidents.fields.closureResolution'), { exact: true }).fill(closureResolution)
      await page.getByLabel(say('incidents.fields.closurePrevention'), { exact: true }).fill(closurePrevention)
      await page.getByRole('button', { name: say('incidents.buttons.saveClosureReport'), exact: true }).click()

      await page.waitForURL((u) => onIncident(u, 'closureReport'))
      await expectText(notice(page), say('incidents.done.closureReport'))
      await expectText(fact(page, say('incidents.fields.closureWhatHappened')), closureWhatHappened)
      await expectText(fact(page, say('incidents.fields.closureResolution')), closureResolution)
      await expectText(fact(page, say('incidents.fields.closurePrevention')), closurePrevention)
      await page.getByRole('link', { name: say('incidents.links.form04'), exact: true }).waitFor()
      const deadline = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: say('incidents.deadlines.closureReport'), exact: true }) })
      await expectText(deadline.getByRole('cell').nth(0), say('incidents.deadlines.states.met'))
    })
  })

  test('the analyst closes it on the closure report', async () => {
    await as(ANALYST, async (page, say) => {
      await navLink(page, say, 'nav.coordination').click()
      await page.waitForURL((u) => u.pathname === '/coordination')
      const issued = page.getByRole('table', { name: say('triage.coordination.issuedCaption') }).getByRole('row').filter({ hasText: HAI_PHONG }).filter({ hasText: journey.reference })
      await expectText(issued.getByRole('cell').nth(4), say('triage.coordinationStatus.answered'))
      await issued.getByRole('link', { name: journey.reference, exact: true }).click()
      await page.waitForURL((u) => onIncident(u))

      await page.getByRole('link', { name: say('incidents.transitions.close'), exact: true }).click()
      await page.waitForURL((u) => u.pathname === `${incidentPath()}/close`)
      // The report the responding organisation wrote, for the national CERT to close on.
      expect(await page.getByLabel(say('incidents.fields.closureWhatHappened'), { exact: true }).inputValue()).toBe(closureWhatHappened)
      expect(await page.getByLabel(say('incidents.fields.closureResolution'), { exact: true }).inputValue()).toBe(closureResolution)
      expect(await page.getByLabel(say('incidents.fields.closurePrevention'), { exact: true }).inputValue()).toBe(closurePrevention)
      await page.getByRole('button', { name: say('incidents.buttons.closeIncident'), exact: true }).click()

      await page.waitForURL((u) => onIncident(u, 'closed'))
      await expectText(notice(page), say('incidents.done.closed'))
      await page.getByText(say('incidents.status.closed'), { exact: true }).waitFor()
      // Closed, the only step left is to reopen it.
      const actions = page.getByRole('heading', { name: say('incidents.detail.actions'), exact: true }).locator('xpath=..')
      const buttons = await actions.getByRole('button').allInnerTexts()
      expect(buttons.map((b) => b.trim())).toEqual([expect.stringMatching(asPattern(say('incidents.transitions.reopen')))])
    })
  })

  test('the reporter finds it closed, every act on the timeline with who did it, and nothing left to do', async () => {
    await as(REPORTER, async (page, say) => {
      await page.goto(url('/incidents'))
      await page.getByLabel(say('incidentList.q'), { exact: true }).fill(token)
      await page.getByRole('button', { name: say('incidentList.apply'), exact: true }).click()
      await page.waitForURL((u) => u.pathname === '/incidents' && u.searchParams.get('q') === token)
      const row = page.getByRole('table', { name: say('incidentList.caption') }).getByRole('row').filter({ hasText: title })
      await expectText(row.getByRole('cell').nth(6), say.of((t) => `${t('incidentList.statuses.closed')} ${t('incidentList.escalated')}`))
      await row.getByRole('link', { name: journey.reference, exact: true }).click()
      await page.waitForURL((u) => onIncident(u))

      await page.getByText(say('incidents.status.closed'), { exact: true }).waitFor()
      await page.getByText(say('incidents.detail.noActions'), { exact: true }).waitFor()
      expect(await page.getByRole('button', { name: say('incidents.transitions.reopen'), exact: true }).count()).toBe(0)
      await page.getByRole('link', { name: say('incidents.links.form04'), exact: true }).waitFor()
      await expectText(fact(page, say('incidents.fields.respondingOrganisation')), HAI_PHONG)

      const reporter = `${REPORTER_NAME} / ${QUANG_NINH}`
      const lead = `${LEAD_NAME} / ${NAM_DINH}`
      const analyst = `${ANALYST_NAME} / ${VNCERT}`
      const responder = `${RESPONDER_NAME} / ${HAI_PHONG}`
      const kind = (k: string) => vi(`incidents.timeline.kinds.${k}`)
      const expected: Act[] = [
        { what: kind('filed'), who: reporter },
        { what: kind('acknowledged'), who: lead },
        { what: kind('comment'), who: lead },
        { what: kind('escalated'), who: lead },
        { what: kind('triaged'), who: analyst },
        { what: kind('assigned'), who: analyst },
        { what: kind('coordination_requested'), who: analyst },
        { what: kind('coordination_acknowledged'), who: responder },
        { what: kind('coordination_answered'), who: responder },
        { what: kind('status_changed'), who: responder },
        { what: kind('status_changed'), who: responder },
        { what: kind('status_changed'), who: responder },
        { what: kind('closure_report'), who: responder },
        // The analyst closed on the report as Hải Phòng wrote it: a status change, not a second report.
        { what: kind('status_changed'), who: analyst },
      ]
      const acts = await timelineOf(page, say)
      const shown = acts.map(({ what, who }) => ({ what, who }))
      expect(shown).toEqual(expected)

      // Each act says what it did; the shared comment and the escalation's reason are there,
      // while what Hải Phòng answered VNCERT/CC stays between them.
      const text = (k: number) => acts[k]!.text
      expect(text(1)).toContain(statusChange(say, 'new', 'acknowledged'))
      expect(text(2)).toContain(comment)
      expect(text(3)).toContain(escalationReason)
      expect(text(5)).toContain(vi('incidents.timeline.assignedTo', { name: ANALYST_NAME }))
      expect(text(5)).toContain(vi('incidents.timeline.respondingOrganisation', { name: HAI_PHONG }))
      expect(text(9)).toContain(statusChange(say, 'acknowledged', 'investigating'))
      expect(text(10)).toContain(statusChange(say, 'investigating', 'contained'))
      expect(text(11)).toContain(statusChange(say, 'contained', 'resolved'))
      expect(text(13)).toContain(statusChange(say, 'resolved', 'closed'))
      expect(await page.getByText(coordinationAnswer).count()).toBe(0)
      expect(await page.getByText(coordinationRequest).count()).toBe(0)
    })
  })

  test('a Bắc Ninh reporter (Cluster 1) gets a 404 for the incident and its coordination request, and no hit in the list', async () => {
    await as(OUTSIDER, async (page, say) => {
      for (const path of [incidentPath(), journey.quangNinhRequestPath, journey.haiPhongRequestPath]) {
        const response = await page.goto(url(path))
        expect(response?.status(), path).toBe(404)
        await expectText(page.getByRole('heading', { level: 1 }), say.of((t) => `${t('errors.title')} (404)`))
        await expectText(page.getByRole('alert'), say('errors.not_found'))
        expect(await page.getByText(title).count()).toBe(0)
      }

      await page.goto(url(`/incidents?q=${token}`))
      await page.getByText(say('incidentList.empty'), { exact: true }).waitFor()
      expect(await page.getByText(title).count()).toBe(0)
    })
  })
})
