import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node'
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react'
import { useMemo } from 'react'
import { I18nextProvider, useTranslation } from 'react-i18next'
import { useNonce } from './components/nonce.tsx'
import { createI18n, DEFAULT_LOCALE, type Locale } from './i18n/i18n.ts'
import { navigationFor } from './lib/navigation.ts'
import { unreadCount } from './notifications/centre.server.ts'
import stylesheet from './styles/app.css?url'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export async function loader({ context }: LoaderFunctionArgs) {
  const auth = context.auth
  return {
    locale: context.locale,
    timeZone: context.timeZone,
    unreadNotifications: auth ? await unreadCount({ services: context.services, actor: auth.actor, ip: context.ip }) : 0,
    user: auth
      ? {
          name: auth.user.name,
          email: auth.user.email,
          role: auth.user.role,
          organisationName: auth.user.organisationName,
          officerOf: auth.actor.officerOf,
          organisationKind: auth.actor.organisationKind,
        }
      : null,
  }
}

export type RootData = Awaited<ReturnType<typeof loader>>

export function useRootData() {
  return useRouteLoaderData<typeof loader>('root')
}

function Document({ locale, children }: { locale: Locale; children: React.ReactNode }) {
  const nonce = useNonce()
  const i18n = useMemo(() => createI18n(locale), [locale])
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <I18nextProvider i18n={i18n}>{children}</I18nextProvider>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRootData()
  return <Document locale={data?.locale ?? DEFAULT_LOCALE}>{children}</Document>
}

function LanguageSwitcher({ locale }: { locale: Locale }) {
  const { t } = useTranslation()
  const location = useLocation()
  const other: Locale = locale === 'vi' ? 'en' : 'vi'
  return (
    <Form method="post" action="/language" className="language-switcher">
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      <input type="hidden" name="locale" value={other} />
      <button type="submit" className="link-button" lang={other} aria-label={`${t('language.label')}: ${t(`language.${other}`)}`}>
        {t(`language.${other}`)}
      </button>
    </Form>
  )
}

function Header() {
  const data = useRootData()
  const { t } = useTranslation()
  const user = data?.user
  const items = user ? navigationFor(user) : []
  return (
    <header className="site-header">
      <a href="#main" className="skip-link">
        {t('skipToContent')}
      </a>
      <div className="brand">
        <Link to="/">{t('appName')}</Link>
        <span className="tagline">{t('tagline')}</span>
      </div>
      {user ? (
        <nav aria-label={t('nav.label')} className="main-nav">
          <ul>
            {items.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === '/'}>
                  {t(item.labelKey)}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <div className="header-tools">
        <LanguageSwitcher locale={data?.locale ?? DEFAULT_LOCALE} />
        {user ? (
          <>
            <Link to="/notifications" aria-label={t('notifications.header.label', { count: data?.unreadNotifications ?? 0 })}>
              {t('notifications.header.link')}
              {data?.unreadNotifications ? (
                <>
                  {' '}
                  <span className="badge" aria-hidden="true" data-testid="unread-count">
                    {data.unreadNotifications}
                  </span>
                </>
              ) : null}
            </Link>
            <span className="who" data-testid="current-user">
              {user.name} · {t(`roles.${user.role}`)} · {user.organisationName}
            </span>
            <Form method="post" action="/logout">
              <button type="submit" className="link-button">
                {t('nav.logout')}
              </button>
            </Form>
          </>
        ) : (
          <Link to="/login">{t('nav.login')}</Link>
        )}
      </div>
    </header>
  )
}

export default function App() {
  return (
    <>
      <Header />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  )
}

export function ErrorBoundary() {
  const error = useRouteError()
  const { t } = useTranslation()
  let message = t('errors.generic')
  let status = 500
  if (isRouteErrorResponse(error)) {
    status = error.status
    if (status === 401) message = t('errors.unauthenticated')
    else if (status === 403) message = t('errors.forbidden')
    else if (status === 404) message = t('errors.not_found')
    else if (status === 429) message = t('errors.rate_limited')
  }
  return (
    <>
      <Header />
      <main id="main" className="error-page">
        <h1>
          {t('errors.title')} ({status})
        </h1>
        <p role="alert">{message}</p>
        <p>
          <Link to="/">{t('errors.backHome')}</Link>
        </p>
      </main>
    </>
  )
}
