import type { LoaderFunctionArgs } from '@remix-run/node'
import { exportIndicatorsCsv } from '../iocs/export.server.ts'
import { createI18n } from '../i18n/i18n.ts'
import { DomainError } from '../lib/errors.ts'
import { requireActing } from '../lib/route.server.ts'

// A resource route: the CSV of the indicators the viewer may see (?type=, ?since= narrow it).
export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const params = new URL(request.url).searchParams
  try {
    const csv = await exportIndicatorsCsv(acting, { type: params.get('type') ?? undefined, since: params.get('since') ?? undefined }, { timeZone: context.timeZone })
    return new Response(csv.body, {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${csv.filename}"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'X-Export-Rows': String(csv.rowCount),
        'X-Export-Truncated': csv.truncated ? 'true' : 'false',
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
