// Expected failures are values with a stable code. Routes turn them into thrown Responses
// (one error boundary renders them); the API maps them to RFC 9457 problem bodies.
export type DomainErrorCode =
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'validation'
  | 'conflict'
  | 'rate_limited'

const STATUS: Record<DomainErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  validation: 400,
  conflict: 409,
  rate_limited: 429,
}

export class DomainError extends Error {
  readonly status: number
  constructor(
    readonly code: DomainErrorCode,
    /** An i18n key (errors.*) naming what went wrong, safe to show. */
    readonly messageKey: string = `errors.${code}`,
    readonly details: {
      fieldErrors?: Record<string, string[]>
      /** Values for a field's messages (e.g. which lines were bad), by field name. */
      fieldParams?: Record<string, Record<string, string | number>>
      retryAfterSeconds?: number
    } = {},
  ) {
    super(messageKey)
    this.name = 'DomainError'
    this.status = STATUS[code]
  }
}

export const forbidden = () => new DomainError('forbidden')
export const notFound = () => new DomainError('not_found')
