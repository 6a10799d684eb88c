import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, SelectField, isFailure } from '../components/form.tsx'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'
import { createOrganisation, newOrganisationForm } from '../orgs/organisations.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Thêm tổ chức / New organisation' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return await newOrganisationForm(acting)
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    const { id } = await createOrganisation(acting, formToObject(form))
    return redirect(`/organisations/${id}?done=created`)
  } catch (error) {
    return failure(error, form)
  }
}

export default function NewOrganisation() {
  const { t, i18n } = useTranslation()
  const { provinces } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const vi = i18n.language === 'vi'
  return (
    <section className="stack">
      <p>
        <Link to="/organisations">← {t('orgs.directory.title')}</Link>
      </p>
      <h1>{t('orgs.create.title')}</h1>
      <div className="panel">
        <p className="muted">{t('orgs.create.intro')}</p>
        <Form method="post" noValidate>
          <FormError failure={failed} />
          <Field name="slug" label={t('orgs.fields.slug')} hint={t('orgs.hints.slug')} required maxLength={63} autoComplete="off" failure={failed} />
          <SelectField
            name="kind"
            label={t('orgs.fields.kind')}
            defaultValue="member"
            failure={failed}
            options={[
              { value: 'member', label: t('kinds.member') },
              { value: 'national_cert', label: t('kinds.national_cert') },
            ]}
          />
          <Field name="nameVi" label={t('orgs.fields.nameVi')} required maxLength={200} lang="vi" failure={failed} />
          <Field name="nameEn" label={t('orgs.fields.nameEn')} required maxLength={200} lang="en" failure={failed} />
          <Field name="shortName" label={t('orgs.fields.shortName')} hint={t('orgs.hints.shortName')} required maxLength={60} failure={failed} />
          <SelectField
            name="provinceId"
            label={t('orgs.fields.province')}
            defaultValue=""
            failure={failed}
            options={[
              { value: '', label: t('orgs.none') },
              ...provinces.map((p) => ({
                value: p.id,
                label: `${vi ? p.nameVi : p.nameEn}${p.merged ? ` (${t('orgs.provinceMerged')})` : ''}`,
              })),
            ]}
          />
          <Field name="email" type="email" label={t('orgs.fields.email')} maxLength={254} failure={failed} />
          <Field name="phone" type="tel" label={t('orgs.fields.phone')} maxLength={40} failure={failed} />
          <Field name="website" type="url" label={t('orgs.fields.website')} hint={t('orgs.hints.website')} maxLength={300} failure={failed} />
          <button type="submit">{t('orgs.create.submit')}</button>
        </Form>
      </div>
    </section>
  )
}
