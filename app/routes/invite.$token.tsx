import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { peekAccountToken, redeemAccountToken } from '../auth/auth.server.ts'
import { serializeSessionCookie } from '../auth/session.server.ts'
import { Field, FormError, isFailure } from '../components/form.tsx'
import { formToObject } from '../lib/forms.ts'
import { anonymousContext, failure } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Mật khẩu / Password' }, { name: 'referrer', content: 'no-referrer' }]

export async function loader({ context, params }: LoaderFunctionArgs) {
  const link = await peekAccountToken(anonymousContext(context), params.token ?? '')
  if (!link) throw data({ messageKey: 'auth.linkInvalid' }, { status: 404 })
  return { name: link.name, email: link.email, purpose: link.purpose }
}

export async function action({ context, params, request }: ActionFunctionArgs) {
  const form = await request.formData()
  try {
    const session = await redeemAccountToken(anonymousContext(context), params.token ?? '', formToObject(form))
    return redirect('/', { headers: { 'Set-Cookie': serializeSessionCookie(session.token, session.expiresAt, context.secureCookies) } })
  } catch (error) {
    return failure(error, form)
  }
}

export default function AcceptInvitation() {
  const { t } = useTranslation()
  const link = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  return (
    <section className="panel narrow">
      <h1>{link.purpose === 'password_reset' ? t('auth.reset.setTitle') : t('auth.invite.title')}</h1>
      <p>{t('auth.invite.intro', { name: link.name, email: link.email })}</p>
      <Form method="post" noValidate>
        <FormError failure={failed} />
        <input type="hidden" name="email" value={link.email} autoComplete="username" />
        <Field name="password" type="password" label={t('auth.invite.password')} hint={t('auth.invite.hint')} autoComplete="new-password" required failure={failed} />
        <Field name="confirm" type="password" label={t('auth.invite.confirm')} autoComplete="new-password" required failure={failed} />
        <button type="submit">{t('auth.invite.submit')}</button>
      </Form>
    </section>
  )
}
