import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, SelectField, isFailure } from '../components/form.tsx'
import { mayManageApiTokens } from '../api-tokens/tokens.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject, type FormFailure } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'
import { USER_ROLES } from '../policy/actor.ts'
import { invitationChoices, inviteUser, listUsers, organisationFilterChoices } from '../users/users.server.ts'
import { USER_STATUSES } from '../users/users.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Người dùng / Users' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const params = Object.fromEntries(new URL(request.url).searchParams)
  // The filter form keeps what was typed; a bad value becomes a field error on a 400 page.
  let filter: FormFailure = { ok: false, fieldErrors: {}, values: params }
  let list: Awaited<ReturnType<typeof listUsers>> = { users: [], nextAfter: undefined }
  try {
    list = await listUsers(acting, params)
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'validation') loaderFailure(error)
    filter = { ...filter, fieldErrors: error.details.fieldErrors ?? {} }
  }
  const payload = {
    ...list,
    filter,
    organisations: await organisationFilterChoices(acting),
    invitation: await invitationChoices(acting),
    mayManageApiTokens: mayManageApiTokens(acting),
    timeZone: context.timeZone,
  }
  return Object.keys(filter.fieldErrors).length ? data(payload, { status: 400 }) : payload
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    const invited = await inviteUser(acting, formToObject(form))
    return data({
      ok: true as const,
      userId: invited.user.id,
      email: invited.user.email,
      link: invited.link,
      expiresAt: invited.expiresAt.toISOString(),
    })
  } catch (error) {
    return failure(error, form)
  }
}

