import type { LoaderFunctionArgs } from '@remix-run/node'
import { calendarFeed } from '../drills/calendar-feeds.server.ts'
import { calendarHeaders } from '../drills/calendar.server.ts'
import { DomainError } from '../lib/errors.ts'

// A resource route: a person's drill calendar feed, polled by calendar apps without a session;
// the secret token in the path is the credential (app/drills/calendar-feeds.server.ts). Any
// refusal is the same bare 404, so a guessed token learns nothing.
export async function loader({ context, params }: LoaderFunctionArgs) {
  try {
    const content = await calendarFeed(context.services, params.token)
    return new Response(content, { status: 200, headers: { ...calendarHeaders(null), 'Referrer-Policy': 'no-referrer' } })
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    throw new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } })
  }
}
