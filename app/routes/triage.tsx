import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Age, TlpBadge } from '../components/triage.tsx'
import { listTriageQueue } from '../incidents/escalation.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Phân loại / Triage' }]

const DONE = ['accepted', 'declined', 'asked'] as const

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const url = new URL(request.url)
  try {
    return {
      ...(await listTriageQueue(acting)),
      done: DONE.find((d) => d === url.searchParams.get('done')) ?? null,
      now: acting.services.now().toISOString(),
      timeZone: context.timeZone,
    }
  } catch (error) {
    loaderFailure(error)
  }
}

export default function TriageQueuePage() {
  const { t, i18n } = useTranslation()
  const data = useLoaderData<typeof loader>()
  const locale = i18n.language
  return (
    <section className="stack">
      <h1>{t('triage.queue.title')}</h1>
      <p>{t('triage.queue.intro')}</p>
      {data.done ? (
        <p role="status" className="notice">
          {t(`triage.queue.done.${data.done}`)}
        </p>
      ) : null}

      <div className="panel">
        <h2>{t('triage.queue.waiting')}</h2>
        {data.waiting.length === 0 ? (
          <p className="muted">{t('triage.queue.emptyWaiting')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="muted">{t('triage.queue.waitingCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('triage.fields.reference')}</th>
                  <th scope="col">{t('triage.fields.title')}</th>
                  <th scope="col">{t('triage.fields.reportingOrganisation')}</th>
                  <th scope="col">{t('triage.fields.urgency')}</th>
                  <th scope="col">{t('triage.fields.age')}</th>
                  <th scope="col">{t('triage.fields.triageStatus')}</th>
                </tr>
              </thead>
              <tbody>
                {data.waiting.map((row) => (
                  <tr key={row.id}>
                    <td>
                      <Link to={`/incidents/${row.id}/triage`}>{row.reference}</Link> <TlpBadge tlp={row.tlp} />
                    </td>
                    <td>{row.title}</td>
                    <td>{row.reportingOrganisation}</td>
                    <td>
                      <span className={row.escalationUrgency === 'normal' ? 'badge' : 'badge badge--inactive'}>
                        {t(`triage.urgency.${row.escalationUrgency ?? 'normal'}`)}
                      </span>
                    </td>
                    <td>
                      <Age since={row.escalatedAt} now={data.now} />
                    </td>
                    <td>{t(`triage.status.${row.triageStatus ?? 'none'}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>

      <div className="panel">
        <h2>{t('triage.queue.decided')}</h2>
        {data.decided.length === 0 ? (
          <p className="muted">{t('triage.queue.emptyDecided')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="muted">{t('triage.queue.decidedCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('triage.fields.reference')}</th>
                  <th scope="col">{t('triage.fields.title')}</th>
                  <th scope="col">{t('triage.fields.reportingOrganisation')}</th>
                  <th scope="col">{t('triage.fields.triageStatus')}</th>
                  <th scope="col">{t('triage.fields.triagedAt')}</th>
                </tr>
              </thead>
              <tbody>
                {data.decided.map((row) => (
                  <tr key={row.id}>
                    <td>
                      <Link to={`/incidents/${row.id}/triage`}>{row.reference}</Link> <TlpBadge tlp={row.tlp} />
                    </td>
                    <td>{row.title}</td>
                    <td>{row.reportingOrganisation}</td>
                    <td>
                      {t(`triage.status.${row.triageStatus ?? 'none'}`)}
                      {row.triageClassification === 'serious' ? (
                        <>
                          {' '}
                          <span className="badge badge--inactive">{t('triage.classification.serious')}</span>
                        </>
                      ) : null}
                    </td>
                    <td>{formatDateTime(row.triagedAt, locale, data.timeZone)}</td>
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
