import type { LoaderFunctionArgs } from '@remix-run/node'
import { createI18n } from '../i18n/i18n.ts'
import { openAttachment } from '../incidents/attachments.server.ts'
import { DomainError } from '../lib/errors.ts'
import { requireActing } from '../lib/route.server.ts'

// A resource route: the evidence file itself, streamed, always as a download (the headers and
// why they are what they are: app/incidents/attachments.server.ts). A refusal is a short
// plain-text Response: a resource route has no page to render an error into.
export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    const file = await openAttachment(acting, params.id ?? '', params.attachmentId ?? '')
    return new Response(file.body, { status: 200, headers: file.headers })
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    throw new Response(createI18n(context.locale).t(error.messageKey), {
      status: error.status,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
    })
  }
}
