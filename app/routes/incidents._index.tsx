import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CheckboxField, Field, FormError, SelectField } from '../components/form.tsx'
import { ageOf, EXPORT_CAP, INCIDENT_SORTS, tlpClass } from '../incidents/finding.ts'
import { INCIDENT_STATUSES } from '../incidents/lifecycle.ts'
import { incidentFilterChoices, incidentQueryInput, listIncidents } from '../incidents/search.server.ts'
import { INCIDENT_CATEGORY_CODES, SEVERITIES } from '../incidents/taxonomy.ts'
import { formatNumber } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import type { FormFailure } from '../lib/forms.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'
import { TLP_LABELS } from '../policy/actor.ts'
import { can } from '../policy/policy.server.ts'
import listStyles from '../styles/incident-list.css?url'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: listStyles }]

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Sự cố / Incidents' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const params = new URL(request.url).searchParams
  let fieldErrors: Record<string, string[]> = {}
  let result: Awaited<ReturnType<typeof listIncidents>> | null = null
  try {
    result = await listIncidents(acting, incidentQueryInput(params), { timeZone: context.timeZone })
  } catch (error) {
    // A bad filter or a tampered cursor re-renders the form with its errors (400), never a 500.
    if (!(error instanceof DomainError) || error.code !== 'validation') loaderFailure(error)
    fieldErrors = error.details.fieldErrors ?? {}
  }
  const values: Record<string, string> = {}
  for (const [key, value] of params) if (key !== 'status' && !(key in values)) values[key] = value
  const filter: FormFailure = { ok: false, fieldErrors, values }
  const withoutCursor = new URLSearchParams(params)
  withoutCursor.delete('cursor')
  const payload = {
    page: result ? { rows: result.rows, total: result.total, totalCapped: result.totalCapped, nextCursor: result.nextCursor, previousCursor: result.previousCursor, now: result.now } : null,
    filter,
    statuses: params.getAll('status'),
    search: withoutCursor.toString(),
    hasCursor: params.has('cursor'),
    choices: await incidentFilterChoices(acting),
    canCreate: can(acting.actor, { action: 'incident.create' }),
    timeZone: context.timeZone,
  }
  return Object.keys(fieldErrors).length ? data(payload, { status: 400 }) : payload
}

