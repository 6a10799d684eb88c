import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { myClusters } from '../orgs/clusters.server.ts'
import { requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  if (!context.auth) return { signedIn: false as const }
  const acting = requireActing(context, request)
  return { signedIn: true as const, user: acting.auth.user, clusters: await myClusters(acting) }
}

export default function Index() {
  const data = useLoaderData<typeof loader>()
  const { t, i18n } = useTranslation()
  if (!data.signedIn) {
    return (
      <section className="panel narrow">
        <h1>{t('appName')}</h1>
        <p>{t('home.anonymousIntro')}</p>
        <p>
          <Link className="button" to="/login">
            {t('nav.login')}
          </Link>
        </p>
      </section>
    )
  }
  const vi = i18n.language === 'vi'
  return (
    <section>
      <h1>{t('home.welcome', { name: data.user.name })}</h1>
      <p>{t('home.signedInAs', { role: t(`roles.${data.user.role}`), organisation: data.user.organisationName })}</p>
      <h2>{t('home.clusters')}</h2>
      {data.clusters.length === 0 ? (
        <p>{t('home.noClusters')}</p>
      ) : (
        <ul className="plain-list">
          {data.clusters.map((c) => (
            <li key={c.id}>
              <Link to={`/clusters/${c.id}`}>{vi ? c.nameVi : c.nameEn}</Link>
              {c.officerRole ? ` — ${t('home.officer', { role: t(`officerRoles.${c.officerRole}`), cluster: vi ? c.nameVi : c.nameEn })}` : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
