import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { formatDate } from '../lib/dates.ts'
import { requireActing } from '../lib/route.server.ts'
import { listClusters } from '../orgs/clusters.server.ts'
import { can } from '../policy/policy.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Cụm / Clusters' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  return { ...(await listClusters(acting)), canManage: can(acting.actor, { action: 'cluster.manage' }) }
}

export default function ClusterList() {
  const { t, i18n } = useTranslation()
  const { clusters, today, canManage } = useLoaderData<typeof loader>()
  const vi = i18n.language === 'vi'
  const locale = i18n.language
  return (
    <section className="stack">
      <h1>{t('orgs.clusterList.title')}</h1>
      <p className="muted">{t('orgs.clusterList.intro', { date: formatDate(today, locale) })}</p>
      {canManage ? (
        <p>
          <Link className="button" to="/clusters/new">
            {t('orgs.clusterList.create')}
          </Link>
        </p>
      ) : null}
      {clusters.length === 0 ? (
        <p className="notice">{t('orgs.clusterList.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('orgs.clusterFields.name')}</th>
                <th scope="col">{t('officerRoles.lead')}</th>
                <th scope="col">{t('officerRoles.deputy')}</th>
                <th scope="col">{t('orgs.clusterList.members')}</th>
                <th scope="col">{t('orgs.fields.status')}</th>
              </tr>
            </thead>
            <tbody>
              {clusters.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/clusters/${c.id}`}>{vi ? c.nameVi : c.nameEn}</Link>
                    <br />
                    <code className="muted">{c.code}</code>
                  </td>
                  {([c.lead, c.deputy] as const).map((officer, i) => (
                    <td key={i}>
                      {officer ? (
                        <>
                          <Link to={`/organisations/${officer.organisationId}`}>{officer.shortName}</Link>
                          <br />
                          <span className="muted">{t('orgs.clusterList.until', { date: formatDate(officer.termEnd, locale) })}</span>
                        </>
                      ) : (
                        <span className="muted">{t('orgs.clusterList.vacant')}</span>
                      )}
                    </td>
                  ))}
                  <td>{c.memberCount}</td>
                  <td>
                    {c.active ? (
                      <span className="badge">{t('orgs.status.active')}</span>
                    ) : (
                      <span className="badge badge--inactive">{t('orgs.status.inactive')}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
