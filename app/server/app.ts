import path from 'node:path'
import type { AppLoadContext } from '@remix-run/node'
import { getConnInfo } from '@hono/node-server/conninfo'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono, type Context } from 'hono'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import { negotiateLocale } from '../i18n/i18n.ts'
import type { Services } from '../lib/context.server.ts'
import { DEFAULT_TIME_ZONE } from '../lib/dates.ts'
import { createApiRouter } from './api.ts'
import { createTaxiiRouter } from './taxii.ts'
import { LANGUAGE_COOKIE, readCookie } from './cookies.ts'
import { problem } from './problem.ts'
import { authenticateRequest } from './request-auth.server.ts'
import type { RequestAuth } from './load-context.ts'

export type RemixHandler = (request: Request, loadContext: AppLoadContext) => Promise<Response>

export interface AppVariables {
  auth: RequestAuth | null
  ip: string | null
  secureHeadersNonce?: string
}
export type AppEnv = { Variables: AppVariables }

export interface CreateAppOptions {
  services: Services
  /** Remix's request handler; absent in API-only tests. */
  remix?: RemixHandler
  /** Serve build/client (production); in development Vite serves assets. */
  serveClientBuild?: boolean
  buildDir?: string
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function createApp({ services, remix, serveClientBuild = false, buildDir = 'build' }: CreateAppOptions) {
  const { env } = services
  const secure = env.APP_ENV === 'production'
  const dev = env.APP_ENV === 'development'
  const appOrigin = new URL(env.APP_URL).origin
  const app = new Hono<AppEnv>()

  app.onError((error, c) => {
    console.error(JSON.stringify({ level: 'error', msg: 'unhandled', path: c.req.path, error: String(error?.stack ?? error) }))
    return problem(c, 500, 'internal', 'Internal error')
  })

  // Client address for audit and throttling. Forwarded headers are honoured only behind a
  // configured proxy, so a client cannot pick its own rate-limit key (ASVS 4.1.3).
  app.use(async (c, next) => {
    let ip: string | null = null
    if (env.TRUST_PROXY) {
      const forwarded = c.req.header('x-forwarded-for')
      ip = forwarded?.split(',').pop()?.trim() || null
    }
    if (!ip) {
      try {
        ip = getConnInfo(c).remote.address ?? null
      } catch {
        ip = null
      }
    }
    c.set('ip', ip)
    await next()
  })

  app.use(
    secureHeaders({
      // Vite's dev client injects inline scripts; the CSP is enforced in every other mode.
      contentSecurityPolicy: dev
        ? undefined
        : {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'", NONCE],
            styleSrc: ["'self'"],
            imgSrc: ["'self'", 'data:'],
            fontSrc: ["'self'"],
            connectSrc: ["'self'"],
            objectSrc: ["'none'"],
            baseUri: ["'none'"],
            formAction: ["'self'"],
            frameAncestors: ["'none'"],
          },
      strictTransportSecurity: secure ? 'max-age=31536000; includeSubDomains' : false,
      referrerPolicy: 'strict-origin-when-cross-origin',
      xFrameOptions: 'DENY',
      xContentTypeOptions: 'nosniff',
      crossOriginEmbedderPolicy: false,
      // A response that sets its own header keeps it: evidence downloads carry a stricter
      // `sandbox; default-src 'none'` policy than the pages (ASVS 5.2.2), which must not be
      // replaced by the page CSP on the way out.
      overwrite: false,
    }),
  )

  // CSRF: a state-changing request must come from our own origin. Hono's csrf middleware only
  // looks at form-like content types, so this checks every unsafe method whatever its body
  // (ASVS 3.5). Machine clients authenticate with a bearer token and carry no cookie to abuse.
  app.use(async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next()
    const bearer = c.req.header('authorization')?.toLowerCase().startsWith('bearer ')
    if (bearer && !c.req.header('cookie')) return next()
    const origin = c.req.header('origin')
    const requestOrigin = new URL(c.req.url).origin
    if (!origin || (origin !== appOrigin && origin !== requestOrigin)) {
      return problem(c, 403, 'csrf', 'Cross-origin request refused', 'State-changing requests must come from this site.')
    }
    await next()
  })

  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const readiness = await services.database.readiness()
    return c.json({ status: readiness.ok ? 'ready' : 'not ready', reason: readiness.reason }, readiness.ok ? 200 : 503)
  })

  // Who is signed in, for pages and API alike.
  app.use(async (c, next) => {
    c.set('auth', await authenticateRequest(services, c.req.header('cookie') ?? null, secure))
    await next()
    // Anything rendered for a signed-in user must not sit in a shared cache (ASVS 14.3.2).
    if (!c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store')
  })

  app.route('/api', createApiRouter(services))
  app.route('/', createTaxiiRouter(services))

  if (serveClientBuild) {
    const root = path.join(buildDir, 'client')
    app.use(
      '/assets/*',
      serveStatic({
        root,
        onFound: (_path, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable'),
      }),
    )
    app.use('*', serveStatic({ root, onFound: (_path, c) => c.header('Cache-Control', 'public, max-age=3600') }))
  }

  if (remix) {
    app.all('*', async (c) => {
      const auth = c.get('auth')
      const loadContext: AppLoadContext = {
        services,
        auth,
        locale: negotiateLocale({
          userLocale: auth?.user.locale,
          cookieLocale: readCookie(c.req.header('cookie') ?? null, LANGUAGE_COOKIE),
          acceptLanguage: c.req.header('accept-language'),
        }),
        timeZone: auth?.user.timeZone ?? DEFAULT_TIME_ZONE,
        cspNonce: c.get('secureHeadersNonce') ?? '',
        ip: c.get('ip'),
        userAgent: c.req.header('user-agent') ?? null,
        secureCookies: secure,
      }
      return remix(c.req.raw, loadContext)
    })
  }
  return app
}

export type { Context }
