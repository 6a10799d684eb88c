import type { ActionFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { requestPasswordReset } from '../auth/password-reset.server.ts'
import { Field, FormError, isFailure } from '../components/form.tsx'
import { formToObject } from '../lib/forms.ts'
import { anonymousContext, failure } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Quên mật khẩu / Forgot password' }]

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData()
  try {
    await requestPasswordReset(anonymousContext(context), formToObject(form))
    return data({ ok: true as const })
  } catch (error) {
    return failure(error, form)
  }
}

export default function ForgotPassword() {
  const { t } = useTranslation()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  return (
    <section className="panel narrow">
      <h1>{t('auth.reset.title')}</h1>
      {result && !failed ? (
        <p role="status" className="notice">
          {t('auth.reset.sent')}
        </p>
      ) : (
        <Form method="post" noValidate>
          <p>{t('auth.reset.intro')}</p>
          <FormError failure={failed} />
          <Field name="email" type="email" label={t('auth.login.email')} autoComplete="username" required failure={failed} />
          <button type="submit">{t('auth.reset.submit')}</button>
        </Form>
      )}
      <p>
        <Link to="/login">{t('auth.reset.backToLogin')}</Link>
      </p>
    </section>
  )
}
