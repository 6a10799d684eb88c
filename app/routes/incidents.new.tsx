import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { IncidentForm, type IncidentFormDefaults } from '../components/incident-form.tsx'
import { isFailure } from '../components/form.tsx'
import { createIncident, newIncidentForm } from '../incidents/incidents.server.ts'
import { incidentFailure } from '../incidents/pages.server.ts'
import { formToObject } from '../lib/forms.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Báo cáo sự cố / Report an incident' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await newIncidentForm(acting)), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  const submit = form.get('intent') === 'submit'
  try {
    const created = await createIncident(acting, formToObject(form), { submit, timeZone: context.timeZone })
    return redirect(`/incidents/${created.id}?done=${submit ? 'filed' : 'drafted'}`)
  } catch (error) {
    return incidentFailure(error, form)
  }
}

export default function NewIncidentPage() {
  const { t } = useTranslation()
  const { contact, recipientOptions, timeZone } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const defaults: IncidentFormDefaults = {
    values: {
      contactName: contact.name,
      contactTitle: contact.title ?? '',
      contactPhone: contact.phone ?? '',
      contactEmail: contact.email,
      severity: 'medium',
      tlp: 'AMBER',
      pap: 'AMBER',
    },
    lists: {},
  }
  return (
    <section className="stack">
      <p>
        <Link to="/incidents">{t('incidents.backToList')}</Link>
      </p>
      <h1>{t('incidents.newTitle')}</h1>
      <p className="hint">{t('incidents.newIntro')}</p>
      <IncidentForm defaults={defaults} failure={isFailure(result) ? result : null} recipientOptions={recipientOptions} timeZone={timeZone} mode="draft" />
    </section>
  )
}
