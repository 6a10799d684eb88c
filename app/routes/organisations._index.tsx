import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CheckboxField, Field, SelectField } from '../components/form.tsx'
import { requireActing } from '../lib/route.server.ts'
import { DIRECTORY_PAGE, listOrganisations, parseOrganisationListFilter } from '../orgs/organisations.server.ts'
import { can } from '../policy/policy.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Tổ chức / Organisations' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const filter = parseOrganisationListFilter(new URL(request.url).searchParams)
  const organisations = await listOrganisations(acting, filter)
  return {
    filter,
    organisations,
    truncated: organisations.length >= DIRECTORY_PAGE,
    canCreate: can(acting.actor, { action: 'organisation.create' }),
  }
}

export default function OrganisationDirectory() {
  const { t, i18n } = useTranslation()
  const { filter, organisations, truncated, canCreate } = useLoaderData<typeof loader>()
  const vi = i18n.language === 'vi'
  return (
    <section className="stack">
      <h1>{t('orgs.directory.title')}</h1>
      <p className="muted">{t('orgs.directory.intro')}</p>
      {canCreate ? (
        <p>
          <Link className="button" to="/organisations/new">
            {t('orgs.directory.create')}
          </Link>
        </p>
      ) : null}
      <div className="panel">
        <Form method="get" role="search" aria-label={t('orgs.directory.searchLabel')} className="inline-form">
          <Field name="q" type="search" label={t('orgs.directory.q')} defaultValue={filter.q ?? ''} maxLength={100} />
          <SelectField
            name="kind"
            label={t('orgs.fields.kind')}
            defaultValue={filter.kind ?? ''}
            options={[
              { value: '', label: t('orgs.directory.allKinds') },
              { value: 'national_cert', label: t('kinds.national_cert') },
              { value: 'member', label: t('kinds.member') },
            ]}
          />
          <CheckboxField name="inactive" label={t('orgs.directory.showInactive')} defaultChecked={filter.includeInactive} />
          <button type="submit">{t('actions.search')}</button>
        </Form>
      </div>
      <p role="status">
        {t('orgs.directory.count', { count: organisations.length })}
        {truncated ? ` ${t('orgs.directory.truncated')}` : null}
      </p>
      {organisations.length === 0 ? (
        <p className="notice">{t('orgs.directory.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="muted">{t('orgs.directory.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('orgs.fields.shortName')}</th>
                <th scope="col">{t('orgs.fields.name')}</th>
                <th scope="col">{t('orgs.fields.kind')}</th>
                <th scope="col">{t('orgs.fields.province')}</th>
                <th scope="col">{t('orgs.directory.clusters')}</th>
                <th scope="col">{t('orgs.fields.status')}</th>
              </tr>
            </thead>
            <tbody>
              {organisations.map((o) => (
                <tr key={o.id}>
                  <td>
                    <Link to={`/organisations/${o.id}`}>{o.shortName}</Link>
                  </td>
                  <td>
                    {vi ? o.nameVi : o.nameEn}
                    <br />
                    <span className="muted" lang={vi ? 'en' : 'vi'}>
                      {vi ? o.nameEn : o.nameVi}
                    </span>
                  </td>
                  <td>
                    <span className={o.kind === 'national_cert' ? 'badge badge--lead' : 'badge'}>{t(`kinds.${o.kind}`)}</span>
                  </td>
                  <td>{(vi ? o.provinceNameVi : o.provinceNameEn) ?? <span className="muted">{t('orgs.none')}</span>}</td>
                  <td>
                    {o.clusters.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      <ul className="plain-list">
                        {o.clusters.map((c) => (
                          <li key={c.id}>
                            <Link to={`/clusters/${c.id}`}>{vi ? c.nameVi : c.nameEn}</Link>
                            {c.officerRole ? (
                              <>
                                {' '}
                                <span className="badge badge--lead">{t(`officerRoles.${c.officerRole}`)}</span>
                              </>
                            ) : null}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    {o.active ? (
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
