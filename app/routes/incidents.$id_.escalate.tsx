import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormError, SelectField, isFailure } from '../components/form.tsx'
import { MultiLine, TextAreaField, TlpBadge, TriageHistory } from '../components/triage.tsx'
import { escalateIncident, getEscalationView } from '../incidents/escalation.server.ts'
import { ESCALATION_URGENCIES } from '../incidents/triage.ts'
import { formatDateTime } from '../lib/dates.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `CSIRT Net — ${data.incident.reference} — Chuyển VNCERT/CC / Escalate` : 'CSIRT Net — Chuyển VNCERT/CC / Escalate' },
]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await getEscalationView(acting, params.id)), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    const { id } = await escalateIncident(acting, params.id, formToObject(form))
    return redirect(`/incidents/${id}`)
  } catch (error) {
    return failure(error, form)
  }
}

export default function EscalatePage() {
  const { t, i18n } = useTranslation()
  const { incident, canEscalate, history, timeZone } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  return (
    <section className="stack narrow">
      <p>
        <Link to={`/incidents/${incident.id}`}>← {t('triage.backToIncident', { reference: incident.reference })}</Link>
      </p>
      <h1>{t('triage.escalate.title')}</h1>
      <p>{t('triage.escalate.intro')}</p>
      <FormError failure={failed} />
      <div className="panel">
        <dl className="facts">
          <dt>{t('triage.fields.reference')}</dt>
          <dd>
            {incident.reference} <TlpBadge tlp={incident.tlp} />
          </dd>
          <dt>{t('triage.fields.title')}</dt>
          <dd>{incident.title}</dd>
          <dt>{t('triage.fields.reportingOrganisation')}</dt>
          <dd>{incident.reportingOrganisation}</dd>
          <dt>{t('triage.fields.triageStatus')}</dt>
          <dd>{t(`triage.status.${incident.triageStatus ?? 'none'}`)}</dd>
          {incident.triageStatus === 'declined' ? (
            <>
              <dt>{t('triage.fields.declineReason')}</dt>
              <dd>
                <MultiLine text={incident.triageNote} />
                <span className="muted">{formatDateTime(incident.triagedAt, i18n.language, timeZone)}</span>
              </dd>
            </>
          ) : null}
        </dl>
      </div>

      {canEscalate ? (
        <div className="panel">
          {incident.triageStatus === 'declined' ? <p className="notice">{t('triage.escalate.again')}</p> : null}
          {incident.tlp === 'RED' ? <p className="notice">{t('triage.escalate.redNotice')}</p> : null}
          <Form method="post" noValidate>
            <TextAreaField name="reason" label={t('triage.fields.reason')} hint={t('triage.escalate.reasonHint')} required maxLength={4000} rows={6} failure={failed} />
            <SelectField
              name="urgency"
              label={t('triage.fields.urgency')}
              defaultValue="normal"
              failure={failed}
              options={ESCALATION_URGENCIES.map((u) => ({ value: u, label: t(`triage.urgency.${u}`) }))}
            />
            <p className="hint">{t('triage.escalate.urgencyHint')}</p>
            <button type="submit">{t('triage.escalate.submit')}</button>
          </Form>
        </div>
      ) : (
        <p role="status" className="notice">
          {t('triage.escalate.notNow')}
        </p>
      )}

      <div className="panel">
        <h2>{t('triage.history.title')}</h2>
        <TriageHistory entries={history} timeZone={timeZone} />
      </div>
    </section>
  )
}
