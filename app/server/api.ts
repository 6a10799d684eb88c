import { Hono, type Context } from 'hono'
import { DomainError } from '../lib/errors.ts'
import type { ActingContext, Services } from '../lib/context.server.ts'
import { listOrganisations } from '../orgs/organisations.server.ts'
import type { AppEnv } from './app.ts'
import { domainProblem, problem } from './problem.ts'

// The machine API. Handlers are as thin as route modules: they build an acting context and
// call the same domain functions the pages call. Errors are RFC 9457 problem bodies.
export function createApiRouter(services: Services) {
  const api = new Hono<AppEnv>()

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

  const acting = (c: Context<AppEnv>): ActingContext => {
    const auth = c.get('auth')
    if (!auth) throw new DomainError('unauthenticated')
    return { services, actor: auth.actor, ip: c.get('ip') }
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

  // Mounted sub-apps do not get Hono's notFound: a catch-all keeps /api/* out of Remix.
  api.all('*', (c) => problem(c, 404, 'not_found', 'Not found', `No API route ${c.req.method} ${c.req.path}`))
  api.onError((error, c) => {
    if (error instanceof DomainError) return domainProblem(c, error)
    if (error instanceof SyntaxError) return problem(c, 400, 'bad_json', 'Malformed JSON body')
    console.error(JSON.stringify({ level: 'error', msg: 'api error', path: c.req.path, error: String(error?.stack ?? error) }))
    return problem(c, 500, 'internal', 'Internal error')
  })
  return api
}
