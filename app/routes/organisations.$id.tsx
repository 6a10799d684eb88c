import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CheckboxField, Field, FormError, SelectField, isFailure } from '../components/form.tsx'
import { formatDate, formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject, type FormFailure } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'
import { addContactPoint, removeContactPoint, updateContactPoint } from '../orgs/contacts.server.ts'
import {
  getOrganisation,
  listProvinces,
  mergeOrganisation,
  mergeTargets,
  setOrganisationActive,
  updateOrganisation,
} from '../orgs/organisations.server.ts'
import { can } from '../policy/policy.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `CSIRT Net — ${data.organisation.shortName}` : 'CSIRT Net — Tổ chức / Organisation' },
]

// Outcomes announced after a redirect; only these keys are ever read from the query string.
const DONE = ['created', 'updated', 'deactivated', 'reactivated', 'merged', 'contactAdded', 'contactUpdated', 'contactRemoved'] as const

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const url = new URL(request.url)
  try {
    const detail = await getOrganisation(acting, params.id ?? '')
    const org = detail.organisation
    const permissions = {
      update: can(acting.actor, { action: 'organisation.update', organisationId: org.id }),
      merge: can(acting.actor, { action: 'organisation.merge' }),
      editContacts: can(acting.actor, { action: 'organisation.editContacts', organisationId: org.id }),
    }
    return {
      ...detail,
      permissions,
      provinces: permissions.update ? await listProvinces(acting) : [],
      mergeTargets: permissions.merge && org.active ? await mergeTargets(acting, org) : [],
      editingContactId: detail.contacts.find((c) => c.id === url.searchParams.get('contact'))?.id ?? null,
      done: DONE.find((d) => d === url.searchParams.get('done')) ?? null,
      timeZone: context.timeZone,
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
  const back = (done: (typeof DONE)[number], target = id) => redirect(`/organisations/${target}?done=${done}`)
  try {
    switch (form.get('intent')) {
      case 'update':
        await updateOrganisation(acting, id, input)
        return back('updated')
      case 'deactivate':
        await setOrganisationActive(acting, id, false)
        return back('deactivated')
      case 'reactivate':
        await setOrganisationActive(acting, id, true)
        return back('reactivated')
      case 'merge':
        await mergeOrganisation(acting, id, input)
        return back('merged')
      case 'addContact':
        await addContactPoint(acting, id, input)
        return back('contactAdded')
      case 'updateContact':
        await updateContactPoint(acting, id, input.contactId, input)
        return back('contactUpdated')
      case 'removeContact':
        await removeContactPoint(acting, id, input.contactId)
        return back('contactRemoved')
      default:
        throw new DomainError('validation')
    }
  } catch (error) {
    return failure(error, form)
  }
}

function Website({ url }: { url: string }) {
  // Stored websites are validated as http(s); anything else is shown as text, never as a link.
  return /^https?:\/\//i.test(url) ? (
    <a href={url} rel="noopener noreferrer nofollow" target="_blank">
      {url}
    </a>
  ) : (
    <>{url}</>
  )
}

