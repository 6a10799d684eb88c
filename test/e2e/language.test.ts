import http from 'node:http'
import type { Browser, BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  expectedNavigation,
  languageSwitch,
  launchBrowser,
  mainNavigation,
  newContext,
  pageLang,
  signIn,
  signOut,
  url,
  waitForLang,
} from './browser.ts'

let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

async function withContext(options: Parameters<typeof newContext>[1], run: (context: BrowserContext) => Promise<void>) {
  const context = await newContext(browser, options)
  try {
    await run(context)
  } finally {
    await context.close()
  }
}

describe('the interface language', () => {
  test('is Vietnamese for a browser that asks for Vietnamese', async () => {
    await withContext({ locale: 'vi-VN' }, async (context) => {
      const page = await context.newPage()
      await page.goto(url('/login'))
      expect(await pageLang(page)).toBe('vi')
      expect(await page.locator('main h1').textContent()).toBe('Đăng nhập')
      expect((await languageSwitch(page).textContent())?.trim()).toBe('English')
    })
  })

  test('is Vietnamese for a browser that asks only for languages the site does not have', async () => {
    await withContext({ locale: 'fr-FR' }, async (context) => {
      const page = await context.newPage()
      await page.goto(url('/login'))
      expect(await pageLang(page)).toBe('vi')
    })
  })

  test('is Vietnamese for a client that sends no Accept-Language at all', async () => {
    // A browser always sends the header, so this one asks over plain HTTP, which sends none.
    const html = await new Promise<string>((resolve, reject) => {
      http
        .get(url('/login'), { headers: { accept: 'text/html' } }, (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (body += chunk))
          res.on('end', () => resolve(body))
        })
        .on('error', reject)
    })
    expect(html).toMatch(/<html lang="vi"/)
  })

  test('is English first for a browser set to English', async () => {
    await withContext({ locale: 'en-US' }, async (context) => {
      const page = await context.newPage()
      await page.goto(url('/login'))
      expect(await pageLang(page)).toBe('en')
      expect(await page.locator('main h1').textContent()).toBe('Sign in')
      expect((await languageSwitch(page).textContent())?.trim()).toBe('Tiếng Việt')
    })
  })

  test('switches to English with the header button and stays English across navigation', async () => {
    await withContext({ locale: 'vi-VN' }, async (context) => {
      const page = await context.newPage()
      await page.goto(url('/login'))
      expect(await pageLang(page)).toBe('vi')
      await languageSwitch(page).click()
      await waitForLang(page, 'en')
      // The switch returns to the page it was made on.
      expect(new URL(page.url()).pathname).toBe('/login')
      expect(await page.locator('main h1').textContent()).toBe('Sign in')

      await page.goto(url('/'))
      expect(await pageLang(page)).toBe('en')
      await page.locator('header a[href="/login"]').click()
      await page.waitForURL((u) => u.pathname === '/login')
      expect(await pageLang(page)).toBe('en')
      await page.reload()
      expect(await pageLang(page)).toBe('en')

      await languageSwitch(page).click()
      await waitForLang(page, 'vi')
      expect(await page.locator('main h1').textContent()).toBe('Đăng nhập')
    })
  })

  test("a signed-in user's choice persists after signing out and in again, even in another browser", async () => {
    const email = 'analyst@vncert.demo'
    await withContext({ locale: 'vi-VN' }, async (context) => {
      const page = await context.newPage()
      await signIn(page, email)
      if ((await pageLang(page)) === 'en') {
        // Left English by an earlier run against the same server: start from Vietnamese.
        await languageSwitch(page).click()
        await waitForLang(page, 'vi')
      }
      await languageSwitch(page).click()
      await waitForLang(page, 'en')
      expect(await mainNavigation(page)).toEqual(expectedNavigation('cert_analyst', 'en', email))

      await page.locator('nav.main-nav a[href="/account"]').click()
      await page.waitForURL((u) => u.pathname === '/account')
      expect(await pageLang(page)).toBe('en')

      await signOut(page)
      expect(await pageLang(page)).toBe('en')
      await signIn(page, email)
      expect(await pageLang(page)).toBe('en')
    })

    // No cookie from the first browser: the choice was saved on the account.
    await withContext({ locale: 'vi-VN' }, async (context) => {
      const page = await context.newPage()
      await page.goto(url('/login'))
      expect(await pageLang(page)).toBe('vi')
      await signIn(page, email)
      expect(await pageLang(page)).toBe('en')
      expect(await mainNavigation(page)).toEqual(expectedNavigation('cert_analyst', 'en', email))

      // Leave the account as the other journeys expect to find it.
      await languageSwitch(page).click()
      await waitForLang(page, 'vi')
      expect(await mainNavigation(page)).toEqual(expectedNavigation('cert_analyst', 'vi', email))
    })
  })
})
