import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import { FormError, isFailure } from '../components/form.tsx'
import { listMyNotifications, markAllRead, markRead, unreadCount } from '../notifications/centre.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import type { FormFailure } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'
import { USER_ROLES } from '../policy/actor.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Thông báo / Notifications' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const params = new URL(request.url).searchParams
  const query = { before: params.get('before') ?? undefined, unreadOnly: params.get('unread') === '1' }
  let filter: FormFailure = { ok: false, fieldErrors: {}, values: Object.fromEntries(params) }
  let list: Awaited<ReturnType<typeof listMyNotifications>> = { items: [], nextBefore: undefined }
  try {
    list = await listMyNotifications(acting, query)
  } catch (error) {
    // Only a tampered cursor gets here: show the page with the error instead of a 500.
    if (!(error instanceof DomainError) || error.code !== 'validation') loaderFailure(error)
    filter = { ...filter, fieldErrors: error.details.fieldErrors ?? {} }
  }
  const payload = {
    ...list,
    unreadOnly: query.unreadOnly,
    paged: Boolean(query.before),
    unread: await unreadCount(acting),
    filter,
    timeZone: context.timeZone,
  }
  return Object.keys(filter.fieldErrors).length ? data(payload, { status: 400 }) : payload
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    if (form.get('intent') === 'readAll') {
      return { ok: true as const, intent: 'readAll' as const, count: await markAllRead(acting) }
    }
    await markRead(acting, form.get('id'))
    return { ok: true as const, intent: 'read' as const, count: 1 }
  } catch (error) {
    return failure(error, form)
  }
}

const ROLES = new Set<string>(USER_ROLES)

/** The localized title of one notification, from its type and the facts its event carried. */
function notificationTitle(t: TFunction, n: { type: string; params: Record<string, string> }): string {
  const p = n.params
  switch (n.type) {
    case 'user.invited':
    case 'auth.password_reset_requested':
      return t(`notifications.types.${n.type}`)
    case 'user.role_changed': {
      const role = p.role ?? p.to
      return role && ROLES.has(role)
        ? t('notifications.types.user.role_changed', { role: t(`roles.${role}`) })
        : t('notifications.generic.user.role_changed')
    }
    case 'cluster.officer_assigned': {
      const role = p.officerRole ?? p.role
      return (role === 'lead' || role === 'deputy') && p.clusterName
        ? t('notifications.types.cluster.officer_assigned', { role: t(`officerRoles.${role}`), clusterName: p.clusterName })
        : t('notifications.generic.cluster.officer_assigned')
    }
    default:
      // Incident events name the incident by its reference only (its title may be TLP-bound).
      if (n.type.startsWith('incident.') && p.reference) return t(`notifications.types.${n.type}`, { reference: p.reference })
      // Drill notifications reach only people the policy lets see the drill, title included.
      if (n.type.startsWith('drill.') && p.title) return t(`notifications.types.${n.type}`, { title: p.title })
      // Names no value and no organisation: the indicator's page shows what the reader may see.
      if (n.type === 'indicator.correlated') return t('notifications.types.indicator.correlated')
      return t('notifications.fallback')
  }
}

export default function NotificationsPage() {
  const { t, i18n } = useTranslation()
  const page = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const done = result && !isFailure(result) ? result : null
  const locale = i18n.language
  const unreadParam: Record<string, string> = page.unreadOnly ? { unread: '1' } : {}
  const olderHref = page.nextBefore ? `/notifications?${new URLSearchParams({ ...unreadParam, before: page.nextBefore }).toString()}` : null
  const newestHref = page.paged ? (page.unreadOnly ? '/notifications?unread=1' : '/notifications') : null

  return (
    <section className="stack">
      <h1>{t('notifications.title')}</h1>
      <p className="muted">{t('notifications.intro')}</p>
      <p>
        <Link to="/account/notifications">{t('notifications.settingsLink')}</Link>
      </p>

      <nav aria-label={t('notifications.filterLabel')}>
        <p className="inline-form">
          <Link to="/notifications" aria-current={page.unreadOnly ? undefined : 'page'}>
            {t('notifications.all')}
          </Link>
          <Link to="/notifications?unread=1" aria-current={page.unreadOnly ? 'page' : undefined}>
            {t('notifications.unreadOnly')}
          </Link>
        </p>
      </nav>

      <FormError failure={failed ?? (Object.keys(page.filter.fieldErrors).length ? page.filter : null)} />
      {done ? (
        <p role="status" className="notice">
          {done.intent === 'readAll' ? t('notifications.markedAll', { count: done.count }) : t('notifications.marked')}
        </p>
      ) : null}

      <div className="inline-form">
        <p role="status" data-testid="unread-count">
          {t('notifications.unreadCount', { count: page.unread })}
        </p>
        {page.unread > 0 ? (
          <Form method="post">
            <input type="hidden" name="intent" value="readAll" />
            <button type="submit" className="secondary">
              {t('notifications.markAllRead')}
            </button>
          </Form>
        ) : null}
      </div>

      {page.items.length === 0 ? (
        <p>{page.unreadOnly ? t('notifications.emptyUnread') : t('notifications.empty')}</p>
      ) : (
        <ol className="plain-list stack" aria-label={t('notifications.listLabel')}>
          {page.items.map((n) => {
            const title = notificationTitle(t, n)
            const unread = !n.readAt
            return (
              <li key={n.id} className="panel" data-unread={unread ? 'true' : 'false'}>
                <p>
                  {unread ? <span className="badge">{t('notifications.unread')}</span> : null}{' '}
                  {unread ? <strong>{title}</strong> : title}
                </p>
                <p className="muted">
                  {t('notifications.receivedAt')}:{' '}
                  <time dateTime={new Date(n.createdAt).toISOString()}>{formatDateTime(n.createdAt, locale, page.timeZone)}</time>
                </p>
                <div className="inline-form">
                  {n.link ? <Link to={n.link}>{t('notifications.open')}</Link> : null}
                  {unread ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="read" />
                      <input type="hidden" name="id" value={n.id} />
                      <button type="submit" className="secondary" aria-label={t('notifications.markReadLabel', { title })}>
                        {t('notifications.markRead')}
                      </button>
                    </Form>
                  ) : null}
                </div>
              </li>
            )
          })}
        </ol>
      )}

      {olderHref || newestHref ? (
        <nav aria-label={t('notifications.pagination')}>
          <p className="inline-form">
            {newestHref ? <Link to={newestHref}>{t('notifications.newest')}</Link> : null}
            {olderHref ? <Link to={olderHref}>{t('notifications.older')}</Link> : null}
          </p>
        </nav>
      ) : null}
    </section>
  )
}
