import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { logout } from '../auth/auth.server.ts'
import { serializeBlankSessionCookie } from '../auth/session.server.ts'

// POST only: a GET never changes state (a link cannot sign anyone out).
export async function action({ context }: ActionFunctionArgs) {
  if (context.auth) {
    await logout({ services: context.services, actor: context.auth.actor, ip: context.ip }, context.auth.sessionId)
  }
  return redirect('/login', { headers: { 'Set-Cookie': serializeBlankSessionCookie(context.secureCookies) } })
}

export async function loader() {
  return redirect('/')
}
