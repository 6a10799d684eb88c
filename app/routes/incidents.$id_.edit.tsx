import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { IncidentForm, incidentFormDefaults } from '../components/incident-form.tsx'
import { isFailure } from '../components/form.tsx'
import { getIncidentForEdit, updateIncident } from '../incidents/incidents.server.ts'
import { incidentFailure } from '../incidents/pages.server.ts'
import { formToObject } from '../lib/forms.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `CSIRT Net — ${data.incident.reference}` : 'CSIRT Net — Sự cố / Incident' },
]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await getIncidentForEdit(acting, params.id ?? '')), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const id = params.id ?? ''
  const form = await request.formData()
  const submit = form.get('intent') === 'submit'
  try {
    const updated = await updateIncident(acting, id, formToObject(form), { submit, timeZone: context.timeZone })
    return redirect(`/incidents/${updated.id}?done=${submit ? 'filed' : 'updated'}`)
  } catch (error) {
    return incidentFailure(error, form)
  }
}

export default function EditIncidentPage() {
  const { t } = useTranslation()
  const { incident, recipientIds, recipientOptions, canSubmit, timeZone } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  return (
    <section className="stack">
      <p>
        <Link to={`/incidents/${incident.id}`}>{t('incidents.backToIncident', { reference: incident.reference })}</Link>
      </p>
      <h1>{t('incidents.editTitle', { reference: incident.reference })}</h1>
      {failed?.transition ? (
        <div role="alert" className="form-error">
          {t('incidents.errors.illegalTransition', {
            from: t(`incidents.status.${failed.transition.from}`),
            to: t(`incidents.status.${failed.transition.to}`),
          })}
        </div>
      ) : null}
      <IncidentForm
        defaults={incidentFormDefaults(incident, recipientIds, timeZone)}
        failure={failed?.transition ? { ...failed, formError: undefined } : failed}
        recipientOptions={recipientOptions}
        timeZone={timeZone}
        mode={incident.status === 'draft' && canSubmit ? 'draft' : 'submitted'}
      />
    </section>
  )
}
