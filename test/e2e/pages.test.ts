import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DEMO_ACCOUNTS, launchBrowser, newContext, signIn, url } from './browser.ts'

let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

async function asUser(email: string, run: (page: Page) => Promise<void>) {
  const context = await newContext(browser)
  try {
    const page = await context.newPage()
    await signIn(page, email)
    await run(page)
  } finally {
    await context.close()
  }
}

async function open(page: Page, path: string) {
  const response = await page.goto(url(path))
  return response!.status()
}

/** The rows of the first table in the main content, as text. */
async function tableText(page: Page): Promise<string> {
  const table = page.locator('main table').first()
  await table.waitFor()
  return (await table.locator('tbody').textContent()) ?? ''
}

async function expectErrorPage(page: Page, status: number) {
  expect(await page.locator('main.error-page h1').textContent()).toContain(`(${status})`)
  expect(await page.locator('main.error-page [role="alert"]').count()).toBe(1)
}

describe('the shared pages', () => {
  test.each(DEMO_ACCOUNTS)('$email ($role) can open the organisation and cluster lists', async ({ email }) => {
    await asUser(email, async (page) => {
      for (const path of ['/organisations', '/clusters']) {
        expect(await open(page, path), path).toBe(200)
        expect(await page.locator('main.error-page').count(), path).toBe(0)
        expect(await page.locator('main h1').count(), path).toBeGreaterThan(0)
      }
    })
  })

  test('a visitor who is not signed in is sent to sign in from the organisation list', async () => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      await page.goto(url('/organisations'))
      expect(new URL(page.url()).pathname).toBe('/login')
      expect(new URL(page.url()).searchParams.get('redirectTo')).toBe('/organisations')
    } finally {
      await context.close()
    }
  })
})

describe('the administration pages', () => {
  test('the system administrator sees every organisation’s users in a table', async () => {
    await asUser('admin@vncert.demo', async (page) => {
      expect(await open(page, '/admin/users')).toBe(200)
      const rows = await tableText(page)
      expect(rows).toContain('analyst@vncert.demo')
      expect(rows).toContain('reporter@bacninh.demo')
      expect(rows).toContain('admin@namdinh.demo')
    })
  })

  test('an organisation admin sees their own organisation’s users and nobody else’s', async () => {
    await asUser('admin@namdinh.demo', async (page) => {
      expect(await open(page, '/admin/users')).toBe(200)
      const rows = await tableText(page)
      expect(rows).toContain('lead@namdinh.demo')
      expect(rows).not.toContain('analyst@vncert.demo')
      expect(rows).not.toContain('reporter@bacninh.demo')
    })
  })

  test('an organisation admin opens the audit log and sees its entries in a table', async () => {
    await asUser('admin@namdinh.demo', async (page) => {
      expect(await open(page, '/admin/audit')).toBe(200)
      expect(await page.locator('main table').count()).toBeGreaterThan(0)
      expect(await page.locator('main table tbody tr').count()).toBeGreaterThan(0)
    })
  })

  test.each([
    ['reporter@bacninh.demo', '/admin/users'],
    ['reporter@quangninh.demo', '/admin/audit'],
    ['responder@haiphong.demo', '/admin/users'],
    ['analyst@vncert.demo', '/admin/audit'],
  ])('%s opening %s gets the 403 error page', async (email, path) => {
    await asUser(email, async (page) => {
      expect(await open(page, path)).toBe(403)
      await expectErrorPage(page, 403)
    })
  })
})
