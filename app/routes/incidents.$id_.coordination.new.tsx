import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, isFailure } from '../components/form.tsx'
import { TextAreaField, TlpBadge } from '../components/triage.tsx'
import { getCoordinationForm, issueCoordinationRequest } from '../incidents/coordination.server.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `CSIRT Net — ${data.incident.reference} — Lệnh điều phối / Coordination request` : 'CSIRT Net — Lệnh điều phối / Coordination request' },
]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await getCoordinationForm(acting, params.id, { timeZone: context.timeZone })), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    await issueCoordinationRequest(acting, params.id, formToObject(form), { timeZone: context.timeZone })
    return redirect('/coordination?done=issued')
  } catch (error) {
    // The re-rendered form keeps every chosen recipient, not only the last one.
    const kept = new FormData()
    for (const [key, value] of form.entries()) if (key !== 'organisationIds' && typeof value === 'string') kept.append(key, value)
    kept.set('organisationIds', form.getAll('organisationIds').filter((v) => typeof v === 'string').join(','))
    return failure(error, kept)
  }
}

export default function NewCoordinationRequestPage() {
  const { t, i18n } = useTranslation()
  const { incident, canIssue, recipients, defaultDueAt, timeZone } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const chosen = new Set((failed?.values.organisationIds ?? '').split(',').filter(Boolean))
  const recipientErrors = failed?.fieldErrors.organisationIds ?? []
  const vi = i18n.language === 'vi'
  return (
    <section className="stack narrow">
      <p>
        <Link to={`/incidents/${incident.id}`}>← {t('triage.backToIncident', { reference: incident.reference })}</Link>
      </p>
      <h1>{t('triage.coordination.newTitle')}</h1>
      <p>
        {incident.reference} <TlpBadge tlp={incident.tlp} /> — {incident.title}
      </p>
      <p>{t('triage.coordination.newIntro')}</p>
      <FormError failure={failed} />
      {canIssue ? (
        <Form method="post" noValidate className="panel">
          <fieldset aria-invalid={recipientErrors.length ? true : undefined} aria-describedby={recipientErrors.length ? 'field-organisationIds-error' : 'field-organisationIds-hint'}>
            <legend>{t('triage.coordination.recipients')}</legend>
            <p id="field-organisationIds-hint" className="hint">
              {t('triage.coordination.recipientsHint')}
            </p>
            {recipientErrors.length ? (
              <p id="field-organisationIds-error" className="field-error">
                {recipientErrors.map((e) => t(e)).join(' ')}
              </p>
            ) : null}
            <ul className="plain-list">
              {recipients.map((o) => (
                <li key={o.id} className="field field--checkbox">
                  <input id={`recipient-${o.id}`} type="checkbox" name="organisationIds" value={o.id} defaultChecked={chosen.has(o.id)} />
                  <label htmlFor={`recipient-${o.id}`}>
                    {o.shortName}
                    {o.id === incident.reportingOrganisationId ? ` (${t('triage.coordination.reporter')})` : ''}
                    <span className="muted"> — {vi ? o.nameVi : o.nameEn}</span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <TextAreaField name="request" label={t('triage.fields.request')} hint={t('triage.coordination.requestHint')} required maxLength={8000} rows={8} failure={failed} />
          <Field
            name="dueAt"
            type="datetime-local"
            label={t('triage.fields.dueAt')}
            hint={t('triage.coordination.dueAtHint', { zone: timeZone })}
            required
            defaultValue={defaultDueAt}
            failure={failed}
          />
          <button type="submit">{t('triage.coordination.submit')}</button>
        </Form>
      ) : (
        <p role="status" className="notice">
          {t('triage.coordination.cannotNow')}
        </p>
      )}
    </section>
  )
}
