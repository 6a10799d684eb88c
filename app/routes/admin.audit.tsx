import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { searchAuditLog } from '../audit/audit.server.ts'
import { Field, FormError, SelectField } from '../components/form.tsx'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import type { FormFailure } from '../lib/forms.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'
import { organisationFilterChoices } from '../users/users.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Nhật ký kiểm toán / Audit log' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const params = Object.fromEntries(new URL(request.url).searchParams)
  let filter: FormFailure = { ok: false, fieldErrors: {}, values: params }
  let result: Awaited<ReturnType<typeof searchAuditLog>> = { entries: [], nextBefore: undefined }
  try {
    result = await searchAuditLog(acting, params, context.timeZone)
  } catch (error) {
    // searchAuditLog checks the right to read first, so only a bad filter arrives here as validation.
    if (!(error instanceof DomainError) || error.code !== 'validation') loaderFailure(error)
    filter = { ...filter, fieldErrors: error.details.fieldErrors ?? {} }
  }
  const payload = {
    entries: result.entries,
    nextBefore: result.nextBefore,
    filter,
    organisations: await organisationFilterChoices(acting),
    timeZone: context.timeZone,
  }
  return Object.keys(filter.fieldErrors).length ? data(payload, { status: 400 }) : payload
}

function describeDetails(details: Record<string, unknown> | null): string | null {
  if (!details) return null
  const parts = Object.entries(details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
  return parts.length ? parts.join(', ') : null
}

export default function AuditLogPage() {
  const { t, i18n } = useTranslation()
  const page = useLoaderData<typeof loader>()
  const locale = i18n.language
  const { before: _before, ...filters } = page.filter.values
  const olderHref = page.nextBefore ? `?${new URLSearchParams({ ...filters, before: String(page.nextBefore) }).toString()}` : null
  const newestHref = page.filter.values.before ? `?${new URLSearchParams(filters).toString()}` : null

  return (
    <section className="stack">
      <h1>{t('admin.audit.title')}</h1>
      <p className="muted">{t('admin.audit.intro')}</p>

      <div className="panel">
        <h2 id="audit-filters">{t('admin.audit.filters')}</h2>
        <FormError failure={page.filter} />
        <Form method="get" className="inline-form" role="search" aria-labelledby="audit-filters">
          <Field name="action" label={t('admin.audit.action')} hint={t('admin.audit.actionHint')} failure={page.filter} />
          <Field name="objectType" label={t('admin.audit.objectType')} hint={t('admin.audit.objectTypeHint')} failure={page.filter} />
          {page.organisations.length > 0 ? (
            <SelectField
              name="organisationId"
              label={t('admin.audit.organisation')}
              failure={page.filter}
              options={[
                { value: '', label: t('admin.audit.allOrganisations') },
                ...page.organisations.map((o) => ({ value: o.id, label: o.shortName })),
              ]}
            />
          ) : null}
          {/* Plain text rather than a date picker, so that a mistyped date comes back as typed, with its error. */}
          <Field
            name="from"
            inputMode="numeric"
            autoComplete="off"
            placeholder="YYYY-MM-DD"
            label={t('admin.audit.from')}
            hint={t('admin.audit.dateHint', { zone: page.timeZone })}
            failure={page.filter}
          />
          <Field
            name="to"
            inputMode="numeric"
            autoComplete="off"
            placeholder="YYYY-MM-DD"
            label={t('admin.audit.to')}
            hint={t('admin.audit.dateHint', { zone: page.timeZone })}
            failure={page.filter}
          />
          <button type="submit">{t('admin.audit.apply')}</button>
          <Link to="/admin/audit" className="button secondary">
            {t('admin.audit.reset')}
          </Link>
        </Form>
      </div>

      {page.entries.length === 0 ? (
        <p>{t('admin.audit.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table aria-label={t('admin.audit.caption')}>
            <thead>
              <tr>
                <th scope="col">{t('admin.audit.time')}</th>
                <th scope="col">{t('admin.audit.actor')}</th>
                <th scope="col">{t('admin.audit.organisation')}</th>
                <th scope="col">{t('admin.audit.actionColumn')}</th>
                <th scope="col">{t('admin.audit.object')}</th>
                <th scope="col">{t('admin.audit.sourceIp')}</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => {
                const details = describeDetails(e.details)
                return (
                  <tr key={e.id}>
                    <td>
                      <time dateTime={new Date(e.at).toISOString()}>{formatDateTime(e.at, locale, page.timeZone)}</time>
                    </td>
                    <td>
                      {e.actorName ? (
                        <>
                          {e.actorName}
                          <div className="muted">{e.actorEmail}</div>
                        </>
                      ) : (
                        <span className="muted">{e.actorUserId ? t('admin.audit.unknownActor') : t('admin.audit.system')}</span>
                      )}
                    </td>
                    <td>{e.actorOrganisationName ?? '—'}</td>
                    <td>
                      <code>{e.action}</code>
                      {details ? <div className="muted">{details}</div> : null}
                    </td>
                    <td>
                      {e.objectType}
                      {e.objectId ? <div className="muted">{e.objectId}</div> : null}
                      {e.objectOrganisationName && e.objectOrganisationId !== e.actorOrganisationId ? (
                        <div className="muted">{t('admin.audit.on', { organisation: e.objectOrganisationName })}</div>
                      ) : null}
                    </td>
                    <td>{e.sourceIp ?? '—'}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      {olderHref || newestHref ? (
        <nav aria-label={t('admin.audit.caption')}>
          <p className="inline-form">
            {newestHref ? <Link to={newestHref}>{t('admin.audit.newest')}</Link> : null}
            {olderHref ? <Link to={olderHref}>{t('admin.audit.older')}</Link> : null}
          </p>
        </nav>
      ) : null}
    </section>
  )
}
