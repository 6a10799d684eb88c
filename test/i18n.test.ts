import { describe, expect, test } from 'vitest'
import { resources } from '../app/i18n/resources/index.ts'
import { createI18n, negotiateLocale } from '../app/i18n/i18n.ts'

function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix]
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('translations', () => {
  test('Vietnamese and English have exactly the same keys', () => {
    const vi = keys(resources.vi.translation).sort()
    const en = keys(resources.en.translation).sort()
    expect(vi.filter((k) => !en.includes(k))).toEqual([])
    expect(en.filter((k) => !vi.includes(k))).toEqual([])
  })

  test('no translation is empty', () => {
    for (const lang of ['vi', 'en'] as const) {
      const flat = keys(resources[lang].translation)
      for (const key of flat) {
        const value = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], resources[lang].translation)
        expect(typeof value === 'string' && value.trim().length > 0, `${lang}:${key}`).toBe(true)
      }
    }
  })

  test('interpolation works in both languages', () => {
    expect(createI18n('vi').t('home.welcome', { name: 'An' })).toBe('Xin chào, An')
    expect(createI18n('en').t('home.welcome', { name: 'An' })).toBe('Hello, An')
  })
})

describe('choosing the language', () => {
  test("the user's setting wins, then the chosen cookie, then the browser, then Vietnamese", () => {
    expect(negotiateLocale({ userLocale: 'en', cookieLocale: 'vi', acceptLanguage: 'vi' })).toBe('en')
    expect(negotiateLocale({ userLocale: null, cookieLocale: 'en', acceptLanguage: 'vi' })).toBe('en')
    expect(negotiateLocale({ acceptLanguage: 'fr-FR,en-US;q=0.8,vi;q=0.5' })).toBe('en')
    expect(negotiateLocale({ acceptLanguage: 'en;q=0.2, vi-VN' })).toBe('vi')
    expect(negotiateLocale({ acceptLanguage: 'fr, de' })).toBe('vi')
    expect(negotiateLocale({})).toBe('vi')
    expect(negotiateLocale({ cookieLocale: 'xx', acceptLanguage: ';;;q=abc' })).toBe('vi')
  })
})
