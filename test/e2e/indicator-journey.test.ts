import crypto from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchBrowser, newContext, signIn, url, words, type Words } from './browser.ts'

// Sharing an indicator across the network, each step by the demo account whose role it is, in
// its own browser: a Hải Phòng responder pastes a defanged report, checks the preview line by line
// and saves it (TLP:AMBER, the default); a Bắc Ninh responder — another province, another
// cluster — shares the same domain as TLP:GREEN; the Cluster 3 lead gets the correlation notice
// and opens it on the indicator, seen by two organisations. Bắc Ninh, which may not read Hải
// Phòng's AMBER indicator, is shown neither it nor a count that would reveal it.

const HAI_PHONG = 'responder@haiphong.demo'
const BAC_NINH = 'responder@bacninh.demo'
const LEAD = 'lead@namdinh.demo'

const token = `c2${crypto.randomBytes(4).toString('hex')}`
const domain = `${token}.example.vn`
const report = [
  `Cảnh báo: chiến dịch mã độc dùng máy chủ điều khiển ${token}[.]example[.]vn`,
  `Tải mã độc từ hxxp://${token}[.]example[.]vn/payload.bin`,
  'Địa chỉ sai trong báo cáo: 999.10.10.10',
].join('\n')

const journey = { bacNinhIndicatorPath: '' }

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

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

describe.sequential('an indicator shared by two provinces lights up for the cluster lead', () => {
  test('a Hải Phòng responder pastes a defanged report, previews it and saves the valid lines', async () => {
    await as(HAI_PHONG, async (page, say) => {
      await page.goto(url('/indicators'))
      await page.getByRole('link', { name: say('iocs.list.paste') as string }).click()
      await page.getByLabel(say('iocs.fields.text') as string).fill(report)
      await page.getByRole('button', { name: say('iocs.paste.previewSubmit') as string }).click()
      const caption = say('iocs.paste.previewCaption', { valid: 2, warninglisted: 0, duplicate: 0, invalid: 1 }) as string
      await page.getByText(caption).waitFor()
      const domainRow = page.locator('tr[data-status="valid"]').filter({ hasText: `${token}[.]example[.]vn` }).first()
      await domainRow.waitFor()
      await page.locator('tr[data-status="invalid"]').filter({ hasText: '999.10.10.10' }).waitFor()
      // The text is kept, so saving sends what was previewed.
      expect(await page.getByLabel(say('iocs.fields.text') as string).inputValue()).toBe(report)
      await page.getByRole('button', { name: say('iocs.paste.saveSubmit') as string }).click()
      await page.getByRole('status').getByText(say('iocs.paste.saved', { created: 2, duplicate: 0, invalid: 1 }) as string).waitFor()
    })
  })

  test('a Bắc Ninh responder shares the same domain; its page does not reveal Hải Phòng’s AMBER copy', async () => {
    await as(BAC_NINH, async (page, say) => {
      await page.goto(url('/indicators'))
      await page.getByRole('link', { name: say('iocs.list.share') as string }).click()
      await page.locator('select[name="type"]').selectOption('domain')
      await page.getByLabel(say('iocs.fields.value') as string, { exact: true }).fill(domain.toUpperCase())
      await page.locator('select[name="tlp"]').selectOption('GREEN')
      await page.getByRole('button', { name: say('iocs.create.submit') as string }).click()
      await page.getByRole('status').getByText(say('iocs.detail.done.created') as string).waitFor()
      journey.bacNinhIndicatorPath = new URL(page.url()).pathname
      await page.getByText(say('iocs.detail.seenBy', { count: 1 }) as string).waitFor()
      await page.getByText(say('iocs.detail.noRelated') as string).waitFor()
    })
  })

  test('the Cluster 3 lead is told, and opens the indicator seen by two organisations', async () => {
    await as(LEAD, async (page, say) => {
      const link = page.locator(`a[href="${journey.bacNinhIndicatorPath}"]`)
      // The worker fans the notice out within seconds of the commit.
      const deadline = Date.now() + 45_000
      for (;;) {
        await page.goto(url('/notifications'))
        if ((await link.count()) > 0) break
        if (Date.now() > deadline) throw new Error('no correlation notice for the Cluster 3 lead')
        await page.waitForTimeout(1000)
      }
      const item = page.locator('li').filter({ has: link })
      await item.getByText(say('notifications.types.indicator.correlated') as string).waitFor()
      await link.first().click()
      await page.getByRole('heading', { level: 1, name: new RegExp(`${token}\\[\\.\\]example`) }).waitFor()
      await page.getByText(say('iocs.detail.seenBy', { count: 2 }) as string).waitFor()
      await page.getByRole('link', { name: 'Sở TT&TT Hải Phòng' }).waitFor()
    })
  })
})
