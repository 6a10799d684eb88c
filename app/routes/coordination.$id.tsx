import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormError, isFailure } from '../components/form.tsx'
import { MultiLine, TextAreaField, TlpBadge } from '../components/triage.tsx'
import { acknowledgeCoordinationRequest, answerCoordinationRequest, getCoordinationRequest } from '../incidents/coordination.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject, type FormFailure } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Lệnh điều phối / Coordination request' }]

const DONE = ['acknowledged', 'answered'] as const

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const url = new URL(request.url)
  try {
    return {
      ...(await getCoordinationRequest(acting, params.id)),
      done: DONE.find((d) => d === url.searchParams.get('done')) ?? null,
      timeZone: context.timeZone,
    }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    switch (form.get('intent')) {
      case 'acknowledge': {
        const { id } = await acknowledgeCoordinationRequest(acting, params.id)
        return redirect(`/coordination/${id}?done=acknowledged`)
      }
      case 'answer': {
        const { id } = await answerCoordinationRequest(acting, params.id, formToObject(form))
        return redirect(`/coordination/${id}?done=answered`)
      }
      default:
        throw new DomainError('validation')
    }
  } catch (error) {
    return failure(error, form)
  }
}

export default function CoordinationRequestPage() {
  const { t, i18n } = useTranslation()
  const data = useLoaderData<typeof loader>()
  const { request, incident, timeZone } = data
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const answerFailure: FormFailure | null = data.canAnswer && failed?.values.intent === 'answer' ? failed : null
  const otherFailure = failed && !answerFailure ? failed : null
  const locale = i18n.language
  return (
    <section className="stack narrow">
      <p>
        <Link to="/coordination">← {t('triage.coordination.title')}</Link>
      </p>
      <h1>{t('triage.coordination.requestTitle')}</h1>
      {data.done ? (
        <p role="status" className="notice">
          {t(`triage.coordination.done.${data.done}`)}
        </p>
      ) : null}
      <FormError failure={otherFailure} />
      <div className="panel">
        <dl className="facts">
          <dt>{t('triage.fields.incident')}</dt>
          <dd>
            {incident ? (
              <>
                <Link to={`/incidents/${incident.id}`}>{incident.reference}</Link> <TlpBadge tlp={incident.tlp} /> — {incident.title}
              </>
            ) : (
              <span className="muted">{t('triage.coordination.incidentHidden')}</span>
            )}
          </dd>
          <dt>{t('triage.fields.issuer')}</dt>
          <dd>
            {request.issuingOrganisation} <span className="muted">({request.issuedByName})</span>
          </dd>
          <dt>{t('triage.fields.recipient')}</dt>
          <dd>{request.organisation}</dd>
          <dt>{t('triage.fields.issuedAt')}</dt>
          <dd>{formatDateTime(request.createdAt, locale, timeZone)}</dd>
          <dt>{t('triage.fields.dueAt')}</dt>
          <dd>
            {formatDateTime(request.dueAt, locale, timeZone)}{' '}
            {request.overdue ? <span className="badge badge--inactive">{t('triage.coordination.overdue')}</span> : null}
          </dd>
          <dt>{t('triage.fields.status')}</dt>
          <dd>{t(`triage.coordinationStatus.${request.status}`)}</dd>
          {request.acknowledgedAt ? (
            <>
              <dt>{t('triage.fields.acknowledgedAt')}</dt>
              <dd>
                {formatDateTime(request.acknowledgedAt, locale, timeZone)} <span className="muted">({request.acknowledgedByName ?? '—'})</span>
              </dd>
            </>
          ) : null}
        </dl>
        <h2>{t('triage.fields.request')}</h2>
        <MultiLine text={request.request} />
        {request.answer ? (
          <>
            <h2>{t('triage.fields.answer')}</h2>
            <MultiLine text={request.answer} />
            <p className="muted">
              {request.answeredByName ?? '—'} · {formatDateTime(request.answeredAt, locale, timeZone)}
            </p>
          </>
        ) : null}
      </div>

      {data.canAcknowledge ? (
        <div className="panel">
          <h2>{t('triage.coordination.acknowledgeTitle')}</h2>
          <p className="hint">{t('triage.coordination.acknowledgeHint')}</p>
          <Form method="post">
            <input type="hidden" name="intent" value="acknowledge" />
            <button type="submit" className="secondary">
              {t('triage.coordination.acknowledge')}
            </button>
          </Form>
        </div>
      ) : null}

      {data.canAnswer ? (
        <div className="panel">
          <h2>{t('triage.coordination.answerTitle')}</h2>
          <Form method="post" noValidate>
            <FormError failure={answerFailure} />
            <input type="hidden" name="intent" value="answer" />
            <TextAreaField name="answer" label={t('triage.fields.answer')} hint={t('triage.coordination.answerHint')} required maxLength={8000} rows={8} failure={answerFailure} />
            <button type="submit">{t('triage.coordination.answer')}</button>
          </Form>
        </div>
      ) : null}
    </section>
  )
}
