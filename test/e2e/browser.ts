import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { inject } from 'vitest'
import { i18nFor } from '../../app/i18n/i18n.ts'

// Debian's Chromium: playwright-core drives it but does not download a browser of its own.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export const DEMO_PASSWORD = 'csirt-demo-2026'

export type Role = 'reporter' | 'responder' | 'org_admin' | 'cert_analyst' | 'sysadmin'

/** The demo accounts the server seeds in APP_ENV=demo, as a person would meet them. */
export const DEMO_ACCOUNTS: { email: string; name: string; role: Role }[] = [
  { email: 'admin@vncert.demo', name: 'Quản trị hệ thống', role: 'sysadmin' },
  { email: 'analyst@vncert.demo', name: 'Nguyễn Văn An', role: 'cert_analyst' },
  { email: 'lead@namdinh.demo', name: 'Trần Thị Bình', role: 'responder' },
  { email: 'admin@namdinh.demo', name: 'Lê Văn Cường', role: 'org_admin' },
  { email: 'responder@haiphong.demo', name: 'Phạm Thị Dung', role: 'responder' },
  { email: 'reporter@quangninh.demo', name: 'Hoàng Văn Em', role: 'reporter' },
  { email: 'reporter@bacninh.demo', name: 'Vũ Thị Giang', role: 'reporter' },
  { email: 'responder@bacninh.demo', name: 'Đỗ Văn Hùng', role: 'responder' },
]

export type Lang = 'vi' | 'en'

const NAV_LABELS: Record<string, Record<Lang, string>> = {
  '/': { vi: 'Tổng quan', en: 'Overview' },
  '/incidents': { vi: 'Sự cố', en: 'Incidents' },
  '/triage': { vi: 'Phân loại', en: 'Triage' },
  '/coordination': { vi: 'Điều phối', en: 'Coordination' },
  '/drills': { vi: 'Diễn tập', en: 'Drills' },
  '/indicators': { vi: 'Chỉ dấu', en: 'Indicators' },
  '/admin/notifications': { vi: 'Thư và hàng đợi', en: 'Mail and queue' },
  '/organisations': { vi: 'Tổ chức', en: 'Organisations' },
  '/clusters': { vi: 'Cụm', en: 'Clusters' },
  '/admin/users': { vi: 'Người dùng', en: 'Users' },
  '/admin/audit': { vi: 'Nhật ký kiểm toán', en: 'Audit log' },
  '/account': { vi: 'Tài khoản', en: 'Account' },
}

export const ADMIN_PATHS = ['/admin/users', '/admin/audit']

/** The main navigation a role should see, in order: every link and nothing else. */
export function expectedNavigation(role: Role, lang: Lang, email = ''): { href: string; text: string }[] {
  const admin = role === 'org_admin' || role === 'sysadmin'
  const nationalCert = email.endsWith('@vncert.demo')
  const staff = role !== 'sysadmin'
  const triager = nationalCert && (role === 'cert_analyst' || role === 'org_admin')
  const paths = [
    '/',
    ...(staff ? ['/incidents'] : []),
    ...(triager ? ['/triage'] : []),
    ...(staff ? ['/coordination', '/drills', '/indicators'] : []),
    '/organisations',
    '/clusters',
    ...(admin ? ADMIN_PATHS : []),
    ...(role === 'sysadmin' ? ['/admin/notifications'] : []),
    '/account',
  ]
  return paths.map((href) => ({ href, text: NAV_LABELS[href]![lang] }))
}

export const baseUrl = () => inject('baseUrl')

export const url = (path: string) => new URL(path, baseUrl()).toString()

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

/** A fresh context (its own cookies) for one test; Vietnamese browser unless told otherwise. */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'vi-VN', ...options })
  context.setDefaultTimeout(15_000)
  context.setDefaultNavigationTimeout(20_000)
  return context
}

export async function pageLang(page: Page): Promise<Lang> {
  const lang = await page.locator('html').getAttribute('lang')
  if (lang !== 'vi' && lang !== 'en') throw new Error(`unexpected html lang ${lang}`)
  return lang
}

/** Waits until the document's language is `lang` (a switch re-renders without a reload when JS runs). */
export async function waitForLang(page: Page, lang: Lang) {
  await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' })
}

/** A text to find or expect: exactly this string, or any string the pattern matches. */
export type Text = string | RegExp

type Translate = (key: string, vars?: Record<string, unknown>) => string

/** The page's words for i18n keys, read from the same resources the pages use. */
export interface Words {
  (key: string, vars?: Record<string, unknown>): Text
  /** A text put together from translations (and the language, e.g. for dates). */
  of(compose: (t: Translate, lang: Lang) => string): Text
}

function translator(lang: Lang): Translate {
  const i18n = i18nFor(lang)
  return (key, vars) => {
    // A mistyped key would otherwise come back as itself and be looked for on the page.
    if (!i18n.exists(key)) throw new Error(`no ${lang} text for ${key}`)
    return i18n.t(key, vars)
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Texts in one language (plain strings), or in any of several (an anchored pattern matching
 * each language's text exactly) for an account whose language another journey may switch.
 */
export function words(...langs: [Lang, ...Lang[]]): Words {
  const of = (compose: (t: Translate, lang: Lang) => string): Text => {
    const texts = [...new Set(langs.map((lang) => compose(translator(lang), lang)))]
    return texts.length === 1 ? texts[0]! : new RegExp(`^(?:${texts.map(escapeRegExp).join('|')})$`)
  }
  return Object.assign((key: string, vars?: Record<string, unknown>) => of((t) => t(key, vars)), { of })
}

export function loginForm(page: Page) {
  return {
    email: page.locator('main form input[name="email"]'),
    password: page.locator('main form input[name="password"]'),
    submit: page.locator('main form button[type="submit"]'),
  }
}

export const currentUser = (page: Page) => page.locator('[data-testid="current-user"]')

/** Signs in through the real form and waits for the signed-in header. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto(url('/login'))
  const form = loginForm(page)
  await form.email.fill(email)
  await form.password.fill(password)
  await form.submit.click()
  await currentUser(page).waitFor()
}

/** Signs out with the header's button and waits for the sign-in page. */
export async function signOut(page: Page) {
  await page.locator('header form[action="/logout"] button[type="submit"]').click()
  await page.waitForURL((u) => u.pathname === '/login')
  await loginForm(page).email.waitFor()
}

export async function mainNavigation(page: Page): Promise<{ href: string; text: string }[]> {
  return page.locator('nav.main-nav a').evaluateAll((links) =>
    links.map((a) => ({ href: a.getAttribute('href') ?? '', text: (a.textContent ?? '').trim() })),
  )
}

/** The header's language switcher: a form posting to /language whose button names the other language. */
export const languageSwitch = (page: Page) => page.locator('header form[action="/language"] button[type="submit"]')

/** True when nothing sticks out sideways (a phone would otherwise scroll horizontally). */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)
}
