import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CheckboxField, Field, FormError, SelectField, isFailure } from '../components/form.tsx'
import { canViewClusterBoard } from '../incidents/board.server.ts'
import { formatDate } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject, type FormFailure } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'
import {
  addClusterMember,
  assignClusterOfficer,
  endClusterMembership,
  endClusterOfficerTerm,
  getCluster,
  removeClusterOfficerTerm,
  updateCluster,
} from '../orgs/clusters.server.ts'
import { organisationOptions } from '../orgs/organisations.server.ts'
import { can } from '../policy/policy.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `CSIRT Net — ${data.cluster.nameVi} / ${data.cluster.nameEn}` : 'CSIRT Net — Cụm / Cluster' },
]

const DONE = ['created', 'updated', 'memberAdded', 'memberEnded', 'officerAssigned', 'termEnded', 'termRemoved'] as const

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const url = new URL(request.url)
  try {
    const detail = await getCluster(acting, params.id ?? '')
    const canManage = can(acting.actor, { action: 'cluster.manage' })
    const taken = new Set([...detail.members, ...detail.upcomingMembers].map((m) => m.organisationId))
    return {
      ...detail,
      canManage,
      canViewBoard: canViewClusterBoard(acting.actor, detail.cluster.id),
      addableOrganisations: canManage ? (await organisationOptions(acting)).filter((o) => !taken.has(o.id)) : [],
      done: DONE.find((d) => d === url.searchParams.get('done')) ?? null,
    }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const id = params.id ?? ''
  const form = await request.formData()
  const input = formToObject(form)
  const back = (done: (typeof DONE)[number]) => redirect(`/clusters/${id}?done=${done}`)
  try {
    switch (form.get('intent')) {
      case 'update':
        await updateCluster(acting, id, input)
        return back('updated')
      case 'addMember':
        await addClusterMember(acting, id, input)
        return back('memberAdded')
      case 'endMember':
        await endClusterMembership(acting, id, input)
        return back('memberEnded')
      case 'assignOfficer':
        await assignClusterOfficer(acting, id, input)
        return back('officerAssigned')
      case 'endTerm':
        await endClusterOfficerTerm(acting, id, input)
        return back('termEnded')
      case 'removeTerm':
        await removeClusterOfficerTerm(acting, id, input.termId)
        return back('termRemoved')
      default:
        throw new DomainError('validation')
    }
  } catch (error) {
    return failure(error, form)
  }
}

const statusBadge = (status: 'past' | 'current' | 'future') =>
  status === 'current' ? 'badge badge--lead' : status === 'past' ? 'badge badge--inactive' : 'badge'

