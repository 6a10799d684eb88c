import { API_TOKEN_SCOPES } from '../api-tokens/scopes.ts'
import { INDICATOR_TYPES } from '../iocs/types.ts'
import { TLP_LABELS } from '../policy/actor.ts'

// The OpenAPI 3.1 description of /api/v1, served at /api/openapi.json. Written out rather than
// generated: the handlers are thin calls into the domain modules, and this is their contract
// for the provinces' SIEMs. test/api/openapi.test.ts checks that every route the router answers
// is described here and that the document validates against the OpenAPI 3.1 schema.

const problem = {
  description: 'An RFC 9457 problem',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
}
const errors = {
  '400': problem,
  '401': { ...problem, description: 'No valid session or token' },
  '403': { ...problem, description: 'Not allowed, or the token lacks the scope' },
  '404': { ...problem, description: 'No such object, or not one the caller may see' },
}
const json = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const scoped = (scope: (typeof API_TOKEN_SCOPES)[number]) => [{ apiToken: [scope] }, { session: [] }]
const limit = (max: number) => ({ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: max } })

export function openApiDocument(appUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'CSIRT Net API',
      version: '1',
      description:
        'The machine API of CSIRT Net. Machines use an organisation API token (Authorization: Bearer csn_…, made by the organisation’s admin, scoped, expiring); every answer holds only what the token’s organisation may see under TLP 2.0, and TLP:RED never. Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: `${appUrl}/api` }],
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: `Scopes: ${API_TOKEN_SCOPES.join(', ')}` },
        session: { type: 'apiKey', in: 'cookie', name: 'csirtnet_session' },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, errors: { type: 'object' } },
        },
        Indicator: {
          type: 'object',
          required: ['id', 'type', 'value', 'tlp'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            type: { enum: [...INDICATOR_TYPES] },
            value: { type: 'string', description: 'The canonical value (refanged, normalised)' },
            tlp: { enum: [...TLP_LABELS] },
            pap: { type: 'string' },
            confidence: { type: 'integer', minimum: 0, maximum: 100 },
            sourceOrganisationId: { type: 'string', format: 'uuid' },
            createdAt: { type: 'string', format: 'date-time' },
          },
        },
        IndicatorImport: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' },
            status: { enum: ['queued', 'running', 'done', 'failed'] },
            total: { type: 'integer' },
            processed: { type: 'integer' },
            summary: {
              type: 'object',
              properties: Object.fromEntries(['created', 'duplicate', 'warninglisted', 'invalid', 'skipped'].map((k) => [k, { type: 'integer' }])),
            },
            error: { type: ['string', 'null'] },
          },
        },
        NewIndicatorSharing: {
          type: 'object',
          properties: {
            tlp: { enum: [...TLP_LABELS], default: 'AMBER' },
            pap: { enum: ['CLEAR', 'GREEN', 'AMBER', 'RED'], default: 'AMBER' },
            confidence: { type: 'integer', minimum: 0, maximum: 100, default: 50 },
            tags: { type: 'array', items: { type: 'string' } },
            description: { type: 'string' },
          },
        },
        NewIndicator: {
          type: 'object',
          required: ['type', 'value'],
          properties: {
            type: { enum: [...INDICATOR_TYPES] },
            value: { type: 'string', description: 'Defanged forms (hxxp, [.]) are accepted' },
            tlp: { enum: [...TLP_LABELS], default: 'AMBER' },
            pap: { enum: ['CLEAR', 'GREEN', 'AMBER', 'RED'], default: 'AMBER' },
            confidence: { type: 'integer', minimum: 0, maximum: 100, default: 50 },
            firstSeenAt: { type: 'string', format: 'date-time' },
            lastSeenAt: { type: 'string', format: 'date-time' },
            validUntil: { type: 'string', format: 'date-time' },
            tags: { type: 'array', items: { type: 'string' } },
            description: { type: 'string' },
          },
        },
      },
    },
    paths: {
      '/v1/indicators': {
        get: {
          summary: 'Indicators the caller may see, newest first',
          security: scoped('indicators:read'),
          parameters: [limit(200)],
          responses: { '200': json({ type: 'object', properties: { indicators: { type: 'array', items: ref('Indicator') } } }), ...errors },
        },
        post: {
          summary: 'Share an indicator (idempotent on type, value and organisation)',
          security: scoped('indicators:write'),
          requestBody: { required: true, content: { 'application/json': { schema: ref('NewIndicator') } } },
          responses: {
            '201': json({ type: 'object', properties: { id: { type: 'string' }, created: { const: true }, warninglists: { type: 'array', items: { type: 'string' } } } }, 'Created'),
            '200': json({ type: 'object', properties: { id: { type: 'string' }, created: { const: false } } }, 'Already shared by this organisation'),
            '415': problem,
            ...errors,
          },
        },
      },
      '/v1/indicators/lookup': {
        get: {
          summary: 'Look a value up: exact, within a shared network, or a subdomain',
          security: scoped('indicators:read'),
          parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string', maxLength: 2048 } }, limit(500)],
          responses: { '200': json({ type: 'object', properties: { query: { type: 'object' }, matches: { type: 'array', items: ref('Indicator') } } }), ...errors },
        },
      },
      '/v1/indicators/export': {
        get: {
          summary: 'The indicators the caller may see as one CSV file or STIX 2.1 bundle, newest first (never TLP:RED for a token; audited)',
          description:
            'format=csv (default) — columns: type, value, tlp, confidence, first_seen, last_seen, valid_until, tags, description, source_organisation, id — the CSV import’s columns, so the file imports again. UTF-8 with a BOM, CRLF line ends; a cell that would start a spreadsheet formula has a leading apostrophe. format=stix — one STIX 2.1 bundle: the TLP 2.0 marking definitions used, an identity per source organisation, an indicator per row (a vulnerability for a CVE); it imports again through /v1/indicators/imports with format stix. At most 100,000 rows: X-Export-Truncated says when more matched; page with since. For polling, the TAXII 2.1 server at /taxii2/ serves the same indicators page by page.',
          security: scoped('indicators:read'),
          parameters: [
            { name: 'format', in: 'query', required: false, schema: { enum: ['csv', 'stix'], default: 'csv' } },
            { name: 'type', in: 'query', required: false, schema: { enum: [...INDICATOR_TYPES] } },
            { name: 'since', in: 'query', required: false, description: 'Shared at or after: a date (2026-12-01) or an ISO 8601 instant with its offset', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'The CSV file or the STIX bundle',
              headers: {
                'X-Export-Rows': { schema: { type: 'integer' } },
                'X-Export-Truncated': { schema: { enum: ['true', 'false'] } },
              },
              content: { 'text/csv': { schema: { type: 'string' } }, 'application/stix+json;version=2.1': { schema: { type: 'object' } } },
            },
            ...errors,
          },
        },
      },
      '/v1/indicators/{id}': {
        get: {
          summary: 'One indicator with its correlations and sightings (those the caller may see)',
          security: scoped('indicators:read'),
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { '200': json({ type: 'object', properties: { indicator: ref('Indicator'), seenByOrganisations: { type: 'integer' } } }), ...errors },
        },
      },
      '/v1/indicators/imports': {
        post: {
          summary: 'Import many indicators (a report, a CSV file, a STIX 2.1 bundle); the worker saves them',
          security: scoped('indicators:write'),
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  allOf: [
                    ref('NewIndicatorSharing'),
                    {
                      type: 'object',
                      required: ['content'],
                      properties: {
                        content: { type: 'string', description: 'The input itself (at most 20 MiB, 200,000 entries)' },
                        format: { enum: ['auto', 'text', 'csv', 'stix'], default: 'auto' },
                        fileName: { type: 'string' },
                      },
                    },
                  ],
                },
              },
            },
          },
          responses: { '202': json(ref('IndicatorImport'), 'Queued; follow the Location header'), '415': problem, ...errors },
        },
      },
      '/v1/indicators/imports/{id}': {
        get: {
          summary: 'An import’s progress and, once done, its summary',
          security: scoped('indicators:write'),
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { '200': json(ref('IndicatorImport')), ...errors },
        },
      },
      '/v1/incidents': {
        get: {
          summary: 'Incidents the caller may see (the incident list’s filters, keyset paging)',
          security: scoped('incidents:read'),
          parameters: ['q', 'status', 'category', 'severity', 'tlp', 'organisationId', 'clusterId', 'from', 'to', 'sort', 'cursor'].map((name) => ({
            name,
            in: 'query',
            required: false,
            schema: { type: 'string' },
          })),
          responses: { '200': json({ type: 'object', properties: { incidents: { type: 'array', items: { type: 'object' } }, total: { type: 'integer' }, nextCursor: { type: ['string', 'null'] } } }), ...errors },
        },
      },
      '/v1/organisations': {
        get: {
          summary: 'The network’s directory (signed-in people only)',
          security: [{ session: [] }],
          parameters: [{ name: 'q', in: 'query', required: false, schema: { type: 'string' } }, limit(200)],
          responses: { '200': json({ type: 'object', properties: { organisations: { type: 'array', items: { type: 'object' } } } }), ...errors },
        },
      },
      '/v1/me': {
        get: { summary: 'The signed-in person', security: [{ session: [] }], responses: { '200': json({ type: 'object' }), ...errors } },
      },
    },
  }
}