export default function IncidentListPage() {
  const { t, i18n } = useTranslation()
  const { page, filter, statuses, search, hasCursor, choices, canCreate, timeZone } = useLoaderData<typeof loader>()
  const locale = i18n.language
  const vi = locale === 'vi'
  const pageHref = (cursor: string) => {
    const params = new URLSearchParams(search)
    params.set('cursor', cursor)
    return `/incidents?${params.toString()}`
  }
  const exportHref = `/incidents/export.csv${search ? `?${search}` : ''}`
  const any = { value: '', label: t('incidentList.any') }

  return (
    <section className="stack">
      <header className="inline-form">
        <h1>{t('incidentList.title')}</h1>
        {canCreate ? (
          <Link to="/incidents/new" className="button">
            {t('incidentList.newReport')}
          </Link>
        ) : null}
      </header>
      <p className="muted">{t('incidentList.intro')}</p>

      <div className="panel">
        <h2 id="incident-filters">{t('incidentList.filters')}</h2>
        <FormError failure={Object.keys(filter.fieldErrors).length ? filter : null} />
        {filter.fieldErrors.cursor ? (
          <p className="field-error">
            {t('incidentList.errors.cursor')} <Link to={`/incidents${search ? `?${search}` : ''}`}>{t('incidentList.first')}</Link>
          </p>
        ) : null}
        <Form method="get" action="/incidents" className="inline-form" role="search" aria-labelledby="incident-filters">
          <Field name="q" type="search" label={t('incidentList.q')} hint={t('incidentList.qHint')} failure={filter} />
          <SelectField
            name="category"
            label={t('incidentList.category')}
            failure={filter}
            options={[any, ...INCIDENT_CATEGORY_CODES.map((c) => ({ value: c, label: t(`incidentList.categories.${c}`) }))]}
          />
          <SelectField
            name="severity"
            label={t('incidentList.severity')}
            failure={filter}
            options={[any, ...SEVERITIES.map((s) => ({ value: s, label: t(`incidentList.severities.${s}`) }))]}
          />
          <SelectField name="tlp" label={t('incidentList.tlp')} failure={filter} options={[any, ...TLP_LABELS.map((l) => ({ value: l, label: `TLP:${l}` }))]} />
          <SelectField
            name="organisationId"
            label={t('incidentList.organisation')}
            failure={filter}
            options={[any, ...choices.organisations.map((o) => ({ value: o.id, label: o.shortName }))]}
          />
          <SelectField
            name="clusterId"
            label={t('incidentList.cluster')}
            failure={filter}
            options={[any, ...choices.clusters.map((c) => ({ value: c.id, label: vi ? c.nameVi : c.nameEn }))]}
          />
          {/* Plain text rather than a date picker, so that a mistyped date comes back as typed, with its error. */}
          <Field name="from" inputMode="numeric" autoComplete="off" placeholder="YYYY-MM-DD" label={t('incidentList.from')} hint={t('incidentList.dateHint', { zone: timeZone })} failure={filter} />
          <Field name="to" inputMode="numeric" autoComplete="off" placeholder="YYYY-MM-DD" label={t('incidentList.to')} hint={t('incidentList.dateHint', { zone: timeZone })} failure={filter} />
          <SelectField name="sort" label={t('incidentList.sort')} failure={filter} options={INCIDENT_SORTS.map((s) => ({ value: s, label: t(`incidentList.sorts.${s}`) }))} />
          <span className="filter-break" />
          <fieldset className={`status-filter${filter.fieldErrors.status ? ' field--invalid' : ''}`}>
            <legend>{t('incidentList.status')}</legend>
            {INCIDENT_STATUSES.map((s) => (
              <div className="field field--checkbox" key={s}>
                <input id={`field-status-${s}`} type="checkbox" name="status" value={s} defaultChecked={statuses.includes(s)} />
                <label htmlFor={`field-status-${s}`}>{t(`incidentList.statuses.${s}`)}</label>
              </div>
            ))}
            {filter.fieldErrors.status ? <p className="field-error">{t('validation.invalid')}</p> : null}
          </fieldset>
          <CheckboxField name="overdue" label={t('incidentList.overdueOnly')} failure={filter} />
          <CheckboxField name="escalated" label={t('incidentList.escalatedOnly')} failure={filter} />
          <button type="submit">{t('incidentList.apply')}</button>
          <Link to="/incidents" className="button secondary">
            {t('incidentList.reset')}
          </Link>
        </Form>
      </div>

      {page ? (
        <>
          <p className="inline-form">
            <strong data-testid="incident-count">
              {page.totalCapped
                ? t('incidentList.countCapped', { count: page.total })
                : t('incidentList.count', { count: page.total })}
            </strong>
            <a href={exportHref} download>
              {t('incidentList.exportCsv')}
            </a>
            <span className="hint">{t('incidentList.exportHint', { cap: formatNumber(EXPORT_CAP, locale) })}</span>
          </p>
          {page.rows.length === 0 ? (
            <p>{t('incidentList.empty')}</p>
          ) : (
            <div className="table-wrap">
              <table aria-label={t('incidentList.caption')}>
                <thead>
                  <tr>
                    <th scope="col">{t('incidentList.columns.reference')}</th>
                    <th scope="col">{t('incidentList.columns.title')}</th>
                    <th scope="col">{t('incidentList.columns.organisation')}</th>
                    <th scope="col">{t('incidentList.columns.category')}</th>
                    <th scope="col">{t('incidentList.columns.severity')}</th>
                    <th scope="col">{t('incidentList.columns.tlp')}</th>
                    <th scope="col">{t('incidentList.columns.status')}</th>
                    <th scope="col">{t('incidentList.columns.age')}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.rows.map((row) => {
                    const age = ageOf(row.submittedAt ?? row.createdAt, page.now)
                    const overdueKinds = [
                      row.overdueNotification ? 'notification' : null,
                      row.overdueAcknowledgement ? 'acknowledgement' : null,
                      row.overdueClosureReport ? 'closureReport' : null,
                    ].filter((k): k is string => k !== null)
                    return (
                      <tr key={row.id} data-incident-id={row.id}>
                        <td>
                          <Link to={`/incidents/${row.id}`} className="incident-ref">
                            <code>{row.reference}</code>
                          </Link>
                        </td>
                        <td>{row.title}</td>
                        <td>{row.reportingOrganisationName}</td>
                        <td>{t(`incidentList.categories.${row.category}`, { defaultValue: row.category })}</td>
                        <td>{t(`incidentList.severities.${row.severity}`)}</td>
                        <td>
                          <span className={tlpClass(row.tlp)}>TLP:{row.tlp}</span>
                        </td>
                        <td>
                          {t(`incidentList.statuses.${row.status}`)}
                          {row.escalatedAt ? (
                            <>
                              {' '}
                              <span className="badge badge--lead">{t('incidentList.escalated')}</span>
                            </>
                          ) : null}
                          {overdueKinds.length ? (
                            <div>
                              <span className="badge badge--inactive" data-overdue="true">
                                {t('incidentList.overdue')}
                              </span>
                              {overdueKinds.map((k) => (
                                <span key={k} className="overdue-kind">
                                  {t(`incidentList.overdueKinds.${k}`)}
                                </span>
                              ))}
                            </div>
                          ) : null}
                        </td>
                        <td>{age ? t(age.key, { count: age.count }) : '—'}</td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          )}
          {page.previousCursor || page.nextCursor || hasCursor ? (
            <nav aria-label={t('incidentList.pagination')}>
              <p className="inline-form">
                {hasCursor ? <Link to={`/incidents${search ? `?${search}` : ''}`}>{t('incidentList.first')}</Link> : null}
                {page.previousCursor ? (
                  <Link to={pageHref(page.previousCursor)} rel="prev">
                    {t('incidentList.previous')}
                  </Link>
                ) : null}
                {page.nextCursor ? (
                  <Link to={pageHref(page.nextCursor)} rel="next">
                    {t('incidentList.next')}
                  </Link>
                ) : null}
              </p>
            </nav>
          ) : null}
        </>
      ) : null}
    </section>
  )
}
