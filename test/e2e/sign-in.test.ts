import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { currentUser, launchBrowser, loginForm, newContext, pageLang, url } from './browser.ts'

let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

describe('the sign-in form', () => {
  test('a wrong password shows an error and keeps the email typed', async () => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      await page.goto(url('/login'))
      const form = loginForm(page)
      await form.email.fill('reporter@bacninh.demo')
      await form.password.fill('not-the-password')
      await form.submit.click()

      const alert = page.locator('main [role="alert"]')
      await alert.waitFor()
      expect((await alert.textContent())?.trim()).toBe(
        (await pageLang(page)) === 'vi' ? 'Email hoặc mật khẩu không đúng.' : 'Wrong email or password.',
      )
      expect(await form.email.inputValue()).toBe('reporter@bacninh.demo')
      expect(new URL(page.url()).pathname).toBe('/login')
      expect(await currentUser(page).count()).toBe(0)

      // The right password still works straight after.
      await form.password.fill('csirt-demo-2026')
      await form.submit.click()
      await currentUser(page).waitFor()
      expect(await currentUser(page).textContent()).toContain('Vũ Thị Giang')
    } finally {
      await context.close()
    }
  })

  test('a page that needs a session sends the visitor to sign in and then back to it', async () => {
    const context = await newContext(browser)
    try {
      const page = await context.newPage()
      await page.goto(url('/account'))
      expect(new URL(page.url()).pathname).toBe('/login')
      const form = loginForm(page)
      await form.email.fill('responder@haiphong.demo')
      await form.password.fill('csirt-demo-2026')
      await form.submit.click()
      await page.waitForURL((u) => u.pathname === '/account')
      expect(await currentUser(page).textContent()).toContain('Phạm Thị Dung')
    } finally {
      await context.close()
    }
  })
})

describe('without JavaScript', () => {
  test('a person signs in, moves between pages, switches language and signs out', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false })
    try {
      const page = await context.newPage()
      await page.goto(url('/login'))
      // Make sure this really is a browser without scripts: Remix never hydrated.
      expect(await page.evaluate(() => '__remixRouter' in window)).toBe(false)
      const form = loginForm(page)
      // The system administrator: switching language while signed in saves it on the account,
      // and the incident journey, running beside this file, reads its accounts' pages in
      // Vietnamese. It never signs in as the administrator.
      await form.email.fill('admin@vncert.demo')
      await form.password.fill('csirt-demo-2026')
      await Promise.all([page.waitForURL((u) => u.pathname === '/'), form.submit.click()])
      expect(await currentUser(page).textContent()).toContain('Quản trị hệ thống')

      for (const path of ['/organisations', '/clusters', '/account', '/']) {
        const [response] = await Promise.all([
          page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().resourceType() === 'document'),
          page.locator(`nav.main-nav a[href="${path}"]`).click(),
        ])
        expect(response.status(), path).toBe(200)
        await page.waitForURL((u) => u.pathname === path)
        expect(await page.locator('main h1').count(), path).toBeGreaterThan(0)
        expect(await page.locator('main.error-page').count(), path).toBe(0)
        expect(await currentUser(page).count(), path).toBe(1)
      }

      const lang = await pageLang(page)
      const other = lang === 'vi' ? 'en' : 'vi'
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/'),
        page.locator('header form[action="/language"] button[type="submit"]').click(),
      ])
      await page.locator(`html[lang="${other}"]`).waitFor({ state: 'attached' })
      // Back to where it was, for the journeys that sign in as this account after us.
      await page.locator('header form[action="/language"] button[type="submit"]').click()
      await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' })

      await Promise.all([
        page.waitForURL((u) => u.pathname === '/login'),
        page.locator('header form[action="/logout"] button[type="submit"]').click(),
      ])
      expect(await currentUser(page).count()).toBe(0)
    } finally {
      await context.close()
    }
  })

  test('a wrong password shows the error and keeps the email typed', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false })
    try {
      const page = await context.newPage()
      await page.goto(url('/login'))
      const form = loginForm(page)
      await form.email.fill('reporter@quangninh.demo')
      await form.password.fill('wrong-password-again')
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
        form.submit.click(),
      ])
      expect(response.status()).toBe(401)
      await page.locator('main [role="alert"]').waitFor()
      expect(await form.email.inputValue()).toBe('reporter@quangninh.demo')
      expect(await form.password.inputValue()).toBe('')
    } finally {
      await context.close()
    }
  })
})
