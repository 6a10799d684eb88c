import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormError, isFailure } from '../components/form.tsx'
import { formatDateTime, formatNumber } from '../lib/dates.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'
import { getOperationsOverview, retryAllFailed, retryDelivery } from '../notifications/operations.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Vận hành thông báo / Notification operations' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await getOperationsOverview(acting)), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    if (form.get('intent') === 'retryAll') {
      const { retried } = await retryAllFailed(acting)
      return { ok: true as const, intent: 'retryAll' as const, count: retried }
    }
    await retryDelivery(acting, form.get('deliveryId'))
    return { ok: true as const, intent: 'retry' as const, count: 1 }
  } catch (error) {
    return failure(error, form)
  }
}

export default function NotificationOperationsPage() {
  const { t, i18n } = useTranslation()
  const page = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const done = result && !isFailure(result) ? result : null
  const locale = i18n.language
  const eventTypeLabel = (type: string) => t([`notifications.eventTypes.${type}`, 'notifications.eventTypes.other'])

  return (
    <section className="stack">
      <h1>{t('notifications.operations.title')}</h1>
      <p className="muted">{t('notifications.operations.intro')}</p>
      {page.mailerMode === 'outbox' ? (
        <p className="notice">
          {t('notifications.operations.mailOutbox')} <Link to="/admin/outbox">{t('notifications.operations.outboxLink')}</Link>
        </p>
      ) : (
        <p className="notice">{t('notifications.operations.mailSmtp')}</p>
      )}

      <FormError failure={failed} />
      {done ? (
        <p role="status" className="notice">
          {done.intent === 'retryAll' ? t('notifications.operations.retriedAll', { count: done.count }) : t('notifications.operations.retried')}
        </p>
      ) : null}

      <h2>{t('notifications.operations.queues')}</h2>
      <div className="table-wrap">
        <table aria-label={t('notifications.operations.queuesCaption')}>
          <thead>
            <tr>
              <th scope="col">{t('notifications.operations.queue')}</th>
              <th scope="col">{t('notifications.operations.deferred')}</th>
              <th scope="col">{t('notifications.operations.queued')}</th>
              <th scope="col">{t('notifications.operations.active')}</th>
              <th scope="col">{t('notifications.operations.failed')}</th>
              <th scope="col">{t('notifications.operations.capturedOn')}</th>
            </tr>
          </thead>
          <tbody>
            {page.queues.map((q) => (
              <tr key={q.name} data-queue={q.name}>
                <th scope="row">
                  {t(`notifications.operations.queueNames.${q.name}`)}
                  <div className="muted">
                    <code>{q.name}</code>
                  </div>
                </th>
                {'unavailable' in q ? (
                  <td colSpan={5}>{t('notifications.operations.unavailable')}</td>
                ) : (
                  <>
                    <td>{formatNumber(q.deferred, locale)}</td>
                    <td>{formatNumber(q.queued, locale)}</td>
                    <td>{formatNumber(q.active, locale)}</td>
                    <td>{formatNumber(q.failed, locale)}</td>
                    <td>{formatDateTime(q.capturedOn, locale, page.timeZone)}</td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>{t('notifications.operations.deliveries')}</h2>
      <div className="table-wrap">
        <table aria-label={t('notifications.operations.deliveriesCaption')}>
          <thead>
            <tr>
              <th scope="col">{t('notifications.operations.status')}</th>
              <th scope="col">{t('notifications.operations.count')}</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(page.counts).map(([status, n]) => (
              <tr key={status} data-status={status}>
                <th scope="row">{t(`notifications.operations.statuses.${status}`)}</th>
                <td>{formatNumber(n, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>{t('notifications.operations.failedTitle')}</h2>
      {page.failed.length === 0 ? (
        <p>{t('notifications.operations.failedEmpty')}</p>
      ) : (
        <>
          <Form method="post">
            <input type="hidden" name="intent" value="retryAll" />
            <button type="submit">{t('notifications.operations.retryAll')}</button>
          </Form>
          <div className="table-wrap">
            <table aria-label={t('notifications.operations.failedCaption')}>
              <thead>
                <tr>
                  <th scope="col">{t('notifications.operations.time')}</th>
                  <th scope="col">{t('notifications.operations.recipient')}</th>
                  <th scope="col">{t('notifications.operations.eventType')}</th>
                  <th scope="col">{t('notifications.operations.attempts')}</th>
                  <th scope="col">{t('notifications.operations.lastError')}</th>
                  <th scope="col">{t('notifications.operations.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {page.failed.map((d) => (
                  <tr key={d.id}>
                    <td>{formatDateTime(d.failedAt ?? d.createdAt, locale, page.timeZone)}</td>
                    <td>{d.toAddress}</td>
                    <td>
                      {eventTypeLabel(d.eventType)}
                      <div className="muted">{t(`notifications.operations.kinds.${d.kind}`, { defaultValue: d.kind })}</div>
                    </td>
                    <td>{formatNumber(d.attempts, locale)}</td>
                    <td>{d.lastError ?? '—'}</td>
                    <td>
                      <Form method="post">
                        <input type="hidden" name="intent" value="retry" />
                        <input type="hidden" name="deliveryId" value={d.id} />
                        <button type="submit" className="secondary" aria-label={t('notifications.operations.retryLabel', { to: d.toAddress })}>
                          {t('notifications.operations.retry')}
                        </button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  )
}