export default function OrganisationPage() {
  const { t, i18n } = useTranslation()
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const failedFor = (intent: string): FormFailure | null => (failed?.values.intent === intent ? failed : null)
  const { organisation: org, permissions, contacts, history } = data
  const vi = i18n.language === 'vi'
  const locale = i18n.language
  const pick = (a: { nameVi: string; nameEn: string }) => (vi ? a.nameVi : a.nameEn)

  const contactIntent = failed?.values.intent === 'updateContact' ? 'updateContact' : failed?.values.intent === 'addContact' ? 'addContact' : null
  const editingId = contactIntent === 'updateContact' ? (failed?.values.contactId ?? null) : contactIntent === 'addContact' ? null : data.editingContactId
  const editing = contacts.find((c) => c.id === editingId) ?? null
  const contactFailure = contactIntent ? failed : null
  const otherFailure = failed && !contactIntent && !['update', 'merge'].includes(failed.values.intent ?? '') ? failed : null

  return (
    <section className="stack">
      <p>
        <Link to="/organisations">← {t('orgs.directory.title')}</Link>
      </p>
      <header>
        <h1>
          {org.shortName}{' '}
          <span className={org.kind === 'national_cert' ? 'badge badge--lead' : 'badge'}>{t(`kinds.${org.kind}`)}</span>{' '}
          {org.active ? null : <span className="badge badge--inactive">{t('orgs.status.inactive')}</span>}
        </h1>
        <p>
          {pick(org)}
          <br />
          <span className="muted" lang={vi ? 'en' : 'vi'}>
            {vi ? org.nameEn : org.nameVi}
          </span>
        </p>
      </header>

      {data.done ? (
        <p role="status" className="notice">
          {t(`orgs.done.${data.done}`)}
        </p>
      ) : null}
      <FormError failure={otherFailure} />
      {org.mergedInto ? (
        <p className="notice">
          {t('orgs.detail.mergedInto')} <Link to={`/organisations/${org.mergedInto.id}`}>{org.mergedInto.shortName}</Link>
        </p>
      ) : !org.active ? (
        <p className="notice">{t('orgs.detail.inactiveNotice')}</p>
      ) : null}

      <div className="panel">
        <h2>{t('orgs.detail.details')}</h2>
        <dl className="facts">
          <dt>{t('orgs.fields.nameVi')}</dt>
          <dd lang="vi">{org.nameVi}</dd>
          <dt>{t('orgs.fields.nameEn')}</dt>
          <dd lang="en">{org.nameEn}</dd>
          <dt>{t('orgs.fields.shortName')}</dt>
          <dd>{org.shortName}</dd>
          <dt>{t('orgs.fields.slug')}</dt>
          <dd>
            <code>{org.slug}</code>
          </dd>
          <dt>{t('orgs.fields.province')}</dt>
          <dd>{(vi ? org.provinceNameVi : org.provinceNameEn) ?? t('orgs.none')}</dd>
          <dt>{t('orgs.fields.email')}</dt>
          <dd>{org.email ? <a href={`mailto:${org.email}`}>{org.email}</a> : '—'}</dd>
          <dt>{t('orgs.fields.phone')}</dt>
          <dd>{org.phone ?? '—'}</dd>
          <dt>{t('orgs.fields.website')}</dt>
          <dd>{org.website ? <Website url={org.website} /> : '—'}</dd>
          <dt>{t('orgs.fields.status')}</dt>
          <dd>{org.active ? t('orgs.status.active') : org.mergedInto ? t('orgs.status.merged') : t('orgs.status.inactive')}</dd>
          <dt>{t('orgs.fields.updatedAt')}</dt>
          <dd>{formatDateTime(org.updatedAt, locale, data.timeZone)}</dd>
        </dl>
      </div>

      <div className="panel" id="contacts">
        <h2>{t('orgs.contacts.title')}</h2>
        <p className="hint">{t('orgs.contacts.rule')}</p>
        {contacts.length === 0 ? (
          <p className="muted">{t('orgs.contacts.empty')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('orgs.contacts.name')}</th>
                  <th scope="col">{t('orgs.contacts.titleField')}</th>
                  <th scope="col">{t('orgs.fields.email')}</th>
                  <th scope="col">{t('orgs.fields.phone')}</th>
                  <th scope="col">{t('orgs.contacts.availability')}</th>
                  <th scope="col">{t('orgs.contacts.updatedAt')}</th>
                  {permissions.editContacts ? <th scope="col">{t('orgs.actionsColumn')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {contacts.map((c) => (
                  <tr key={c.id}>
                    <td>{c.name}</td>
                    <td>{c.title ?? '—'}</td>
                    <td>{c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : '—'}</td>
                    <td>{c.phone ? <a href={`tel:${c.phone.replace(/[^0-9+]/g, '')}`}>{c.phone}</a> : '—'}</td>
                    <td>
                      {c.available24x7 ? (
                        <span className="badge badge--lead">{t('orgs.contacts.allHours')}</span>
                      ) : (
                        <span className="badge">{t('orgs.contacts.officeHours')}</span>
                      )}
                    </td>
                    <td>{formatDateTime(c.updatedAt, locale, data.timeZone)}</td>
                    {permissions.editContacts ? (
                      <td>
                        <div className="inline-form">
                          <Link className="button secondary" to={`/organisations/${org.id}?contact=${c.id}#contact-form`}>{t('actions.edit')}</Link>
                          <Form method="post">
                            <input type="hidden" name="intent" value="removeContact" />
                            <input type="hidden" name="contactId" value={c.id} />
                            <button type="submit" className="danger" aria-label={`${t('actions.remove')}: ${c.name}`}>
                              {t('actions.remove')}
                            </button>
                          </Form>
                        </div>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {permissions.editContacts ? (
          <div id="contact-form">
            <h3>{editing ? t('orgs.contacts.editTitle', { name: editing.name }) : t('orgs.contacts.addTitle')}</h3>
            <Form method="post" noValidate key={editing?.id ?? 'new'}>
              <FormError failure={contactFailure} />
              <input type="hidden" name="intent" value={editing ? 'updateContact' : 'addContact'} />
              {editing ? <input type="hidden" name="contactId" value={editing.id} /> : null}
              <Field name="contactName" label={t('orgs.contacts.name')} hint={t('orgs.contacts.nameHint')} required maxLength={200} defaultValue={editing?.name} failure={contactFailure} />
              <Field name="contactTitle" label={t('orgs.contacts.titleField')} maxLength={200} defaultValue={editing?.title} failure={contactFailure} />
              <Field name="contactEmail" type="email" label={t('orgs.fields.email')} maxLength={254} defaultValue={editing?.email} failure={contactFailure} />
              <Field name="contactPhone" type="tel" label={t('orgs.fields.phone')} maxLength={40} defaultValue={editing?.phone} failure={contactFailure} />
              <Field
                name="contactPriority"
                type="number"
                min={1}
                max={99}
                label={t('orgs.contacts.priority')}
                hint={t('orgs.contacts.priorityHint')}
                defaultValue={String(editing?.priority ?? 1)}
                failure={contactFailure}
              />
              <CheckboxField name="contact24x7" label={t('orgs.contacts.available24x7')} defaultChecked={editing?.available24x7 ?? false} failure={contactFailure} />
              <div className="inline-form">
                <button type="submit">{editing ? t('actions.save') : t('orgs.contacts.add')}</button>
                {editing ? (
                  <Link className="button secondary" to={`/organisations/${org.id}#contacts`}>
                    {t('actions.cancel')}
                  </Link>
                ) : null}
              </div>
            </Form>
          </div>
        ) : null}
      </div>

      <div className="panel">
        <h2>{t('orgs.detail.clusters')}</h2>
        {data.clusters.length === 0 ? (
          <p className="muted">{t('orgs.detail.noClusters')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('orgs.clusters.cluster')}</th>
                  <th scope="col">{t('orgs.clusters.since')}</th>
                  <th scope="col">{t('orgs.clusters.role')}</th>
                  <th scope="col">{t('orgs.clusters.term')}</th>
                </tr>
              </thead>
              <tbody>
                {data.clusters.map((c) => (
                  <tr key={c.membershipId}>
                    <td>
                      <Link to={`/clusters/${c.clusterId}`}>{pick(c)}</Link>
                    </td>
                    <td>{formatDate(c.since, locale)}</td>
                    <td>
                      {c.officerRole ? (
                        <span className="badge badge--lead">{t(`officerRoles.${c.officerRole}`)}</span>
                      ) : (
                        t('officerRoles.member')
                      )}
                    </td>
                    <td>{c.termStart ? `${formatDate(c.termStart, locale)} – ${formatDate(c.termEnd, locale)}` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data.terms.length > 0 ? (
          <>
            <h3>{t('orgs.detail.terms')}</h3>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('orgs.clusters.cluster')}</th>
                    <th scope="col">{t('orgs.clusters.role')}</th>
                    <th scope="col">{t('orgs.clusters.termStart')}</th>
                    <th scope="col">{t('orgs.clusters.termEnd')}</th>
                    <th scope="col">{t('orgs.fields.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.terms.map((term) => (
                    <tr key={term.id}>
                      <td>
                        <Link to={`/clusters/${term.clusterId}`}>{vi ? term.clusterNameVi : term.clusterNameEn}</Link>
                      </td>
                      <td>{t(`officerRoles.${term.role}`)}</td>
                      <td>{formatDate(term.termStart, locale)}</td>
                      <td>{formatDate(term.termEnd, locale)}</td>
                      <td>
                        <span className={term.status === 'current' ? 'badge badge--lead' : term.status === 'past' ? 'badge badge--inactive' : 'badge'}>
                          {t(`orgs.termStatus.${term.status}`)}
                        </span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
      </div>

      {data.mergedFrom.length > 0 ? (
        <div className="panel">
          <h2>{t('orgs.detail.mergedFrom')}</h2>
          <ul className="plain-list">
            {data.mergedFrom.map((m) => (
              <li key={m.id}>
                <Link to={`/organisations/${m.id}`}>{m.shortName}</Link> — {pick(m)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <div className="panel">
        <h2>{t('orgs.history.title')}</h2>
        {history.length === 0 ? (
          <p className="muted">{t('orgs.history.empty')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('orgs.history.when')}</th>
                  <th scope="col">{t('orgs.history.event')}</th>
                  <th scope="col">{t('orgs.history.detail')}</th>
                </tr>
              </thead>
              <tbody>
                {history.map((h) => (
                  <tr key={h.id}>
                    <td>{formatDateTime(h.occurredAt, locale, data.timeZone)}</td>
                    <td>{t(h.absorbed ? 'orgs.history.events.absorbed' : `orgs.history.events.${h.event}`)}</td>
                    <td>
                      {h.event === 'renamed' ? (
                        <>
                          {t('orgs.history.from')} <q>{vi ? h.previousNameVi : h.previousNameEn}</q> {t('orgs.history.to')}{' '}
                          <q>{vi ? h.newNameVi : h.newNameEn}</q>
                        </>
                      ) : h.event === 'merged_into' && h.absorbed ? (
                        <q>{vi ? h.previousNameVi : h.previousNameEn}</q>
                      ) : h.event === 'merged_into' && h.mergedIntoId ? (
                        <Link to={`/organisations/${h.mergedIntoId}`}>{h.mergedIntoShortName ?? (vi ? h.newNameVi : h.newNameEn)}</Link>
                      ) : h.event === 'created' ? (
                        <q>{vi ? h.newNameVi : h.newNameEn}</q>
                      ) : (
                        (h.note ?? '—')
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>

      {permissions.update ? (
        <div className="panel">
          <h2>{t('orgs.edit.title')}</h2>
          <p className="hint">{t('orgs.edit.renameNote')}</p>
          <Form method="post" noValidate>
            <FormError failure={failedFor('update')} />
            <input type="hidden" name="intent" value="update" />
            <Field name="nameVi" label={t('orgs.fields.nameVi')} required maxLength={200} lang="vi" defaultValue={org.nameVi} failure={failedFor('update')} />
            <Field name="nameEn" label={t('orgs.fields.nameEn')} required maxLength={200} lang="en" defaultValue={org.nameEn} failure={failedFor('update')} />
            <Field name="shortName" label={t('orgs.fields.shortName')} required maxLength={60} defaultValue={org.shortName} failure={failedFor('update')} />
            <SelectField
              name="provinceId"
              label={t('orgs.fields.province')}
              defaultValue={org.provinceId ?? ''}
              failure={failedFor('update')}
              options={[
                { value: '', label: t('orgs.none') },
                ...data.provinces.map((p) => ({ value: p.id, label: `${pick(p)}${p.merged ? ` (${t('orgs.provinceMerged')})` : ''}` })),
              ]}
            />
            <Field name="email" type="email" label={t('orgs.fields.email')} maxLength={254} defaultValue={org.email} failure={failedFor('update')} />
            <Field name="phone" type="tel" label={t('orgs.fields.phone')} maxLength={40} defaultValue={org.phone} failure={failedFor('update')} />
            <Field name="website" type="url" label={t('orgs.fields.website')} hint={t('orgs.hints.website')} maxLength={300} defaultValue={org.website} failure={failedFor('update')} />
            <button type="submit">{t('actions.save')}</button>
          </Form>
        </div>
      ) : null}

      {permissions.update ? (
        <div className="panel">
          <h2>{org.active ? t('orgs.status.deactivateTitle') : t('orgs.status.reactivateTitle')}</h2>
          <p className="hint">{org.active ? t('orgs.status.deactivateHint') : org.mergedInto ? t('orgs.status.mergedHint') : t('orgs.status.reactivateHint')}</p>
          {org.mergedInto ? null : (
            <Form method="post">
              <input type="hidden" name="intent" value={org.active ? 'deactivate' : 'reactivate'} />
              <button type="submit" className={org.active ? 'danger' : undefined}>
                {org.active ? t('orgs.status.deactivate') : t('orgs.status.reactivate')}
              </button>
            </Form>
          )}
        </div>
      ) : null}

      {permissions.merge && org.active ? (
        <div className="panel">
          <h2>{t('orgs.merge.title')}</h2>
          <p className="hint">{t('orgs.merge.hint')}</p>
          <Form method="post" noValidate>
            <FormError failure={failedFor('merge')} />
            <input type="hidden" name="intent" value="merge" />
            <SelectField
              name="targetId"
              label={t('orgs.merge.target')}
              defaultValue=""
              failure={failedFor('merge')}
              options={[{ value: '', label: t('orgs.merge.choose') }, ...data.mergeTargets.map((o) => ({ value: o.id, label: `${o.shortName} — ${pick(o)}` }))]}
            />
            <button type="submit" className="danger">
              {t('orgs.merge.submit')}
            </button>
          </Form>
        </div>
      ) : null}
    </section>
  )
}
