import { data, redirect, type AppLoadContext } from '@remix-run/node'
import type { ActingContext, AnonymousContext } from './context.server.ts'
import { DomainError } from './errors.ts'
import { keptValues, type FormFailure } from './forms.ts'
import type { RequestAuth } from '../server/load-context.ts'

// The few names route modules need (after the Remix indie stack's session.server.ts):
// requireActing, anonymousContext, failure, safeRedirect.

export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return fallback
  if (/[\u0000-\u001f]/.test(to)) return fallback
  return to
}

/** The signed-in actor for this request, or a redirect to the sign-in page. */
export function requireActing(context: AppLoadContext, request: Request): ActingContext & { auth: RequestAuth } {
  if (!context.auth) {
    const url = new URL(request.url)
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`)
  }
  return { services: context.services, actor: context.auth.actor, ip: context.ip, auth: context.auth }
}

export function anonymousContext(context: AppLoadContext): AnonymousContext {
  return { services: context.services, ip: context.ip, userAgent: context.userAgent }
}

/**
 * Turns an expected failure of a form action into a re-render: 4xx with field errors and the
 * user's input (secrets excepted). 403/404 are thrown to the error boundary. Anything else
 * is a bug and propagates as a 500.
 */
export function failure(error: unknown, form: FormData) {
  if (!(error instanceof DomainError)) throw error
  if (error.code === 'forbidden' || error.code === 'not_found') {
    throw data({ messageKey: error.messageKey }, { status: error.status })
  }
  const body: FormFailure = {
    ok: false,
    fieldErrors: error.details.fieldErrors ?? {},
    ...(error.details.fieldParams ? { fieldParams: error.details.fieldParams } : {}),
    formError: error.code === 'validation' && error.details.fieldErrors ? undefined : error.messageKey,
    values: keptValues(form),
    retryAfterSeconds: error.details.retryAfterSeconds,
  }
  const headers: HeadersInit = error.details.retryAfterSeconds ? { 'Retry-After': String(error.details.retryAfterSeconds) } : {}
  return data(body, { status: error.status, headers })
}

/** Throws the 404/403 for a loader from a DomainError. */
export function loaderFailure(error: unknown): never {
  if (error instanceof DomainError) throw data({ messageKey: error.messageKey }, { status: error.status })
  throw error
}
