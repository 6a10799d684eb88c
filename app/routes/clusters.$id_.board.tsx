import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { clusterBoard, OVERDUE_LIST_LIMIT } from '../incidents/board.server.ts'
import { ageOf, tlpClass } from '../incidents/finding.ts'
import { OPEN_STATUSES } from '../incidents/lifecycle.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'
import listStyles from '../styles/incident-list.css?url'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: listStyles }]

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `CSIRT Net — ${data.cluster.nameVi} / ${data.cluster.nameEn}` : 'CSIRT Net — Bảng điều phối / Cluster board' },
]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await clusterBoard(acting, params.id ?? '')), overdueLimit: OVERDUE_LIST_LIMIT }
  } catch (error) {
    loaderFailure(error)
  }
}

export default function ClusterBoardPage() {
  const { t, i18n } = useTranslation()
  const { cluster, members, cells, overdue, now, overdueLimit } = useLoaderData<typeof loader>()
  const name = i18n.language === 'vi' ? cluster.nameVi : cluster.nameEn
  const cell = (organisationId: string, status: string) => cells.find((c) => c.organisationId === organisationId && c.status === status)
  const openQuery = OPEN_STATUSES.map((s) => `status=${s}`).join('&')

  return (
    <section className="stack">
      <p>
        <Link to={`/clusters/${cluster.id}`}>← {t('incidentList.board.backToCluster')}</Link>
      </p>
      <h1>{t('incidentList.board.title', { cluster: name })}</h1>
      <p className="muted">{t('incidentList.board.intro')}</p>
      <p>
        <Link to={`/incidents?clusterId=${cluster.id}&${openQuery}`}>{t('incidentList.board.listLink')}</Link>
      </p>

      {members.length === 0 ? (
        <p>{t('incidentList.board.noMembers')}</p>
      ) : (
        <div className="table-wrap">
          <table aria-label={t('incidentList.board.caption')}>
            <thead>
              <tr>
                <th scope="col">{t('incidentList.board.member')}</th>
                {OPEN_STATUSES.map((s) => (
                  <th scope="col" key={s}>
                    {t(`incidentList.statuses.${s}`)}
                  </th>
                ))}
                <th scope="col">{t('incidentList.board.total')}</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const total = OPEN_STATUSES.reduce((n, s) => n + (cell(m.organisationId, s)?.count ?? 0), 0)
                return (
                  <tr key={m.organisationId} data-organisation-id={m.organisationId}>
                    <th scope="row">{m.shortName}</th>
                    {OPEN_STATUSES.map((s) => {
                      const c = cell(m.organisationId, s)
                      if (!c) return <td key={s} className="muted">0</td>
                      const age = ageOf(c.oldestSince, now)
                      const status = t(`incidentList.statuses.${s}`)
                      return (
                        <td key={s} data-status={s} data-count={c.count}>
                          <Link
                            to={`/incidents?organisationId=${m.organisationId}&status=${s}&sort=oldest`}
                            aria-label={t('incidentList.board.openLink', { count: c.count, status, organisation: m.shortName })}
                          >
                            {c.count}
                          </Link>
                          {age ? <div className="hint">{t('incidentList.board.oldest', { age: t(age.key, { count: age.count }) })}</div> : null}
                        </td>
                      )
                    })}
                    <td>{total}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}

      <h2>{t('incidentList.board.overdueTitle')}</h2>
      {overdue.length === 0 ? (
        <p>{t('incidentList.board.noOverdue')}</p>
      ) : (
        <>
          <ul className="plain-list" data-testid="overdue-list">
            {overdue.map((row) => {
              const kinds = [
                row.overdueNotification ? 'notification' : null,
                row.overdueAcknowledgement ? 'acknowledgement' : null,
                row.overdueClosureReport ? 'closureReport' : null,
              ].filter((k): k is string => k !== null)
              return (
                <li key={row.id}>
                  <Link to={`/incidents/${row.id}`} className="incident-ref">
                    <code>{row.reference}</code>
                  </Link>{' '}
                  {row.title} · {row.reportingOrganisationName} · <span className={tlpClass(row.tlp)}>TLP:{row.tlp}</span>{' '}
                  <span className="badge badge--inactive">{t('incidentList.overdue')}</span>{' '}
                  <span className="overdue-kind">{kinds.map((k) => t(`incidentList.overdueKinds.${k}`)).join('; ')}</span>
                </li>
              )
            })}
          </ul>
          {overdue.length >= overdueLimit ? <p className="hint">{t('incidentList.board.overdueLimit', { count: overdueLimit })}</p> : null}
        </>
      )}
    </section>
  )
}
