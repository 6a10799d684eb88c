import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { DrillForm, type DrillFormFailure } from '../components/drill-form.tsx'
import { isFailure } from '../components/form.tsx'
import { createDrill, newDrillForm } from '../drills/drills.server.ts'
import { drillFailure } from '../drills/pages.server.ts'
import { formToObject } from '../lib/forms.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Lên lịch diễn tập / Schedule a drill' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await newDrillForm(acting)), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    const { id } = await createDrill(acting, formToObject(form), { timeZone: context.timeZone })
    return redirect(`/drills/${id}?done=created`)
  } catch (error) {
    return drillFailure(error, form)
  }
}

export default function NewDrillPage() {
  const { t, i18n } = useTranslation()
  const { levels, clusterOptions, organisationOptions, timeZone } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <section className="stack">
      <p>
        <Link to="/drills">{t('drills.detail.backToList')}</Link>
      </p>
      <h1>{t('drills.create.title')}</h1>
      <p className="hint">{t('drills.create.intro')}</p>
      <div className="panel">
        <DrillForm
          levels={levels}
          clusterOptions={clusterOptions.map((c) => ({ id: c.id, name: i18n.language === 'en' ? c.nameEn : c.nameVi }))}
          organisationOptions={organisationOptions}
          timeZone={timeZone}
          failure={isFailure(result) ? (result as DrillFormFailure) : null}
        />
      </div>
    </section>
  )
}
