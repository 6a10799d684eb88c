import { Hono, type Context } from 'hono'
import { authenticateApiToken, type ApiTokenScope, type TokenAuth } from '../api-tokens/tokens.server.ts'
import { incidentQueryInput, listIncidents } from '../incidents/search.server.ts'
import { exportIndicatorsCsv, exportIndicatorsStix, IndicatorExportFormatSchema } from '../iocs/export.server.ts'
import { createIndicator, getIndicator, listIndicators, lookupIndicators } from '../iocs/indicators.server.ts'
import { DomainError } from '../lib/errors.ts'
import { validate } from '../lib/forms.ts'
import type { ActingContext, Services } from '../lib/context.server.ts'
import { listOrganisations } from '../orgs/organisations.server.ts'
import type { AppEnv } from './app.ts'
import { getImport, startImport } from '../iocs/imports.server.ts'
import { openApiDocument } from './openapi.ts'
import { domainProblem, problem } from './problem.ts'

type ApiEnv = AppEnv & { Variables: AppEnv['Variables'] & { token: TokenAuth | null } }

/** A bearer token that is unknown, expired, revoked or whose owner may no longer act. */
class InvalidTokenError extends Error {}
/** A valid token without the scope the route needs. */
class MissingScopeError extends Error {
  constructor(readonly scope: ApiTokenScope) {
    super(scope)
  }
}

