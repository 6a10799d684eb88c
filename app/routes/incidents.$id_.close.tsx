import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { TextAreaField } from '../components/incident-form.tsx'
import { FormError, isFailure } from '../components/form.tsx'
import { getIncidentDetail, submitClosureReport, transitionIncident } from '../incidents/incidents.server.ts'
import { incidentFailure } from '../incidents/pages.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject } from '../lib/forms.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `CSIRT Net — ${data.incident.reference} — Mẫu 04 / Form 04` : 'CSIRT Net — Sự cố / Incident' },
]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    const detail = await getIncidentDetail(acting, params.id ?? '')
    // The report is written by those who may close the incident, once it is resolved.
    if (!detail.permissions.closureReport) throw new DomainError('forbidden')
    return {
      incident: detail.incident,
      canClose: detail.transitions.includes('close'),
      timeZone: context.timeZone,
    }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const id = params.id ?? ''
  const form = await request.formData()
  const input = formToObject(form)
  try {
    if (form.get('intent') === 'close') {
      await transitionIncident(acting, id, 'close', input)
      return redirect(`/incidents/${id}?done=closed`)
    }
    await submitClosureReport(acting, id, input)
    return redirect(`/incidents/${id}?done=closureReport`)
  } catch (error) {
    return incidentFailure(error, form)
  }
}

export default function CloseIncidentPage() {
  const { t, i18n } = useTranslation()
  const { incident, canClose, timeZone } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  return (
    <section className="stack">
      <p>
        <Link to={`/incidents/${incident.id}`}>{t('incidents.backToIncident', { reference: incident.reference })}</Link>
      </p>
      <h1>{t('incidents.closeTitle', { reference: incident.reference })}</h1>
      <p className="hint">
        {t('incidents.hints.closure', { reference: incident.reference, date: formatDateTime(incident.submittedAt, i18n.language, timeZone) })}
      </p>
      {failed?.transition ? (
        <div role="alert" className="form-error">
          {t('incidents.errors.illegalTransition', {
            from: t(`incidents.status.${failed.transition.from}`),
            to: t(`incidents.status.${failed.transition.to}`),
          })}
        </div>
      ) : (
        <FormError failure={failed} />
      )}
      <Form method="post" noValidate className="panel">
        <TextAreaField
          name="closureWhatHappened"
          label={t('incidents.fields.closureWhatHappened')}
          defaultValue={incident.closureWhatHappened}
          failure={failed}
          rows={6}
          maxLength={20000}
          required
        />
        <TextAreaField
          name="closureResolution"
          label={t('incidents.fields.closureResolution')}
          defaultValue={incident.closureResolution}
          failure={failed}
          rows={6}
          maxLength={20000}
          required
        />
        <TextAreaField
          name="closurePrevention"
          label={t('incidents.fields.closurePrevention')}
          defaultValue={incident.closurePrevention}
          failure={failed}
          rows={6}
          maxLength={20000}
          required
        />
        <div className="inline-form">
          <button type="submit" name="intent" value="report" className="secondary">
            {t('incidents.buttons.saveClosureReport')}
          </button>
          {canClose ? (
            <button type="submit" name="intent" value="close">
              {t('incidents.buttons.closeIncident')}
            </button>
          ) : null}
        </div>
      </Form>
    </section>
  )
}
