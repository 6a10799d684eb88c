import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, SelectField, isFailure } from '../components/form.tsx'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject, type FormFailure } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'
import { changeUserRole, deactivateUser, getUser, reactivateUser, resendInvitation } from '../users/users.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Người dùng / User' }]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await getUser(acting, params.id ?? '')), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  const userId = params.id ?? ''
  try {
    switch (form.get('intent')) {
      case 'role': {
        const { changed } = await changeUserRole(acting, userId, formToObject(form))
        return data({ ok: true as const, done: changed ? ('role' as const) : ('roleUnchanged' as const) })
      }
      case 'deactivate':
        await deactivateUser(acting, userId)
        return data({ ok: true as const, done: 'deactivate' as const })
      case 'reactivate':
        await reactivateUser(acting, userId)
        return data({ ok: true as const, done: 'reactivate' as const })
      case 'resend': {
        const invitation = await resendInvitation(acting, userId)
        return data({ ok: true as const, done: 'resend' as const, link: invitation.link, expiresAt: invitation.expiresAt.toISOString() })
      }
      default:
        throw new DomainError('validation', 'errors.validation')
    }
  } catch (error) {
    return failure(error, form)
  }
}

export default function UserPage() {
  const { t, i18n } = useTranslation()
  const { user, openInvitation, isSelf, can, roles, timeZone } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed: FormFailure | null = isFailure(result) ? result : null
  const done = result && !isFailure(result) ? result : null
  const locale = i18n.language
  const when = (value: Date | string | null) => formatDateTime(value, locale, timeZone)
  const roleFailure = failed?.values.intent === 'role' ? failed : null
  const anyAction = can.changeRole || can.deactivate || can.reactivate || can.resendInvitation

  return (
    <section className="stack">
      <p>
        <Link to="/admin/users">{t('admin.users.detail.back')}</Link>
      </p>
      <h1>{user.name}</h1>

      <div className="panel">
        <h2>{t('admin.users.detail.account')}</h2>
        <dl className="facts">
          <dt>{t('admin.users.email')}</dt>
          <dd>{user.email}</dd>
          {user.title ? (
            <>
              <dt>{t('admin.users.jobTitle')}</dt>
              <dd>{user.title}</dd>
            </>
          ) : null}
          {user.phone ? (
            <>
              <dt>{t('admin.users.detail.phone')}</dt>
              <dd>{user.phone}</dd>
            </>
          ) : null}
          <dt>{t('admin.users.organisation')}</dt>
          <dd>{user.organisationName}</dd>
          <dt>{t('admin.users.role')}</dt>
          <dd>{t(`roles.${user.role}`)}</dd>
          <dt>{t('admin.users.status')}</dt>
          <dd>
            <span className={user.status === 'deactivated' ? 'badge badge--inactive' : 'badge'}>{t(`admin.users.statuses.${user.status}`)}</span>
          </dd>
          <dt>{t('admin.users.lastLogin')}</dt>
          <dd>{user.lastLoginAt ? when(user.lastLoginAt) : t('admin.users.never')}</dd>
          <dt>{t('admin.users.detail.created')}</dt>
          <dd>{when(user.createdAt)}</dd>
          {user.deactivatedAt ? (
            <>
              <dt>{t('admin.users.detail.deactivatedAt')}</dt>
              <dd>{when(user.deactivatedAt)}</dd>
            </>
          ) : null}
          {user.status === 'invited' ? (
            <>
              <dt>{t('admin.users.detail.invitation')}</dt>
              <dd>
                {openInvitation
                  ? t('admin.users.detail.invitationOpen', { expires: when(openInvitation.expiresAt) })
                  : t('admin.users.detail.invitationNone')}
              </dd>
            </>
          ) : null}
        </dl>
      </div>

      <div className="panel">
        <h2>{t('admin.users.detail.manage')}</h2>
        {done ? (
          <div role="status" className="notice">
            <p>{t(`admin.users.detail.done.${done.done}`)}</p>
            {'link' in done ? (
              <Field
                name="invitationLink"
                label={t('admin.users.invite.linkLabel')}
                defaultValue={done.link}
                readOnly
                hint={t('admin.users.invite.linkHint', { expires: when(done.expiresAt) })}
              />
            ) : null}
          </div>
        ) : null}
        {failed && !roleFailure ? <FormError failure={failed} /> : null}
        {isSelf ? (
          <p>{t('admin.users.detail.self')}</p>
        ) : !anyAction ? (
          <p>{t('admin.users.detail.readOnly')}</p>
        ) : (
          <div className="stack">
            {can.changeRole && roles.length > 0 ? (
              <Form method="post" noValidate>
                <input type="hidden" name="intent" value="role" />
                <FormError failure={roleFailure} />
                <SelectField
                  name="role"
                  label={t('admin.users.detail.newRole')}
                  defaultValue={user.role}
                  failure={roleFailure}
                  options={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
                />
                <p className="hint">{t('admin.users.detail.changeRoleHint')}</p>
                <button type="submit">{t('admin.users.detail.changeRole')}</button>
              </Form>
            ) : null}
            {can.resendInvitation ? (
              <Form method="post">
                <input type="hidden" name="intent" value="resend" />
                <p className="hint">{t('admin.users.detail.resendHint')}</p>
                <button type="submit" className="secondary">
                  {t('admin.users.detail.resend')}
                </button>
              </Form>
            ) : null}
            {can.deactivate ? (
              <Form method="post">
                <input type="hidden" name="intent" value="deactivate" />
                <p className="hint">{t('admin.users.detail.deactivateHint')}</p>
                <button type="submit" className="danger">
                  {t('admin.users.detail.deactivate')}
                </button>
              </Form>
            ) : null}
            {can.reactivate ? (
              <Form method="post">
                <input type="hidden" name="intent" value="reactivate" />
                <p className="hint">{t('admin.users.detail.reactivateHint')}</p>
                <button type="submit">{t('admin.users.detail.reactivate')}</button>
              </Form>
            ) : null}
          </div>
        )}
      </div>
    </section>
  )
}
