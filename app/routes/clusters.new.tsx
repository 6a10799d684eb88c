import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, isFailure } from '../components/form.tsx'
import { DomainError } from '../lib/errors.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'
import { createCluster } from '../orgs/clusters.server.ts'
import { can } from '../policy/policy.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Tạo cụm / New cluster' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  if (!can(acting.actor, { action: 'cluster.manage' })) loaderFailure(new DomainError('forbidden'))
  return null
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    const { id } = await createCluster(acting, formToObject(form))
    return redirect(`/clusters/${id}?done=created`)
  } catch (error) {
    return failure(error, form)
  }
}

export default function NewCluster() {
  const { t } = useTranslation()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  return (
    <section className="stack">
      <p>
        <Link to="/clusters">← {t('orgs.clusterList.title')}</Link>
      </p>
      <h1>{t('orgs.clusterCreate.title')}</h1>
      <div className="panel">
        <p className="muted">{t('orgs.clusterCreate.intro')}</p>
        <Form method="post" noValidate>
          <FormError failure={failed} />
          <Field name="code" label={t('orgs.clusterFields.code')} hint={t('orgs.hints.code')} required maxLength={63} autoComplete="off" failure={failed} />
          <Field name="nameVi" label={t('orgs.clusterFields.nameVi')} required maxLength={200} lang="vi" failure={failed} />
          <Field name="nameEn" label={t('orgs.clusterFields.nameEn')} required maxLength={200} lang="en" failure={failed} />
          <Field name="foundedOn" type="date" label={t('orgs.clusterFields.foundedOn')} failure={failed} />
          <Field name="description" label={t('orgs.clusterFields.description')} maxLength={2000} failure={failed} />
          <button type="submit">{t('orgs.clusterCreate.submit')}</button>
        </Form>
      </div>
    </section>
  )
}
