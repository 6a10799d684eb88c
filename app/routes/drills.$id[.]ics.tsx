import type { LoaderFunctionArgs } from '@remix-run/node'
import { calendarHeaders, drillCalendarDownload } from '../drills/calendar.server.ts'
import { createI18n } from '../i18n/i18n.ts'
import { DomainError } from '../lib/errors.ts'
import { requireActing } from '../lib/route.server.ts'

// A resource route: "Add to calendar", the drill as an .ics download (METHOD:PUBLISH) for
// whoever may see its page; a 404 otherwise. A refusal is short plain text: there is no page.
export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    const file = await drillCalendarDownload(acting, params.id, context.locale)
    return new Response(file.content, { status: 200, headers: calendarHeaders(file.fileName) })
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    throw new Response(createI18n(context.locale).t(error.messageKey), {
      status: error.status,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
    })
  }
}
