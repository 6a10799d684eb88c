import type { LoaderFunctionArgs } from '@remix-run/node'
import { exportParticipantsCsv } from '../drills/attendance.server.ts'
import { createI18n } from '../i18n/i18n.ts'
import { DomainError } from '../lib/errors.ts'
import { requireActing } from '../lib/route.server.ts'

// A resource route: the drill's participant list with attendance, for its organisers.
export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    const csv = await exportParticipantsCsv(acting, params.id, { timeZone: context.timeZone, locale: context.locale })
    return new Response(csv.body, {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${csv.filename}"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'X-Export-Rows': String(csv.rowCount),
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
