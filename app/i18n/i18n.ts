import i18next, { type i18n as I18n } from 'i18next'
import { resources } from './resources/index.ts'

// i18next everywhere: server and browser build the same instance from the same bundled
// resources, so a page renders identically on both sides. Vietnamese is the default.
export const LOCALES = ['vi', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'vi'

export function isLocale(value: unknown): value is Locale {
  return value === 'vi' || value === 'en'
}

export function createI18n(locale: Locale): I18n {
  const instance = i18next.createInstance()
  void instance.init({
    lng: locale,
    fallbackLng: 'en',
    resources,
    initAsync: false,
    // React escapes; never build HTML from translations.
    interpolation: { escapeValue: false },
    returnNull: false,
  })
  return instance
}

const serverInstances = new Map<Locale, I18n>()
/**
 * One shared, initialised instance per language for server code that only translates (mail,
 * CSV): the resources never change at run time, so there is no need to build one per message.
 */
export function i18nFor(locale: Locale): I18n {
  let instance = serverInstances.get(locale)
  if (!instance) {
    instance = createI18n(locale)
    serverInstances.set(locale, instance)
  }
  return instance
}

/** Language from the user's setting, else a chosen cookie, else Accept-Language, else Vietnamese. */
export function negotiateLocale(opts: { userLocale?: string | null; cookieLocale?: string | null; acceptLanguage?: string | null }): Locale {
  if (isLocale(opts.userLocale)) return opts.userLocale
  if (isLocale(opts.cookieLocale)) return opts.cookieLocale
  if (opts.acceptLanguage) {
    const ranked = opts.acceptLanguage
      .split(',')
      .map((part) => {
        const [tag, ...params] = part.trim().split(';')
        const q = params.find((p) => p.trim().startsWith('q='))
        return { tag: (tag ?? '').toLowerCase().split('-')[0], q: q ? Number(q.trim().slice(2)) : 1 }
      })
      .filter((x) => x.tag && !Number.isNaN(x.q))
      .sort((a, b) => b.q - a.q)
    for (const { tag } of ranked) if (isLocale(tag)) return tag
  }
  return DEFAULT_LOCALE
}