export default function UsersPage() {
  const { t, i18n } = useTranslation()
  const page = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const invited = result && !isFailure(result) ? result : null
  const locale = i18n.language
  const params = page.filter.values
  const nextHref = page.nextAfter ? `?${new URLSearchParams({ ...params, after: page.nextAfter }).toString()}` : null
  const { after: _after, ...withoutCursor } = params
  const firstHref = params.after ? `?${new URLSearchParams(withoutCursor).toString()}` : null
  const offeredRoles = USER_ROLES.filter((r) => page.invitation.some((o) => o.roles.includes(r)))
  const [onlyOrganisation] = page.invitation.length === 1 ? page.invitation : []

  return (
    <section className="stack">
      <h1>{t('admin.users.title')}</h1>
      <p className="muted">{t('admin.users.intro')}</p>
      {page.mayManageApiTokens ? (
        <p>
          <Link to="/admin/tokens">{t('apiTokens.link')}</Link>
        </p>
      ) : null}
      {page.invitation.length > 0 ? (
        <p>
          <a href="#invite" className="button">
            {t('admin.users.invite.title')}
          </a>
        </p>
      ) : null}

      <div className="panel">
        <h2 id="users-filters">{t('admin.users.filters')}</h2>
        <FormError failure={page.filter} />
        <Form method="get" className="inline-form" role="search" aria-labelledby="users-filters">
          <Field name="q" type="search" label={t('admin.users.search')} failure={page.filter} />
          {page.organisations.length > 0 ? (
            <SelectField
              name="organisation"
              label={t('admin.users.organisation')}
              failure={page.filter}
              options={[
                { value: '', label: t('admin.users.allOrganisations') },
                ...page.organisations.map((o) => ({
                  value: o.id,
                  label: o.active ? o.shortName : t('admin.users.inactiveOrganisation', { name: o.shortName }),
                })),
              ]}
            />
          ) : null}
          <SelectField
            name="status"
            label={t('admin.users.status')}
            failure={page.filter}
            options={[
              { value: '', label: t('admin.users.allStatuses') },
              ...USER_STATUSES.map((s) => ({ value: s, label: t(`admin.users.statuses.${s}`) })),
            ]}
          />
          <button type="submit">{t('admin.users.apply')}</button>
          <Link to="/admin/users" className="button secondary">
            {t('admin.users.reset')}
          </Link>
        </Form>
      </div>

      {page.users.length === 0 ? (
        <p>{t('admin.users.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table aria-label={t('admin.users.caption')}>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.name')}</th>
                <th scope="col">{t('admin.users.email')}</th>
                <th scope="col">{t('admin.users.organisation')}</th>
                <th scope="col">{t('admin.users.role')}</th>
                <th scope="col">{t('admin.users.status')}</th>
                <th scope="col">{t('admin.users.lastLogin')}</th>
              </tr>
            </thead>
            <tbody>
              {page.users.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link to={`/admin/users/${u.id}`}>{u.name}</Link>
                    {u.title ? <div className="muted">{u.title}</div> : null}
                  </td>
                  <td>{u.email}</td>
                  <td>{u.organisationName}</td>
                  <td>{t(`roles.${u.role}`)}</td>
                  <td>
                    <span className={u.status === 'deactivated' ? 'badge badge--inactive' : 'badge'}>
                      {t(`admin.users.statuses.${u.status}`)}
                    </span>
                  </td>
                  <td>{u.lastLoginAt ? formatDateTime(u.lastLoginAt, locale, page.timeZone) : <span className="muted">{t('admin.users.never')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextHref || firstHref ? (
        <nav aria-label={t('admin.users.caption')}>
          <p className="inline-form">
            {firstHref ? <Link to={firstHref}>{t('admin.users.first')}</Link> : null}
            {nextHref ? <Link to={nextHref}>{t('admin.users.next')}</Link> : null}
          </p>
        </nav>
      ) : null}

      <div className="panel">
        <h2 id="invite">{t('admin.users.invite.title')}</h2>
        {invited ? (
          <div role="status" className="notice">
            <p>{t('admin.users.invite.created', { email: invited.email })}</p>
            <Field
              name="invitationLink"
              label={t('admin.users.invite.linkLabel')}
              defaultValue={invited.link}
              readOnly
              hint={t('admin.users.invite.linkHint', { expires: formatDateTime(invited.expiresAt, locale, page.timeZone) })}
            />
          </div>
        ) : null}
        {page.invitation.length === 0 ? (
          <p>{t('admin.users.invite.cannotInvite')}</p>
        ) : (
          <Form method="post" noValidate key={invited?.userId ?? 'invite'} aria-labelledby="invite">
            <p className="muted">{t('admin.users.invite.intro')}</p>
            <FormError failure={failed} />
            <Field name="email" type="email" label={t('admin.users.email')} autoComplete="off" required failure={failed} />
            <Field name="name" label={t('admin.users.name')} autoComplete="off" required failure={failed} />
            <Field name="title" label={t('admin.users.jobTitle')} hint={t('admin.users.jobTitleHint')} failure={failed} />
            {onlyOrganisation ? (
              <>
                <input type="hidden" name="organisationId" value={onlyOrganisation.id} />
                <p>{t('admin.users.invite.organisationFixed', { name: onlyOrganisation.shortName })}</p>
              </>
            ) : (
              <SelectField
                name="organisationId"
                label={t('admin.users.organisation')}
                required
                failure={failed}
                options={[
                  { value: '', label: t('admin.users.invite.chooseOrganisation') },
                  ...page.invitation.map((o) => ({ value: o.id, label: o.shortName })),
                ]}
              />
            )}
            <SelectField
              name="role"
              label={t('admin.users.role')}
              defaultValue="reporter"
              required
              failure={failed}
              options={offeredRoles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
              aria-describedby={
                [failed?.fieldErrors.role ? 'field-role-error' : null, offeredRoles.includes('cert_analyst') ? 'invite-role-hint' : null]
                  .filter(Boolean)
                  .join(' ') || undefined
              }
            />
            {offeredRoles.includes('cert_analyst') ? (
              <p id="invite-role-hint" className="hint">
                {t('admin.users.invite.roleHint')}
              </p>
            ) : null}
            <button type="submit">{t('admin.users.invite.submit')}</button>
          </Form>
        )}
      </div>
    </section>
  )
}
