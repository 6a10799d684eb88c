import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { setMyLocale } from '../users/profile.server.ts'
import { isLocale } from '../i18n/i18n.ts'
import { safeRedirect } from '../lib/route.server.ts'
import { serializeLanguageCookie } from '../server/cookies.ts'

// The language switcher: saved on the account when signed in, in a cookie otherwise.
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData()
  const locale = form.get('locale')
  const to = safeRedirect(form.get('redirectTo'))
  if (!isLocale(locale)) return redirect(to)
  if (context.auth) {
    await setMyLocale({ services: context.services, actor: context.auth.actor, ip: context.ip }, locale)
  }
  return redirect(to, { headers: { 'Set-Cookie': serializeLanguageCookie(locale, context.secureCookies) } })
}

export async function loader() {
  return redirect('/')
}
