import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormError } from '../components/form.tsx'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import type { FormFailure } from '../lib/forms.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'
import { listOutbox, readOutboxMessage } from '../notifications/operations.server.ts'

// What would have been mailed, for installations without SMTP (`npm start` demos). A message
// opens with ?id=…; its plain-text body is shown as text, never its HTML.

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Hộp thư đi / Outbox' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const params = new URL(request.url).searchParams
  let filter: FormFailure = { ok: false, fieldErrors: {}, values: Object.fromEntries(params) }
  let list: Awaited<ReturnType<typeof listOutbox>> = { mode: context.services.mailer.mode, items: [], nextBefore: undefined }
  try {
    list = await listOutbox(acting, { before: params.get('before') ?? undefined })
  } catch (error) {
    // listOutbox authorizes before it reads the cursor: only a bad cursor is a validation error.
    if (!(error instanceof DomainError) || error.code !== 'validation') loaderFailure(error)
    filter = { ...filter, fieldErrors: error.details.fieldErrors ?? {} }
  }
  const id = params.get('id')
  let message: Awaited<ReturnType<typeof readOutboxMessage>> | null = null
  if (id) {
    try {
      message = await readOutboxMessage(acting, id)
    } catch (error) {
      loaderFailure(error)
    }
  }
  const payload = { ...list, message, paged: Boolean(params.get('before')), filter, timeZone: context.timeZone }
  return Object.keys(filter.fieldErrors).length ? data(payload, { status: 400 }) : payload
}

export default function OutboxPage() {
  const { t, i18n } = useTranslation()
  const page = useLoaderData<typeof loader>()
  const locale = i18n.language
  const eventTypeLabel = (type: string) => t([`notifications.eventTypes.${type}`, 'notifications.eventTypes.other'])
  const olderHref = page.nextBefore ? `/admin/outbox?${new URLSearchParams({ before: page.nextBefore }).toString()}` : null

  return (
    <section className="stack">
      <h1>{t('notifications.outbox.title')}</h1>
      <p>
        <Link to="/admin/notifications">{t('notifications.outbox.back')}</Link>
      </p>
      {page.mode !== 'outbox' ? (
        <p className="notice">{t('notifications.outbox.smtp')}</p>
      ) : (
        <>
          <p className="muted">{t('notifications.outbox.intro')}</p>
          <FormError failure={Object.keys(page.filter.fieldErrors).length ? page.filter : null} />

          {page.message ? (
            <article className="panel" aria-labelledby="outbox-message-title">
              <h2 id="outbox-message-title">{t('notifications.outbox.message')}</h2>
              <dl className="facts">
                <dt>{t('notifications.outbox.to')}</dt>
                <dd>{page.message.toAddress}</dd>
                <dt>{t('notifications.outbox.subject')}</dt>
                <dd>{page.message.subject ?? t('notifications.outbox.noSubject')}</dd>
                <dt>{t('notifications.outbox.eventType')}</dt>
                <dd>{eventTypeLabel(page.message.eventType)}</dd>
                <dt>{t('notifications.outbox.created')}</dt>
                <dd>{formatDateTime(page.message.createdAt, locale, page.timeZone)}</dd>
                <dt>{t('notifications.outbox.storedAt')}</dt>
                <dd>{formatDateTime(page.message.storedAt, locale, page.timeZone)}</dd>
              </dl>
              <h3 id="outbox-body">{t('notifications.outbox.body')}</h3>
              <pre aria-labelledby="outbox-body" data-testid="outbox-body">
                {page.message.textBody ?? ''}
              </pre>
              <p className="muted">{t('notifications.outbox.auditNote')}</p>
              <p>
                <Link to="/admin/outbox">{t('notifications.outbox.close')}</Link>
              </p>
            </article>
          ) : null}

          {page.items.length === 0 ? (
            <p>{t('notifications.outbox.empty')}</p>
          ) : (
            <div className="table-wrap">
              <table aria-label={t('notifications.outbox.caption')}>
                <thead>
                  <tr>
                    <th scope="col">{t('notifications.outbox.created')}</th>
                    <th scope="col">{t('notifications.outbox.to')}</th>
                    <th scope="col">{t('notifications.outbox.subject')}</th>
                    <th scope="col">{t('notifications.outbox.eventType')}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((m) => {
                    const subject = m.subject ?? t('notifications.outbox.noSubject')
                    return (
                      <tr key={m.id} aria-current={page.message?.id === m.id ? 'true' : undefined}>
                        <td>{formatDateTime(m.createdAt, locale, page.timeZone)}</td>
                        <td>{m.toAddress}</td>
                        <td>
                          <Link to={`/admin/outbox?id=${m.id}`} aria-label={t('notifications.outbox.viewLabel', { to: m.toAddress, subject })}>
                            {subject}
                          </Link>
                        </td>
                        <td>{eventTypeLabel(m.eventType)}</td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          )}
          {olderHref || page.paged ? (
            <nav aria-label={t('notifications.outbox.pagination')}>
              <p className="inline-form">
                {page.paged ? <Link to="/admin/outbox">{t('notifications.outbox.newest')}</Link> : null}
                {olderHref ? <Link to={olderHref}>{t('notifications.outbox.older')}</Link> : null}
              </p>
            </nav>
          ) : null}
        </>
      )}
    </section>
  )
}
