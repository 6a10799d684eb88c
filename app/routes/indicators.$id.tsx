import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, isFailure } from '../components/form.tsx'
import { MultiLine, TlpBadge } from '../components/triage.tsx'
import { addSighting, getIndicator } from '../iocs/indicators.server.ts'
import { defang } from '../iocs/types.ts'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Chỉ dấu / Indicator' }]

const DONE = ['created', 'exists', 'sighted'] as const

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const done = new URL(request.url).searchParams.get('done')
  try {
    return { ...(await getIndicator(acting, params.id ?? '')), done: DONE.find((d) => d === done) ?? null, timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    if (form.get('intent') !== 'sight') throw new DomainError('validation')
    await addSighting(acting, params.id ?? '', formToObject(form))
    return redirect(`/indicators/${params.id}?done=sighted`)
  } catch (error) {
    return failure(error, form)
  }
}

export default function IndicatorPage() {
  const { t, i18n } = useTranslation()
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const { indicator } = data
  const when = (d: string | Date | null) => (d ? formatDateTime(d, i18n.language, data.timeZone) : '—')
  return (
    <section className="stack narrow">
      <p>
        <Link to="/indicators">{t('iocs.detail.backToList')}</Link>
      </p>
      <h1>
        <code>{defang(indicator.type, indicator.value)}</code> <TlpBadge tlp={indicator.tlp} />
      </h1>
      {data.done ? (
        <p role="status" className="notice">
          {t(`iocs.detail.done.${data.done}`)}
        </p>
      ) : null}
      {data.warninglists.map((list) => (
        <p key={list} role="note" className="notice notice--warning">
          {t('iocs.detail.warninglisted', { list: data.warninglistNames[list] ?? t(`iocs.warninglists.${list}`) })}
        </p>
      ))}
      <div className="panel">
        <dl className="facts">
          <dt>{t('iocs.fields.type')}</dt>
          <dd>{t(`iocs.types.${indicator.type}`)}</dd>
          <dt>{t('iocs.fields.source')}</dt>
          <dd>{data.sourceOrganisationName}</dd>
          <dt>{t('iocs.fields.pap')}</dt>
          <dd>PAP:{indicator.pap}</dd>
          <dt>{t('iocs.fields.confidence')}</dt>
          <dd>{indicator.confidence}</dd>
          <dt>{t('iocs.fields.firstSeenAt')}</dt>
          <dd>{when(indicator.firstSeenAt)}</dd>
          <dt>{t('iocs.fields.lastSeenAt')}</dt>
          <dd>{when(indicator.lastSeenAt)}</dd>
          <dt>{t('iocs.fields.validUntil')}</dt>
          <dd>{when(indicator.validUntil)}</dd>
          <dt>{t('iocs.detail.tags')}</dt>
          <dd>{indicator.tags.length > 0 ? indicator.tags.join(', ') : '—'}</dd>
          <dt>{t('iocs.fields.createdAt')}</dt>
          <dd>{when(indicator.createdAt)}</dd>
        </dl>
        {indicator.description ? <MultiLine text={indicator.description} /> : null}
      </div>

      <div className="panel">
        <h2>{t('iocs.detail.related')}</h2>
        <p>{t('iocs.detail.seenBy', { count: data.seenByOrganisations })}</p>
        {data.related.length === 0 ? (
          <p className="muted">{t('iocs.detail.noRelated')}</p>
        ) : (
          <ul>
            {data.related.map((r) => (
              <li key={r.id}>
                <Link to={`/indicators/${r.id}`}>{r.organisationName}</Link> <TlpBadge tlp={r.tlp} /> — {when(r.createdAt)}
              </li>
            ))}
          </ul>
        )}
        {data.linkedIncidents.length > 0 ? (
          <>
            <h3>{t('iocs.detail.incidents')}</h3>
            <ul>
              {data.linkedIncidents.map((i) => (
                <li key={i.id}>
                  <Link to={`/incidents/${i.id}`}>{i.reference}</Link> <TlpBadge tlp={i.tlp} />
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>

      <div className="panel">
        <h2>{t('iocs.detail.sightings')}</h2>
        {data.sightings.length === 0 ? (
          <p className="muted">{t('iocs.detail.noSightings')}</p>
        ) : (
          <ul>
            {data.sightings.map((s) => (
              <li key={s.id}>
                {s.organisationName} — {when(s.seenAt)} — ×{s.count}
                {s.note ? <> — {s.note}</> : null}
              </li>
            ))}
          </ul>
        )}
        {data.maySight ? (
          <Form method="post" noValidate>
            <h3>{t('iocs.detail.addSighting')}</h3>
            <FormError failure={failed} />
            <Field name="seenAt" label={t('iocs.fields.seenAt')} maxLength={40} failure={failed} />
            <Field name="count" type="number" min={1} label={t('iocs.fields.count')} defaultValue="1" failure={failed} />
            <Field name="note" label={t('iocs.fields.note')} maxLength={2000} failure={failed} />
            <button type="submit" name="intent" value="sight">
              {t('iocs.detail.addSightingSubmit')}
            </button>
          </Form>
        ) : null}
      </div>
    </section>
  )
}
