import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { DrillForm, type DrillFormFailure } from '../components/drill-form.tsx'
import { isFailure } from '../components/form.tsx'
import { editDrillForm, updateDrill } from '../drills/editing.server.ts'
import { drillFailure } from '../drills/pages.server.ts'
import { formToObject } from '../lib/forms.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Sửa đợt diễn tập / Edit the drill' }]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await editDrillForm(acting, params.id, { timeZone: context.timeZone })), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    const { id, rescheduled } = await updateDrill(acting, params.id, formToObject(form), { timeZone: context.timeZone })
    return redirect(`/drills/${id}?done=${rescheduled ? 'rescheduled' : 'updated'}`)
  } catch (error) {
    return drillFailure(error, form)
  }
}

export default function EditDrillPage() {
  const { t, i18n } = useTranslation()
  const page = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <section className="stack">
      <p>
        <Link to={`/drills/${page.drill.id}`}>← {page.drill.title}</Link>
      </p>
      <h1>{t('drills.edit.title')}</h1>
      <p className="hint">{t('drills.edit.intro')}</p>
      <div className="panel">
        <DrillForm
          levels={page.levels}
          clusterOptions={page.clusterOptions.map((c) => ({ id: c.id, name: i18n.language === 'en' ? c.nameEn : c.nameVi }))}
          organisationOptions={page.organisationOptions}
          timeZone={page.timeZone}
          initial={{ values: page.values, lists: page.lists }}
          fixed={page.fixed}
          submitLabel={t('drills.edit.submit')}
          failure={isFailure(result) ? (result as DrillFormFailure) : null}
        />
      </div>
    </section>
  )
}
