import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormError, isFailure } from '../components/form.tsx'
import { MultiLine, TextAreaField, TlpBadge, TriageHistory } from '../components/triage.tsx'
import { getInformationRequestView, provideInformation } from '../incidents/escalation.server.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `CSIRT Net — ${data.incident.reference} — Bổ sung thông tin / More information` : 'CSIRT Net — Bổ sung thông tin / More information' },
]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await getInformationRequestView(acting, params.id)), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    const { id } = await provideInformation(acting, params.id, formToObject(form))
    return redirect(`/incidents/${id}`)
  } catch (error) {
    return failure(error, form)
  }
}

export default function InformationPage() {
  const { t } = useTranslation()
  const { incident, canAnswer, history, timeZone } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  return (
    <section className="stack narrow">
      <p>
        <Link to={`/incidents/${incident.id}`}>← {t('triage.backToIncident', { reference: incident.reference })}</Link>
      </p>
      <h1>{t('triage.info.title')}</h1>
      <p>
        {incident.reference} <TlpBadge tlp={incident.tlp} /> — {incident.title}
      </p>
      <FormError failure={failed} />
      {canAnswer ? (
        <div className="panel">
          <h2>{t('triage.info.question')}</h2>
          <MultiLine text={incident.triageNote} />
          <Form method="post" noValidate>
            <TextAreaField name="answer" label={t('triage.fields.answer')} hint={t('triage.info.answerHint')} required maxLength={8000} rows={8} failure={failed} />
            <button type="submit">{t('triage.info.submit')}</button>
          </Form>
        </div>
      ) : (
        <p role="status" className="notice">
          {t('triage.info.noQuestion')}
        </p>
      )}
      <div className="panel">
        <h2>{t('triage.history.title')}</h2>
        <TriageHistory entries={history} timeZone={timeZone} />
      </div>
    </section>
  )
}
