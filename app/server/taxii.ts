import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { authenticateApiToken } from '../api-tokens/tokens.server.ts'
import {
  parseTaxiiObjectsQuery,
  TAXII_MEDIA_TYPE,
  STIX_MEDIA_TYPE,
  taxiiCollection,
  taxiiCollections,
  taxiiObjects,
  type TaxiiObjectsPage,
} from '../iocs/taxii.server.ts'
import type { ActingContext, Services } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import type { AppEnv } from './app.ts'

// TAXII 2.1 (OASIS, 2021) over HTTP: discovery at /taxii2/, one API root at /taxii2/feeds/,
// read-only collections (app/iocs/taxii.server.ts decides what each holds for the reader).
// Readers are machines with an organisation's API token (scope indicators:read) or signed-in
// people. Every answer, errors included, is application/taxii+json;version=2.1; a client that
// accepts neither it nor a wildcard gets 406.

export const TAXII_API_ROOT = 'feeds'

class TaxiiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(title)
  }
}

type TaxiiEnv = AppEnv & { Variables: AppEnv['Variables'] & { reader: ActingContext } }

function taxiiJson(c: Context, body: unknown, status = 200) {
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, { 'Content-Type': TAXII_MEDIA_TYPE })
}

/** Whether an Accept header admits TAXII 2.1 JSON (absent: anything goes). */
function acceptsTaxii(accept: string | undefined): boolean {
  if (!accept) return true
  return accept.split(',').some((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    const quality = params.find((p) => p.startsWith('q='))
    if (quality && Number(quality.slice(2)) === 0) return false
    if (type === '*/*' || type === 'application/*') return true
    if (type !== 'application/taxii+json') return false
    const version = params.find((p) => p.startsWith('version='))
    return !version || version === 'version=2.1'
  })
}

function pageHeaders(c: Context, page: TaxiiObjectsPage) {
  if (page.dateAddedFirst) c.header('X-TAXII-Date-Added-First', page.dateAddedFirst)
  if (page.dateAddedLast) c.header('X-TAXII-Date-Added-Last', page.dateAddedLast)
}