// The machine API. Handlers are as thin as route modules: they build an acting context and
// call the same domain functions the pages call. Errors are RFC 9457 problem bodies.
export function createApiRouter(services: Services) {
  const api = new Hono<ApiEnv>()

  // The OpenAPI description is public: it says what exists, not what anyone may read.
  api.get('/openapi.json', (c) => c.json(openApiDocument(services.env.APP_URL)))

  // Machines authenticate with `Authorization: Bearer csn_…` (an organisation's API token); people
  // with their session cookie. A bad token is a 401, never a fall-back to the cookie.
  api.use(async (c, next) => {
    const header = c.req.header('authorization')
    c.set('token', null)
    if (header !== undefined) {
      const [scheme, credentials] = header.split(/\s+/, 2)
      const token = scheme?.toLowerCase() === 'bearer' && credentials ? await authenticateApiToken(services, credentials, c.get('ip')) : null
      if (!token) throw new InvalidTokenError()
      c.set('token', token)
    }
    await next()
  })

  // A JSON API takes JSON: refusing other bodies also closes the text/plain CSRF trick.
  api.use(async (c, next) => {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
      if (type !== 'application/json') {
        return problem(c, 415, 'unsupported_media_type', 'Unsupported media type', 'Send application/json.')
      }
    }
    await next()
  })

  const acting = (c: Context<ApiEnv>): ActingContext => {
    if (c.get('token')) throw new DomainError('forbidden')
    const auth = c.get('auth')
    if (!auth) throw new DomainError('unauthenticated')
    return { services, actor: auth.actor, ip: c.get('ip') }
  }
  /** A token with `scope`, or a signed-in person (whose session is not scoped). */
  const actingWith = (c: Context<ApiEnv>, scope: ApiTokenScope): ActingContext => {
    const token = c.get('token')
    if (!token) return acting(c)
    if (!token.scopes.includes(scope)) throw new MissingScopeError(scope)
    return token.acting
  }
  const limitOf = (c: Context<ApiEnv>, fallback: number) => {
    const n = Number(c.req.query('limit') ?? fallback)
    return Number.isInteger(n) && n > 0 ? n : fallback
  }

  api.get('/v1/me', (c) => {
    const ctx = acting(c)
    const auth = c.get('auth')!
    return c.json({ user: auth.user, actor: ctx.actor })
  })

  api.get('/v1/organisations', async (c) => {
    const limit = Number(c.req.query('limit') ?? 50)
    const result = await listOrganisations(acting(c), { q: c.req.query('q'), limit: Number.isFinite(limit) ? limit : 50 })
    return c.json({ organisations: result })
  })

  api.get('/v1/indicators', async (c) => {
    const rows = await listIndicators(actingWith(c, 'indicators:read'), { limit: limitOf(c, 50) })
    return c.json({ indicators: rows })
  })

  api.get('/v1/indicators/lookup', async (c) => {
    const q = c.req.query('q') ?? ''
    if (!q.trim() || q.length > 2048) return problem(c, 400, 'validation', 'Invalid input', 'Give the value to look up as ?q=')
    const result = await lookupIndicators(actingWith(c, 'indicators:read'), q, { limit: limitOf(c, 100) })
    if (result.reason) return problem(c, 400, 'validation', 'Invalid input', `Not a value that can be looked up: ${result.reason}`, { reason: result.reason })
    return c.json(result)
  })

  // Before /v1/indicators/:id, which would take "export" for an id. The file holds what the
  // token's organisation may see (never TLP:RED), as the list does; the query is checked by zod.
  api.get('/v1/indicators/export', async (c) => {
    const ctx = actingWith(c, 'indicators:read')
    const { format } = validate(IndicatorExportFormatSchema, { format: c.req.query('format') })
    const filters = { type: c.req.query('type'), since: c.req.query('since') }
    const file = format === 'stix' ? await exportIndicatorsStix(ctx, filters) : await exportIndicatorsCsv(ctx, filters)
    return c.body(file.body, 200, {
      'Content-Type': format === 'stix' ? 'application/stix+json;version=2.1' : 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${file.filename}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Export-Rows': String(file.rowCount),
      'X-Export-Truncated': file.truncated ? 'true' : 'false',
    })
  })

  api.get('/v1/indicators/:id', async (c) => {
    const page = await getIndicator(actingWith(c, 'indicators:read'), c.req.param('id'))
    return c.json({ indicator: page.indicator, warninglists: page.warninglists, related: page.related, seenByOrganisations: page.seenByOrganisations, sightings: page.sightings })
  })

  api.post('/v1/indicators', async (c) => {
    const body: unknown = await c.req.json()
    const result = await createIndicator(actingWith(c, 'indicators:write'), body)
    return c.json(result, result.created ? 201 : 200)
  })

  // Bulk imports for machines: the input is kept and saved by the worker (app/iocs/imports.server.ts);
  // the answer is where to follow its progress.
  api.post('/v1/indicators/imports', async (c) => {
    const body: unknown = await c.req.json()
    const started = await startImport(actingWith(c, 'indicators:write'), body)
    c.header('Location', `/api/v1/indicators/imports/${started.id}`)
    return c.json(started, 202)
  })

  api.get('/v1/indicators/imports/:id', async (c) => {
    const { import: state } = await getImport(actingWith(c, 'indicators:write'), c.req.param('id'))
    const { mayManage: _mayManage, ...body } = state
    return c.json(body)
  })

  api.get('/v1/incidents', async (c) => {
    const url = new URL(c.req.url)
    const result = await listIncidents(actingWith(c, 'incidents:read'), incidentQueryInput(url.searchParams))
    return c.json({ incidents: result.rows, total: result.total, totalCapped: result.totalCapped, nextCursor: result.nextCursor })
  })

  // Mounted sub-apps do not get Hono's notFound: a catch-all keeps /api/* out of Remix.
  api.all('*', (c) => problem(c, 404, 'not_found', 'Not found', `No API route ${c.req.method} ${c.req.path}`))
  api.onError((error, c) => {
    if (error instanceof InvalidTokenError) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"')
      return problem(c, 401, 'invalid_token', 'Invalid token', 'The token is unknown, expired or revoked, or its owner may no longer act for the organisation.')
    }
    if (error instanceof MissingScopeError) {
      c.header('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${error.scope}"`)
      return problem(c, 403, 'insufficient_scope', 'Insufficient scope', `This request needs the ${error.scope} scope.`, { scope: error.scope })
    }
    if (error instanceof DomainError) return domainProblem(c, error)
    if (error instanceof SyntaxError) return problem(c, 400, 'bad_json', 'Malformed JSON body')
    console.error(JSON.stringify({ level: 'error', msg: 'api error', path: c.req.path, error: String(error?.stack ?? error) }))
    return problem(c, 500, 'internal', 'Internal error')
  })
  return api
}