export default function ClusterPage() {
  const { t, i18n } = useTranslation()
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const failedFor = (intent: string): FormFailure | null => (failed?.values.intent === intent ? failed : null)
  const known = ['update', 'addMember', 'endMember', 'assignOfficer', 'endTerm']
  const otherFailure = failed && !known.includes(failed.values.intent ?? '') ? failed : null
  const { cluster, members, terms, today } = data
  const vi = i18n.language === 'vi'
  const locale = i18n.language
  const pick = (a: { nameVi: string; nameEn: string }) => (vi ? a.nameVi : a.nameEn)
  const current = (role: 'lead' | 'deputy') => terms.find((x) => x.role === role && x.status === 'current')
  const openTerms = terms.filter((x) => x.status !== 'past')
  const officerCandidates = members.filter((m) => m.active)
  const endable = [...members, ...data.upcomingMembers]

  return (
    <section className="stack">
      <p>
        <Link to="/clusters">← {t('orgs.clusterList.title')}</Link>
      </p>
      <header>
        <h1>
          {pick(cluster)} {cluster.active ? null : <span className="badge badge--inactive">{t('orgs.status.inactive')}</span>}
        </h1>
        <p className="muted" lang={vi ? 'en' : 'vi'}>
          {vi ? cluster.nameEn : cluster.nameVi}
        </p>
      </header>
      {data.canViewBoard ? (
        <p>
          <Link to={`/clusters/${cluster.id}/board`}>{t('incidentList.board.title', { cluster: pick(cluster) })}</Link>
        </p>
      ) : null}
      {data.done ? (
        <p role="status" className="notice">
          {t(`orgs.clusterDone.${data.done}`)}
        </p>
      ) : null}
      <FormError failure={otherFailure} />

      <div className="panel">
        <h2>{t('orgs.clusterDetail.summary')}</h2>
        <dl className="facts">
          <dt>{t('orgs.clusterFields.code')}</dt>
          <dd>
            <code>{cluster.code}</code>
          </dd>
          <dt>{t('orgs.clusterFields.foundedOn')}</dt>
          <dd>{formatDate(cluster.foundedOn, locale)}</dd>
          {(['lead', 'deputy'] as const).map((role) => {
            const o = current(role)
            return [
              <dt key={`${role}-t`}>{t(`officerRoles.${role}`)}</dt>,
              <dd key={`${role}-d`}>
                {o ? (
                  <>
                    <Link to={`/organisations/${o.organisationId}`}>{o.shortName}</Link>{' '}
                    <span className="muted">
                      ({formatDate(o.termStart, locale)} – {formatDate(o.termEnd, locale)})
                    </span>
                  </>
                ) : (
                  <span className="muted">{t('orgs.clusterList.vacant')}</span>
                )}
              </dd>,
            ]
          })}
          <dt>{t('orgs.clusterList.members')}</dt>
          <dd>{members.length}</dd>
          {cluster.description ? (
            <>
              <dt>{t('orgs.clusterFields.description')}</dt>
              <dd>{cluster.description}</dd>
            </>
          ) : null}
        </dl>
        <p className="hint">{t('orgs.clusterDetail.asOf', { date: formatDate(today, locale) })}</p>
      </div>

      <div className="panel">
        <h2>{t('orgs.clusterDetail.members')}</h2>
        {members.length === 0 ? (
          <p className="muted">{t('orgs.clusterDetail.noMembers')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('orgs.fields.shortName')}</th>
                  <th scope="col">{t('orgs.fields.name')}</th>
                  <th scope="col">{t('orgs.clusters.since')}</th>
                  <th scope="col">{t('orgs.clusters.role')}</th>
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <tr key={m.id}>
                    <td>
                      <Link to={`/organisations/${m.organisationId}`}>{m.shortName}</Link>{' '}
                      {m.active ? null : <span className="badge badge--inactive">{t('orgs.status.inactive')}</span>}
                    </td>
                    <td>{pick(m)}</td>
                    <td>
                      {formatDate(m.since, locale)}
                      {m.until ? <span className="muted"> – {formatDate(m.until, locale)}</span> : null}
                    </td>
                    <td>
                      {m.officerRole ? <span className="badge badge--lead">{t(`officerRoles.${m.officerRole}`)}</span> : t('officerRoles.member')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data.upcomingMembers.length > 0 || data.formerMembers.length > 0 ? (
          <>
            <h3>{t('orgs.clusterDetail.otherMembers')}</h3>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('orgs.fields.shortName')}</th>
                    <th scope="col">{t('orgs.clusters.since')}</th>
                    <th scope="col">{t('orgs.clusters.until')}</th>
                    <th scope="col">{t('orgs.fields.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...data.upcomingMembers, ...data.formerMembers].map((m) => (
                    <tr key={m.id}>
                      <td>
                        <Link to={`/organisations/${m.organisationId}`}>{m.shortName}</Link>
                      </td>
                      <td>{formatDate(m.since, locale)}</td>
                      <td>{formatDate(m.until, locale)}</td>
                      <td>
                        <span className={statusBadge(m.status)}>{t(`orgs.membershipStatus.${m.status}`)}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
      </div>

      <div className="panel">
        <h2>{t('orgs.clusterDetail.officers')}</h2>
        <p className="hint">{t('orgs.clusterDetail.officersHint')}</p>
        {terms.length === 0 ? (
          <p className="muted">{t('orgs.clusterDetail.noTerms')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('orgs.clusters.termStart')}</th>
                  <th scope="col">{t('orgs.clusters.termEnd')}</th>
                  <th scope="col">{t('orgs.clusters.role')}</th>
                  <th scope="col">{t('orgs.clusters.organisation')}</th>
                  <th scope="col">{t('orgs.fields.status')}</th>
                  {data.canManage ? <th scope="col">{t('orgs.actionsColumn')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {terms.map((term) => (
                  <tr key={term.id}>
                    <td>{formatDate(term.termStart, locale)}</td>
                    <td>{formatDate(term.termEnd, locale)}</td>
                    <td>{t(`officerRoles.${term.role}`)}</td>
                    <td>
                      <Link to={`/organisations/${term.organisationId}`}>{term.shortName}</Link>
                    </td>
                    <td>
                      <span className={statusBadge(term.status)}>{t(`orgs.termStatus.${term.status}`)}</span>
                    </td>
                    {data.canManage ? (
                      <td>
                        {term.status === 'future' ? (
                          <Form method="post">
                            <input type="hidden" name="intent" value="removeTerm" />
                            <input type="hidden" name="termId" value={term.id} />
                            <button type="submit" className="danger" aria-label={`${t('orgs.clusterManage.removeTerm')}: ${term.shortName}`}>
                              {t('orgs.clusterManage.removeTerm')}
                            </button>
                          </Form>
                        ) : (
                          '—'
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>

      {data.canManage ? (
        <>
          <div className="panel">
            <h2>{t('orgs.clusterManage.assignTitle')}</h2>
            <p className="hint">{t('orgs.clusterManage.assignHint')}</p>
            <Form method="post" noValidate>
              <FormError failure={failedFor('assignOfficer')} />
              <input type="hidden" name="intent" value="assignOfficer" />
              <SelectField
                name="officerOrganisationId"
                label={t('orgs.clusters.organisation')}
                defaultValue=""
                failure={failedFor('assignOfficer')}
                options={[{ value: '', label: t('orgs.clusterManage.chooseMember') }, ...officerCandidates.map((m) => ({ value: m.organisationId, label: m.shortName }))]}
              />
              <SelectField
                name="role"
                label={t('orgs.clusters.role')}
                defaultValue="lead"
                failure={failedFor('assignOfficer')}
                options={[
                  { value: 'lead', label: t('officerRoles.lead') },
                  { value: 'deputy', label: t('officerRoles.deputy') },
                ]}
              />
              <div className="inline-form">
                <Field name="termStart" type="date" label={t('orgs.clusters.termStart')} required failure={failedFor('assignOfficer')} />
                <Field name="termEnd" type="date" label={t('orgs.clusters.termEnd')} required failure={failedFor('assignOfficer')} />
              </div>
              <p>
                <button type="submit">{t('orgs.clusterManage.assign')}</button>
              </p>
            </Form>
          </div>

          {openTerms.length > 0 ? (
            <div className="panel">
              <h2>{t('orgs.clusterManage.endTermTitle')}</h2>
              <p className="hint">{t('orgs.clusterManage.endTermHint')}</p>
              <Form method="post" noValidate>
                <FormError failure={failedFor('endTerm')} />
                <input type="hidden" name="intent" value="endTerm" />
                <SelectField
                  name="termId"
                  label={t('orgs.clusters.term')}
                  defaultValue=""
                  failure={failedFor('endTerm')}
                  options={[
                    { value: '', label: t('orgs.clusterManage.chooseTerm') },
                    ...openTerms.map((x) => ({
                      value: x.id,
                      label: `${t(`officerRoles.${x.role}`)}: ${x.shortName} (${formatDate(x.termStart, locale)} – ${formatDate(x.termEnd, locale)})`,
                    })),
                  ]}
                />
                <Field name="newTermEnd" type="date" label={t('orgs.clusterManage.newTermEnd')} required defaultValue={today} failure={failedFor('endTerm')} />
                <button type="submit">{t('orgs.clusterManage.endTerm')}</button>
              </Form>
            </div>
          ) : null}

          <div className="panel">
            <h2>{t('orgs.clusterManage.addMemberTitle')}</h2>
            <Form method="post" noValidate>
              <FormError failure={failedFor('addMember')} />
              <input type="hidden" name="intent" value="addMember" />
              <SelectField
                name="memberOrganisationId"
                label={t('orgs.clusters.organisation')}
                defaultValue=""
                failure={failedFor('addMember')}
                options={[
                  { value: '', label: t('orgs.clusterManage.chooseOrganisation') },
                  ...data.addableOrganisations.map((o) => ({ value: o.id, label: `${o.shortName} — ${pick(o)}` })),
                ]}
              />
              <Field name="since" type="date" label={t('orgs.clusters.since')} required defaultValue={today} failure={failedFor('addMember')} />
              <button type="submit">{t('orgs.clusterManage.addMember')}</button>
            </Form>
          </div>

          {endable.length > 0 ? (
            <div className="panel">
              <h2>{t('orgs.clusterManage.endMemberTitle')}</h2>
              <p className="hint">{t('orgs.clusterManage.endMemberHint')}</p>
              <Form method="post" noValidate>
                <FormError failure={failedFor('endMember')} />
                <input type="hidden" name="intent" value="endMember" />
                <SelectField
                  name="membershipId"
                  label={t('orgs.clusters.organisation')}
                  defaultValue=""
                  failure={failedFor('endMember')}
                  options={[
                    { value: '', label: t('orgs.clusterManage.chooseMember') },
                    ...endable.map((m) => ({ value: m.id, label: `${m.shortName} (${t('orgs.clusters.since')} ${formatDate(m.since, locale)})` })),
                  ]}
                />
                <Field name="until" type="date" label={t('orgs.clusters.until')} required defaultValue={today} failure={failedFor('endMember')} />
                <button type="submit" className="danger">
                  {t('orgs.clusterManage.endMember')}
                </button>
              </Form>
            </div>
          ) : null}

          <div className="panel">
            <h2>{t('orgs.clusterManage.editTitle')}</h2>
            <Form method="post" noValidate>
              <FormError failure={failedFor('update')} />
              <input type="hidden" name="intent" value="update" />
              <Field name="nameVi" label={t('orgs.clusterFields.nameVi')} required maxLength={200} lang="vi" defaultValue={cluster.nameVi} failure={failedFor('update')} />
              <Field name="nameEn" label={t('orgs.clusterFields.nameEn')} required maxLength={200} lang="en" defaultValue={cluster.nameEn} failure={failedFor('update')} />
              <Field name="foundedOn" type="date" label={t('orgs.clusterFields.foundedOn')} defaultValue={cluster.foundedOn} failure={failedFor('update')} />
              <Field name="description" label={t('orgs.clusterFields.description')} maxLength={2000} defaultValue={cluster.description} failure={failedFor('update')} />
              <CheckboxField name="active" label={t('orgs.clusterFields.active')} defaultChecked={cluster.active} failure={failedFor('update')} />
              <button type="submit">{t('actions.save')}</button>
            </Form>
          </div>
        </>
      ) : null}
    </section>
  )
}
