import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  ADMIN_PATHS,
  DEMO_ACCOUNTS,
  currentUser,
  expectedNavigation,
  launchBrowser,
  loginForm,
  mainNavigation,
  newContext,
  pageLang,
  signIn,
  signOut,
} from './browser.ts'

let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

describe('each demo account', () => {
  test.each(DEMO_ACCOUNTS)('$email ($role) signs in, sees their name and exactly their navigation, and signs out', async ({ email, name, role }) => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      await signIn(page, email)
      expect(new URL(page.url()).pathname).toBe('/')
      expect(await currentUser(page).textContent()).toContain(name)

      // Another journey may have set this account's language; the labels follow the page's.
      const nav = await mainNavigation(page)
      expect(nav).toEqual(expectedNavigation(role, await pageLang(page), email))
      const hrefs = nav.map((link) => link.href)
      for (const path of ADMIN_PATHS) {
        if (role === 'org_admin' || role === 'sysadmin') expect(hrefs).toContain(path)
        else expect(hrefs).not.toContain(path)
      }

      await signOut(page)
      expect(new URL(page.url()).pathname).toBe('/login')
      expect(await currentUser(page).count()).toBe(0)
      expect(await page.locator('nav.main-nav').count()).toBe(0)
      expect(await loginForm(page).password.isVisible()).toBe(true)
    } finally {
      await context.close()
    }
  })
})

describe('signing out', () => {
  test('ends the session: going back to the overview afterwards shows the signed-out page', async () => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      await signIn(page, 'responder@haiphong.demo')
      await signOut(page)
      await page.goto(new URL('/', page.url()).toString())
      expect(await currentUser(page).count()).toBe(0)
      expect(await page.locator('header a[href="/login"]').count()).toBe(1)
    } finally {
      await context.close()
    }
  })
})
