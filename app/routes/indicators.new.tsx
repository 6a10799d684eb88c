import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, isFailure, SelectField } from '../components/form.tsx'
import { SharingFields } from '../components/indicator-fields.tsx'
import { createIndicator, mayShareIndicators } from '../iocs/indicators.server.ts'
import { INDICATOR_TYPES } from '../iocs/types.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Chia sẻ chỉ dấu / Share an indicator' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  if (!mayShareIndicators(acting)) loaderFailure(new DomainError('forbidden'))
  return null
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    const { id, created } = await createIndicator(acting, formToObject(form))
    return redirect(`/indicators/${id}?done=${created ? 'created' : 'exists'}`)
  } catch (error) {
    return failure(error, form)
  }
}

export default function NewIndicatorPage() {
  const { t } = useTranslation()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  return (
    <section className="stack narrow">
      <p>
        <Link to="/indicators">{t('iocs.detail.backToList')}</Link>
      </p>
      <h1>{t('iocs.create.title')}</h1>
      <p className="hint">{t('iocs.create.intro')}</p>
      <div className="panel">
        <Form method="post" noValidate>
          <FormError failure={failed} />
          <SelectField name="type" label={t('iocs.fields.type')} failure={failed} options={INDICATOR_TYPES.map((type) => ({ value: type, label: t(`iocs.types.${type}`) }))} />
          <Field name="value" label={t('iocs.fields.value')} required maxLength={4096} failure={failed} autoComplete="off" spellCheck={false} />
          <SharingFields failure={failed} />
          <button type="submit">{t('iocs.create.submit')}</button>
        </Form>
      </div>
    </section>
  )
}
