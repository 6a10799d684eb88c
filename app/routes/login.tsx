import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useSearchParams } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { login } from '../auth/auth.server.ts'
import { serializeSessionCookie } from '../auth/session.server.ts'
import { Field, FormError, isFailure } from '../components/form.tsx'
import { formToObject } from '../lib/forms.ts'
import { anonymousContext, failure, safeRedirect } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Đăng nhập / Sign in' }]

// A throttled attempt tells the client when to come back (the action sets Retry-After).
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get('Retry-After')
  return retryAfter ? { 'Retry-After': retryAfter } : new Headers()
}

export async function loader({ context, request }: LoaderFunctionArgs) {
  if (context.auth) throw redirect(safeRedirect(new URL(request.url).searchParams.get('redirectTo')))
  return null
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData()
  try {
    const session = await login(anonymousContext(context), formToObject(form), context.auth?.sessionId ?? null)
    return redirect(safeRedirect(form.get('redirectTo')), {
      headers: { 'Set-Cookie': serializeSessionCookie(session.token, session.expiresAt, context.secureCookies) },
    })
  } catch (error) {
    return failure(error, form)
  }
}

export default function Login() {
  const { t } = useTranslation()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const [params] = useSearchParams()
  return (
    <section className="panel narrow">
      <h1>{t('auth.login.title')}</h1>
      <Form method="post" noValidate>
        <FormError failure={failed} />
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? '/'} />
        <Field name="email" type="email" label={t('auth.login.email')} autoComplete="username" required failure={failed} />
        <Field name="password" type="password" label={t('auth.login.password')} autoComplete="current-password" required failure={failed} />
        <button type="submit">{t('auth.login.submit')}</button>
      </Form>
      <p>
        <Link to="/forgot-password">{t('auth.reset.forgot')}</Link>
      </p>
    </section>
  )
}
