import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { DomainError } from '../lib/errors.ts'

// RFC 9457 problem details: every API error is JSON with a stable `type`, never a stack trace.
export function problem(
  c: Context,
  status: number,
  code: string,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
) {
  return c.body(JSON.stringify({ type: `urn:csirtnet:problem:${code}`, title, status, detail, ...extra }), status as ContentfulStatusCode, {
    'Content-Type': 'application/problem+json',
  })
}

const TITLES: Record<string, string> = {
  unauthenticated: 'Authentication required',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  validation: 'Invalid input',
  conflict: 'Conflict',
  rate_limited: 'Too many requests',
}

export function domainProblem(c: Context, error: DomainError) {
  if (error.details.retryAfterSeconds) c.header('Retry-After', String(error.details.retryAfterSeconds))
  return problem(c, error.status, error.code, TITLES[error.code] ?? 'Error', undefined, {
    ...(error.details.fieldErrors ? { errors: error.details.fieldErrors } : {}),
  })
}
