import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { TlpBadge } from '../components/triage.tsx'
import { listCoordinationRequests } from '../incidents/coordination.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Điều phối / Coordination' }]

const DONE = ['issued'] as const

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const url = new URL(request.url)
  try {
    return {
      ...(await listCoordinationRequests(acting)),
      done: DONE.find((d) => d === url.searchParams.get('done')) ?? null,
      timeZone: context.timeZone,
    }
  } catch (error) {
    loaderFailure(error)
  }
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>['received'][number]

function RequestTable({ rows, caption, showRecipient }: { rows: Row[]; caption: string; showRecipient: boolean }) {
  const { t, i18n } = useTranslation()
  const { timeZone } = useLoaderData<typeof loader>()
  return (
    <div className="table-wrap">
      <table>
        <caption className="muted">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('triage.fields.request')}</th>
            <th scope="col">{t('triage.fields.incident')}</th>
            <th scope="col">{showRecipient ? t('triage.fields.recipient') : t('triage.fields.issuer')}</th>
            <th scope="col">{t('triage.fields.dueAt')}</th>
            <th scope="col">{t('triage.fields.status')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>
                <Link to={`/coordination/${r.id}`}>{r.request.length > 120 ? `${r.request.slice(0, 117)}…` : r.request}</Link>
              </td>
              <td>
                {r.reference ? (
                  <>
                    <Link to={`/incidents/${r.incidentId}`}>{r.reference}</Link> <TlpBadge tlp={r.tlp} />
                  </>
                ) : (
                  <span className="muted">{t('triage.coordination.incidentHidden')}</span>
                )}
              </td>
              <td>{showRecipient ? r.organisation : r.issuingOrganisation}</td>
              <td>
                {formatDateTime(r.dueAt, i18n.language, timeZone)} {r.overdue ? <span className="badge badge--inactive">{t('triage.coordination.overdue')}</span> : null}
              </td>
              <td>
                <span className={r.status === 'answered' ? 'badge' : 'badge badge--lead'}>{t(`triage.coordinationStatus.${r.status}`)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export default function CoordinationPage() {
  const { t } = useTranslation()
  const data = useLoaderData<typeof loader>()
  return (
    <section className="stack">
      <h1>{t('triage.coordination.title')}</h1>
      <p>{t('triage.coordination.intro')}</p>
      {data.done ? (
        <p role="status" className="notice">
          {t(`triage.coordination.done.${data.done}`)}
        </p>
      ) : null}
      <div className="panel">
        <h2>{t('triage.coordination.received')}</h2>
        {data.received.length === 0 ? (
          <p className="muted">{t('triage.coordination.emptyReceived')}</p>
        ) : (
          <RequestTable rows={data.received} caption={t('triage.coordination.receivedCaption')} showRecipient={false} />
        )}
      </div>
      {data.showIssued ? (
        <div className="panel">
          <h2>{t('triage.coordination.issued')}</h2>
          {data.issued.length === 0 ? (
            <p className="muted">{t('triage.coordination.emptyIssued')}</p>
          ) : (
            <RequestTable rows={data.issued} caption={t('triage.coordination.issuedCaption')} showRecipient />
          )}
        </div>
      ) : null}
    </section>
  )
}
