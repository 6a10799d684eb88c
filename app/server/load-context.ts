import type { Services } from '../lib/context.server.ts'
import type { Actor } from '../policy/actor.ts'
import type { Locale } from '../i18n/i18n.ts'

export interface CurrentUser {
  id: string
  name: string
  email: string
  role: Actor['role']
  organisationId: string
  organisationName: string
  locale: string | null
  timeZone: string
}

export interface RequestAuth {
  actor: Actor
  user: CurrentUser
  sessionId: string
}

// The typed load context every Remix loader and action receives from the Hono server.
declare module '@remix-run/node' {
  interface AppLoadContext {
    services: Services
    auth: RequestAuth | null
    locale: Locale
    timeZone: string
    cspNonce: string
    ip: string | null
    userAgent: string | null
    secureCookies: boolean
  }
}
