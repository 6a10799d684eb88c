import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { currentUser, fitsWidth, launchBrowser, loginForm, newContext, signIn, url } from './browser.ts'

let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

describe('keyboard use', () => {
  test('the skip link is the first Tab stop, shows when focused and moves focus to the main content', async () => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      await page.goto(url('/login'))
      await page.keyboard.press('Tab')
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null
        const box = el?.getBoundingClientRect()
        return {
          tag: el?.tagName,
          href: el?.getAttribute('href'),
          className: el?.className,
          onScreen: !!box && box.right > 0 && box.left < window.innerWidth && box.width > 0,
        }
      })
      expect(focused).toEqual({ tag: 'A', href: '#main', className: 'skip-link', onScreen: true })

      await page.keyboard.press('Enter')
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main')
    } finally {
      await context.close()
    }
  })

  test('a person signs in with the keyboard alone', async () => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      await page.goto(url('/login'))
      await loginForm(page).email.focus()
      await page.keyboard.type('reporter@quangninh.demo')
      await page.keyboard.press('Tab')
      await page.keyboard.type('csirt-demo-2026')
      await page.keyboard.press('Enter')
      await currentUser(page).waitFor()
      expect(await currentUser(page).textContent()).toContain('Hoàng Văn Em')
    } finally {
      await context.close()
    }
  })
})

describe('on a phone (375 × 740)', () => {
  const phone = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

  async function withinWidth(page: import('playwright-core').Page, selector: string) {
    const boxes = await page.locator(selector).evaluateAll((els) =>
      els.map((el) => {
        const box = el.getBoundingClientRect()
        return { left: box.left, right: box.right, width: box.width }
      }),
    )
    expect(boxes.length, selector).toBeGreaterThan(0)
    for (const box of boxes) {
      expect(box.width, selector).toBeGreaterThan(0)
      expect(box.left, selector).toBeGreaterThanOrEqual(0)
      expect(box.right, selector).toBeLessThanOrEqual(375)
    }
  }

  test('the sign-in page fits the screen and the form works', async () => {
    const context = await newContext(browser, phone)
    try {
      const page = await context.newPage()
      await page.goto(url('/login'))
      expect(await fitsWidth(page)).toBe(true)
      await withinWidth(page, 'main form input[name="email"]')
      await withinWidth(page, 'main form input[name="password"]')
      await withinWidth(page, 'main form button[type="submit"]')
      await withinWidth(page, 'header form[action="/language"] button')

      const form = loginForm(page)
      await form.email.tap()
      await form.email.fill('admin@namdinh.demo')
      await form.password.fill('csirt-demo-2026')
      await form.submit.tap()
      await currentUser(page).waitFor()
      expect(await fitsWidth(page)).toBe(true)
    } finally {
      await context.close()
    }
  })

  test("the signed-in header fits the screen: every navigation link and the sign-out button can be reached", async () => {
    const context = await newContext(browser, phone)
    try {
      const page = await context.newPage()
      // The longest navigation: administrators also see Users and Audit log.
      await signIn(page, 'admin@vncert.demo')
      expect(await fitsWidth(page)).toBe(true)
      await withinWidth(page, 'nav.main-nav a')
      await withinWidth(page, '[data-testid="current-user"]')
      await withinWidth(page, 'header form[action="/logout"] button')

      await page.locator('nav.main-nav a[href="/account"]').tap()
      await page.waitForURL((u) => u.pathname === '/account')
      expect(await fitsWidth(page)).toBe(true)

      await page.locator('header form[action="/logout"] button').tap()
      await page.waitForURL((u) => u.pathname === '/login')
      expect(await fitsWidth(page)).toBe(true)
    } finally {
      await context.close()
    }
  })
})