export function createTaxiiRouter(services: Services) {
  // Mounted at the app's root with its own base path: a sub-app mounted at /taxii2 would not
  // answer /taxii2/ itself, the discovery URL every client is configured with.
  const taxii = new Hono<TaxiiEnv>().basePath('/taxii2')
  // TAXII URLs end in a slash; clients are not consistent about it, so both forms answer.
  const paths = (path: string) => (path === '/' ? ['/', ''] : [path, `${path}/`])
  /** A path parameter the route declares (Hono types them optional on a list of paths). */
  const param = (c: Context<TaxiiEnv>, name: 'id' | 'objectId') => c.req.param(name) ?? ''

  taxii.use(async (c, next) => {
    if (!acceptsTaxii(c.req.header('accept'))) throw new TaxiiError(406, 'Not acceptable', `This server answers ${TAXII_MEDIA_TYPE}.`)
    const header = c.req.header('authorization')
    if (header !== undefined) {
      const [scheme, credentials] = header.split(/\s+/, 2)
      const token = scheme?.toLowerCase() === 'bearer' && credentials ? await authenticateApiToken(services, credentials, c.get('ip')) : null
      if (!token) throw new TaxiiError(401, 'Invalid token', 'The token is unknown, expired or revoked.', { 'WWW-Authenticate': 'Bearer error="invalid_token"' })
      if (!token.scopes.includes('indicators:read')) {
        throw new TaxiiError(403, 'Insufficient scope', 'Reading the feed needs the indicators:read scope.', {
          'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="indicators:read"',
        })
      }
      c.set('reader', token.acting)
    } else {
      const auth = c.get('auth')
      if (!auth) throw new TaxiiError(401, 'Authentication required', 'Send an API token as Authorization: Bearer.', { 'WWW-Authenticate': 'Bearer' })
      c.set('reader', { services, actor: auth.actor, ip: c.get('ip') })
    }
    await next()
  })

  const root = `/${TAXII_API_ROOT}`
  taxii.on('GET', paths('/'), (c) =>
    taxiiJson(c, {
      title: 'CSIRT Net TAXII 2.1',
      description: 'Indicators of compromise shared in the national CSIRT network, as each reader may see them.',
      default: `${services.env.APP_URL}/taxii2${root}/`,
      api_roots: [`${services.env.APP_URL}/taxii2${root}/`],
    }),
  )
  taxii.on('GET', paths(root), (c) =>
    taxiiJson(c, {
      title: 'Indicators',
      description: 'Read-only collections, one per scope the reader may read.',
      versions: [TAXII_MEDIA_TYPE],
      // Nothing is written through TAXII here.
      max_content_length: 0,
    }),
  )
  taxii.on('GET', paths(`${root}/collections`), (c) => taxiiJson(c, { collections: taxiiCollections(c.get('reader')) }))
  taxii.on('GET', paths(`${root}/collections/:id`), (c) => taxiiJson(c, taxiiCollection(c.get('reader'), param(c, 'id'))))

  taxii.on('GET', paths(`${root}/collections/:id/objects`), async (c) => {
    const page = await taxiiObjects(c.get('reader'), param(c, 'id'), parseTaxiiObjectsQuery(c.req.query()))
    pageHeaders(c, page)
    return taxiiJson(c, { more: page.more, ...(page.next ? { next: page.next } : {}), objects: page.objects })
  })
  taxii.on('GET', paths(`${root}/collections/:id/objects/:objectId`), async (c) => {
    const page = await taxiiObjects(c.get('reader'), param(c, 'id'), parseTaxiiObjectsQuery({ ...c.req.query(), 'match[id]': param(c, 'objectId') }))
    if (page.objects.length === 0) throw new DomainError('not_found')
    pageHeaders(c, page)
    return taxiiJson(c, { more: false, objects: page.objects })
  })
  taxii.on('GET', paths(`${root}/collections/:id/manifest`), async (c) => {
    const page = await taxiiObjects(c.get('reader'), param(c, 'id'), parseTaxiiObjectsQuery(c.req.query()))
    pageHeaders(c, page)
    return taxiiJson(c, {
      more: page.more,
      ...(page.next ? { next: page.next } : {}),
      objects: page.objects.map((o, i) => ({
        id: o.id,
        date_added: page.dateAdded[i],
        version: o.modified,
        media_type: STIX_MEDIA_TYPE,
      })),
    })
  })
  taxii.on('POST', paths(`${root}/collections/:id/objects`), (c) => {
    taxiiCollection(c.get('reader'), param(c, 'id'))
    throw new TaxiiError(403, 'Read-only collection', 'Indicators are shared through the application, not written through TAXII.')
  })

  taxii.all('*', () => {
    throw new DomainError('not_found')
  })
  taxii.onError((error, c) => {
    if (error instanceof TaxiiError) {
      for (const [k, v] of Object.entries(error.headers)) c.header(k, v)
      return taxiiJson(c, { title: error.title, ...(error.description ? { description: error.description } : {}), http_status: String(error.status) }, error.status)
    }
    if (error instanceof DomainError) {
      const fields = error.details.fieldErrors ? Object.keys(error.details.fieldErrors) : []
      const title = error.code === 'not_found' ? 'Not found' : error.code === 'validation' ? 'Invalid request' : 'Forbidden'
      return taxiiJson(
        c,
        { title, ...(fields.length ? { description: `Bad value for ${fields.join(', ')}.`, details: { parameters: fields } } : {}), http_status: String(error.status) },
        error.status,
      )
    }
    console.error(JSON.stringify({ level: 'error', msg: 'taxii error', path: c.req.path, error: String(error?.stack ?? error) }))
    return taxiiJson(c, { title: 'Internal error', http_status: '500' }, 500)
  })
  return taxii
}
