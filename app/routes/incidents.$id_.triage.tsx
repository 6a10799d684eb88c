import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormError, SelectField, isFailure } from '../components/form.tsx'
import { Age, MultiLine, TextAreaField, TlpBadge, TriageHistory } from '../components/triage.tsx'
import { acceptEscalation, declineEscalation, getTriageView, requestMoreInformation } from '../incidents/escalation.server.ts'
import { TRIAGE_CLASSIFICATIONS } from '../incidents/triage.ts'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject, type FormFailure } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `CSIRT Net — ${data.incident.reference} — Phân loại / Triage` : 'CSIRT Net — Phân loại / Triage' },
]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await getTriageView(acting, params.id)), timeZone: context.timeZone, now: acting.services.now().toISOString() }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  const input = formToObject(form)
  try {
    switch (form.get('intent')) {
      case 'accept':
        await acceptEscalation(acting, params.id, input)
        return redirect('/triage?done=accepted')
      case 'decline':
        await declineEscalation(acting, params.id, input)
        return redirect('/triage?done=declined')
      case 'ask':
        await requestMoreInformation(acting, params.id, input)
        return redirect('/triage?done=asked')
      default:
        throw new DomainError('validation')
    }
  } catch (error) {
    return failure(error, form)
  }
}

export default function TriagePage() {
  const { t, i18n } = useTranslation()
  const view = useLoaderData<typeof loader>()
  const { incident, timeZone } = view
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const failedFor = (intent: string): FormFailure | null => (failed?.values.intent === intent ? failed : null)
  // A failure whose form is no longer shown (someone else decided meanwhile) shows at the top.
  const intent = failed?.values.intent
  const shownInForm = view.canDecide && (intent === 'accept' || intent === 'decline' || (intent === 'ask' && view.canAsk))
  const otherFailure = failed && !shownInForm ? failed : null
  const locale = i18n.language
  return (
    <section className="stack">
      <p>
        <Link to="/triage">← {t('triage.queue.title')}</Link> · <Link to={`/incidents/${incident.id}`}>{t('triage.backToIncident', { reference: incident.reference })}</Link>
      </p>
      <h1>{t('triage.decide.title', { reference: incident.reference })}</h1>
      <FormError failure={otherFailure} />

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
          <dt>{t('triage.fields.incidentStatus')}</dt>
          <dd>{t(`triage.incidentStatus.${incident.status}`)}</dd>
          <dt>{t('triage.fields.description')}</dt>
          <dd>
            <MultiLine text={incident.description} />
          </dd>
          <dt>{t('triage.fields.detectedAt')}</dt>
          <dd>{formatDateTime(incident.detectedAt, locale, timeZone)}</dd>
          <dt>{t('triage.fields.escalatedAt')}</dt>
          <dd>
            {formatDateTime(incident.escalatedAt, locale, timeZone)}{' '}
            {incident.escalatedAt ? (
              <span className="muted">
                (<Age since={incident.escalatedAt} now={view.now} />)
              </span>
            ) : null}
          </dd>
          <dt>{t('triage.fields.escalatedBy')}</dt>
          <dd>{incident.escalatedByName ?? '—'}</dd>
          <dt>{t('triage.fields.urgency')}</dt>
          <dd>{incident.escalationUrgency ? t(`triage.urgency.${incident.escalationUrgency}`) : '—'}</dd>
          <dt>{t('triage.fields.reason')}</dt>
          <dd>
            <MultiLine text={incident.escalationReason} />
          </dd>
          <dt>{t('triage.fields.triageStatus')}</dt>
          <dd>{t(`triage.status.${incident.triageStatus ?? 'none'}`)}</dd>
          {incident.triageStatus === 'accepted' ? (
            <>
              <dt>{t('triage.fields.classification')}</dt>
              <dd>{incident.triageClassification ? t(`triage.classification.${incident.triageClassification}`) : '—'}</dd>
              <dt>{t('triage.fields.analyst')}</dt>
              <dd>{incident.triageAnalystName ?? '—'}</dd>
            </>
          ) : null}
          {incident.triagedAt ? (
            <>
              <dt>{t('triage.fields.triagedAt')}</dt>
              <dd>{formatDateTime(incident.triagedAt, locale, timeZone)}</dd>
            </>
          ) : null}
        </dl>
        {view.canCoordinate ? (
          <p>
            <Link to={`/incidents/${incident.id}/coordination/new`}>{t('triage.decide.coordinate')}</Link>
          </p>
        ) : null}
      </div>

      {view.canDecide ? (
        <>
          {incident.triageStatus === 'info_requested' ? (
            <p role="status" className="notice">
              {t('triage.decide.waitingForReporter')}
            </p>
          ) : null}
          <div className="panel">
            <h2>{t('triage.decide.acceptTitle')}</h2>
            <p className="hint">{t('triage.decide.acceptHint')}</p>
            <Form method="post" noValidate>
              <FormError failure={failedFor('accept')} />
              <input type="hidden" name="intent" value="accept" />
              <SelectField
                name="classification"
                label={t('triage.fields.classification')}
                defaultValue=""
                failure={failedFor('accept')}
                options={[
                  { value: '', label: t('triage.decide.chooseClassification') },
                  ...TRIAGE_CLASSIFICATIONS.map((c) => ({ value: c, label: t(`triage.classification.${c}`) })),
                ]}
              />
              <SelectField
                name="analystId"
                label={t('triage.fields.analyst')}
                defaultValue=""
                failure={failedFor('accept')}
                options={[{ value: '', label: t('triage.decide.chooseAnalyst') }, ...view.analysts.map((a) => ({ value: a.id, label: `${a.name} (${t(`roles.${a.role}`)})` }))]}
              />
              <TextAreaField name="note" label={t('triage.fields.note')} maxLength={4000} rows={3} failure={failedFor('accept')} />
              <button type="submit">{t('triage.decide.accept')}</button>
            </Form>
          </div>

          {view.canAsk ? (
            <div className="panel">
              <h2>{t('triage.decide.askTitle')}</h2>
              <p className="hint">{t('triage.decide.askHint')}</p>
              <Form method="post" noValidate>
                <FormError failure={failedFor('ask')} />
                <input type="hidden" name="intent" value="ask" />
                <TextAreaField name="question" label={t('triage.fields.question')} required maxLength={4000} rows={4} failure={failedFor('ask')} />
                <button type="submit" className="secondary">
                  {t('triage.decide.ask')}
                </button>
              </Form>
            </div>
          ) : null}

          <div className="panel">
            <h2>{t('triage.decide.declineTitle')}</h2>
            <p className="hint">{t('triage.decide.declineHint')}</p>
            <Form method="post" noValidate>
              <FormError failure={failedFor('decline')} />
              <input type="hidden" name="intent" value="decline" />
              <TextAreaField name="reason" label={t('triage.fields.declineReason')} required maxLength={4000} rows={4} failure={failedFor('decline')} />
              <button type="submit" className="danger">
                {t('triage.decide.decline')}
              </button>
            </Form>
          </div>
        </>
      ) : (
        <p role="status" className="notice">
          {t('triage.decide.notAwaiting')}
        </p>
      )}

      <div className="panel">
        <h2>{t('triage.history.title')}</h2>
        <TriageHistory entries={view.history} timeZone={timeZone} />
      </div>
    </section>
  )
}
