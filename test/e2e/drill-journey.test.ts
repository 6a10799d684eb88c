import crypto from 'node:crypto'
import ICAL from 'ical.js'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dateToLocalDateTime, DEFAULT_TIME_ZONE } from '../../app/lib/dates.ts'
import { launchBrowser, newContext, signIn, url, words, type Words } from './browser.ts'
import { waitForMail } from './mail.ts'

// A drill from announcement to a freed place, each step by the demo account whose role it is, in
// its own browser: the Cluster 3 lead (Nam Định) schedules a one-place tabletop for Cluster 3 and
// publishes it; a Quảng Ninh reporter takes the place; a Hải Phòng responder lands on the
// waitlist; the reporter cancels; the responder is promoted at once and receives, over real SMTP,
// the email carrying the calendar invitation (METHOD:REQUEST), which is parsed back with ical.js.
//
// The drill has a unique title, so the journey does not care what else the demo data holds.

const LEAD = 'lead@namdinh.demo'
const REPORTER = 'reporter@quangninh.demo'
const RESPONDER = 'responder@haiphong.demo'

const HOUR = 3600_000
const DAY = 24 * HOUR
const token = `dientap${crypto.randomBytes(4).toString('hex')}`
const title = `Diễn tập ứng phó mã độc tống tiền ${token}`
const local = (d: Date) => dateToLocalDateTime(d, DEFAULT_TIME_ZONE)
// Whole minutes (datetime-local has no seconds), five days ahead.
const startsAt = new Date(Math.floor((Date.now() + 5 * DAY) / 60_000) * 60_000)

const journey = { drillPath: '' }

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

/** Signs `email` in, in a browser of its own, and runs one step; a 5xx or a script error fails it. */
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
    await run(page, words('vi'))
    expect(problems).toEqual([])
  } finally {
    await context.close()
  }
}

const notice = (page: Page) => page.getByRole('status')

async function openDrill(page: Page) {
  await page.goto(url('/drills'))
  await page.getByRole('link', { name: title, exact: true }).click()
  await page.getByRole('heading', { level: 1, name: new RegExp(token) }).waitFor()
}

describe.sequential('a Cluster 3 drill: sign-up, waitlist, cancellation, promotion with a calendar invitation', () => {
  test('the Cluster 3 lead schedules the drill for the cluster and publishes it', async () => {
    await as(LEAD, async (page, say) => {
      await page.goto(url('/drills'))
      await page.getByRole('link', { name: say('drills.list.newLink') as string }).click()
      await page.getByLabel(say('drills.fields.title') as string).fill(title)
      await page.locator('select[name="kind"]').selectOption('tabletop')
      await page.locator('select[name="level"]').selectOption('cluster')
      await page.getByLabel(say('drills.fields.venue') as string).fill('Sở TT&TT Nam Định, phòng họp tầng 3')
      await page.locator('select[name="scope"]').selectOption('cluster')
      await page.locator('select[name="clusterId"]').selectOption({ label: 'Cụm 3' })
      await page.getByLabel(say('drills.fields.capacity') as string).fill('1')
      await page.getByLabel(say('drills.fields.registrationOpensAt') as string).fill(local(new Date(Date.now() - HOUR)))
      await page.getByLabel(say('drills.fields.registrationClosesAt') as string).fill(local(new Date(Date.now() + 2 * DAY)))
      await page.locator('input[name="sessionStarts"]').first().fill(local(startsAt))
      await page.locator('input[name="sessionEnds"]').first().fill(local(new Date(startsAt.getTime() + 3 * HOUR)))
      await page.getByRole('button', { name: say('drills.create.submit') as string }).click()
      await notice(page).getByText(say('drills.detail.done.created') as string).waitFor()
      journey.drillPath = new URL(page.url()).pathname
      expect(journey.drillPath).toMatch(/^\/drills\/[0-9a-f-]{36}$/)

      await page.getByRole('button', { name: say('drills.transitions.publish') as string }).click()
      await notice(page).getByText(say('drills.detail.done.transitioned', { status: say('drills.statuses.published') }) as string).waitFor()
    })
  })

  test('a Quảng Ninh reporter takes the only place', async () => {
    await as(REPORTER, async (page, say) => {
      await openDrill(page)
      await page.locator('select[name="role"]').selectOption('participant')
      await page.getByRole('button', { name: say('drills.detail.signUpSubmit') as string, exact: true }).click()
      await notice(page).getByText(say('drills.detail.done.confirmed') as string).waitFor()
    })
  })

  test('a Hải Phòng responder lands on the waitlist', async () => {
    await as(RESPONDER, async (page, say) => {
      await openDrill(page)
      await page.locator('select[name="role"]').selectOption('participant')
      await page.getByRole('button', { name: say('drills.detail.signUpSubmit') as string, exact: true }).click()
      await notice(page).getByText(say('drills.detail.done.waitlisted') as string).waitFor()
      const yours = say('drills.detail.yours', { role: say('drills.roles.participant'), status: say('drills.registrationStatuses.waitlisted') }) as string
      await page.getByText(yours).waitFor()
    })
  })

  test('the reporter cancels; the responder is promoted at once', async () => {
    await as(REPORTER, async (page, say) => {
      await openDrill(page)
      await page.getByRole('button', { name: say('drills.detail.cancelMine') as string }).click()
      await notice(page).getByText(say('drills.detail.done.cancelled') as string).waitFor()
    })
    await as(RESPONDER, async (page, say) => {
      await openDrill(page)
      const yours = say('drills.detail.yours', { role: say('drills.roles.participant'), status: say('drills.registrationStatuses.confirmed') }) as string
      await page.getByText(yours).waitFor()
    })
  })

  test('the promoted responder is emailed an invitation whose calendar entry is the drill, in Vietnam’s time', async () => {
    const mail = await waitForMail(RESPONDER, (m) => (m.subject ?? '').includes(token) && m.attachments.some((a) => a.contentType.startsWith('text/calendar')))
    expect(mail.subject).toContain(token)
    const ics = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'))!.content.toString('utf8')
    const calendar = new ICAL.Component(ICAL.parse(ics))
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST')
    const event = new ICAL.Event(calendar.getFirstSubcomponent('vevent')!)
    expect(event.summary).toContain(token)
    expect(event.uid).toMatch(/\S+@\S+/)
    expect(event.sequence).toBe(0)
    const start = event.startDate
    expect(start.zone?.tzid).toBe('Asia/Ho_Chi_Minh')
    expect(start.toJSDate().getTime()).toBe(startsAt.getTime())
    // Long lines are folded (RFC 5545 §3.1): unfold before looking for the link.
    expect(ics.replace(/\r\n[ \t]/g, '')).toContain(journey.drillPath)
  })
})
