import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { TlpBadge } from '../components/triage.tsx'
import { INDICATOR_EXPORT_CAP } from '../iocs/export.server.ts'
import { listIndicators, lookupIndicators, mayShareIndicators } from '../iocs/indicators.server.ts'
import { mayManageWarninglists } from '../iocs/warninglists.server.ts'
import { defang, type IndicatorType } from '../iocs/types.ts'
import { formatDateTime, formatNumber } from '../lib/dates.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Chỉ dấu / Indicators' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const q = (new URL(request.url).searchParams.get('q') ?? '').slice(0, 2048).trim()
  try {
    const [recent, lookup] = await Promise.all([listIndicators(acting, { limit: 100 }), q ? lookupIndicators(acting, q) : Promise.resolve(null)])
    return { recent, q, lookup, mayShare: mayShareIndicators(acting), mayManageWarninglists: mayManageWarninglists(acting), exportCap: INDICATOR_EXPORT_CAP, timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export default function IndicatorsPage() {
  const { t, i18n } = useTranslation()
  const data = useLoaderData<typeof loader>()
  const shown = (type: string, value: string) => defang(type as IndicatorType, value)
  return (
    <section className="stack">
      <h1>{t('iocs.list.title')}</h1>
      <p>{t('iocs.list.intro')}</p>
      <p className="inline-form">
        <a href="/indicators/export.csv" download>
          {t('iocs.list.exportCsv')}
        </a>{' '}
        <a href="/indicators/export.json" download>
          {t('iocs.list.exportStix')}
        </a>
        <span className="hint">{t('iocs.list.exportHint', { cap: formatNumber(data.exportCap, i18n.language) })}</span>
      </p>
      {data.mayShare || data.mayManageWarninglists ? (
        <p className="inline-form">
          {data.mayShare ? <Link to="/indicators/new">{t('iocs.list.share')}</Link> : null}
          {data.mayShare ? <Link to="/indicators/paste">{t('iocs.list.paste')}</Link> : null}
          {data.mayShare ? <Link to="/indicators/import">{t('iocs.import.link')}</Link> : null}
          {data.mayManageWarninglists ? <Link to="/admin/warninglists">{t('iocs.warninglistAdmin.title')}</Link> : null}
        </p>
      ) : null}

      <div className="panel">
        <h2>{t('iocs.list.lookup')}</h2>
        <Form method="get" className="inline-form">
          <label htmlFor="lookup-q">{t('iocs.list.lookupLabel')}</label>
          <input id="lookup-q" name="q" type="search" maxLength={2048} defaultValue={data.q} />
          <button type="submit">{t('iocs.list.lookupSubmit')}</button>
        </Form>
        {data.lookup ? (
          data.lookup.reason ? (
            <p role="alert" className="form-error">
              {t('iocs.list.lookupInvalid', { reason: t(`iocs.validation.${data.lookup.reason}`) })}
            </p>
          ) : data.lookup.matches.length === 0 ? (
            <p className="muted">{t('iocs.list.lookupNone')}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="muted">{t('iocs.list.lookupCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('iocs.fields.value')}</th>
                    <th scope="col">{t('iocs.fields.type')}</th>
                    <th scope="col">{t('iocs.fields.match')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.lookup.matches.map((m) => (
                    <tr key={m.id}>
                      <td>
                        <Link to={`/indicators/${m.id}`}>
                          <code>{shown(m.type, m.value)}</code>
                        </Link>{' '}
                        <TlpBadge tlp={m.tlp} />
                      </td>
                      <td>{t(`iocs.types.${m.type}`)}</td>
                      <td>{t(`iocs.list.match.${m.match}`)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        ) : null}
      </div>

      <div className="panel">
        {data.recent.length === 0 ? (
          <p className="muted">{t('iocs.list.empty')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="muted">{t('iocs.list.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('iocs.fields.value')}</th>
                  <th scope="col">{t('iocs.fields.type')}</th>
                  <th scope="col">{t('iocs.fields.source')}</th>
                  <th scope="col">{t('iocs.fields.createdAt')}</th>
                </tr>
              </thead>
              <tbody>
                {data.recent.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <Link to={`/indicators/${r.id}`}>
                        <code>{shown(r.type, r.value)}</code>
                      </Link>{' '}
                      <TlpBadge tlp={r.tlp} />
                    </td>
                    <td>{t(`iocs.types.${r.type}`)}</td>
                    <td>{r.organisationName}</td>
                    <td>{formatDateTime(r.createdAt, i18n.language, data.timeZone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  )
}
