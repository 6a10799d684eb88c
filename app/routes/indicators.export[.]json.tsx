import type { LoaderFunctionArgs } from '@remix-run/node'
import { exportIndicatorsStix } from '../iocs/export.server.ts'
import { createI18n } from '../i18n/i18n.ts'
import { DomainError } from '../lib/errors.ts'
import { requireActing } from '../lib/route.server.ts'

// A resource route: the STIX 2.1 bundle of the indicators the viewer may see (?type=, ?since= narrow it).
export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const params = new URL(request.url).searchParams
  try {
    const bundle = await exportIndicatorsStix(acting, { type: params.get('type') ?? undefined, since: params.get('since') ?? undefined })
    return new Response(bundle.body, {
      headers: {
        'Content-Type': 'application/stix+json;version=2.1',
        'Content-Disposition': `attachment; filename="${bundle.filename}"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'X-Export-Rows': String(bundle.rowCount),
        'X-Export-Truncated': bundle.truncated ? 'true' : 'false',
      },
    })
  } catch (error) {
    if (error instanceof DomainError) {
      const t = createI18n(context.locale).getFixedT(context.locale)
      return new Response(t(error.messageKey), {
        status: error.status,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
      })
    }
    throw error
  }
}
