import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, isFailure } from '../components/form.tsx'
import {
  addAttachment,
  assertDeclaredSize,
  assertMayAttach,
  AttachmentTooLargeError,
  listAttachments,
  receiveUpload,
} from '../incidents/attachments.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import type { FormFailure } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `CSIRT Net — ${data.incident.reference}` : 'CSIRT Net — Tệp bằng chứng / Evidence files' },
]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    const page = await listAttachments(acting, params.id ?? '')
    return { ...page, added: new URL(request.url).searchParams.get('done') === 'added', timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

// A refused upload may still be arriving: `Connection: close` lets the server drop it instead
// of reading the rest to reach the next request on the connection.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const connection = actionHeaders.get('connection')
  return connection ? { Connection: connection } : new Headers()
}

type TooLarge = FormFailure & { maxBytes: number }

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const incidentId = params.id ?? ''
  try {
    // Refused before a byte of the body is read: who may attach, then the declared size.
    await assertMayAttach(acting, incidentId)
    assertDeclaredSize(acting.services, request)
    const file = await receiveUpload(acting.services, request)
    await addAttachment(acting, incidentId, file)
    return redirect(`/incidents/${incidentId}/attachments?done=added`)
  } catch (error) {
    if (error instanceof AttachmentTooLargeError) {
      const body: TooLarge = { ok: false, fieldErrors: {}, formError: 'attachments.errors.tooLarge', values: {}, maxBytes: error.maxBytes }
      return data(body, { status: 413, headers: { Connection: 'close' } })
    }
    return failure(error, new FormData())
  }
}

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const

function formatSize(bytes: number, locale: string) {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    style: 'unit',
    unit: UNITS[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value)
}

export default function IncidentAttachmentsPage() {
  const { t, i18n } = useTranslation()
  const { incident, attachments, canAttach, maxBytes, added, timeZone } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const locale = i18n.language
  const max = formatSize(maxBytes, locale)
  const tooLarge = failed?.formError === 'attachments.errors.tooLarge'

  return (
    <section className="stack">
      <p>
        <Link to={`/incidents/${incident.id}`}>← {t('attachments.backToIncident', { reference: incident.reference })}</Link>
      </p>
      <header>
        <h1>
          {t('attachments.title')} <span className="badge">TLP:{incident.tlp}</span>
        </h1>
        <p>
          {incident.reference} · {incident.title}
        </p>
        <p className="muted">{t('attachments.intro')}</p>
      </header>

      {added ? (
        <p role="status" className="notice">
          {t('attachments.added')}
        </p>
      ) : null}

      {attachments.length === 0 ? (
        <p>{t('attachments.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('attachments.columns.name')}</th>
                <th scope="col">{t('attachments.columns.type')}</th>
                <th scope="col">{t('attachments.columns.size')}</th>
                <th scope="col">{t('attachments.columns.sha256')}</th>
                <th scope="col">{t('attachments.columns.uploadedBy')}</th>
                <th scope="col">{t('attachments.columns.uploadedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {attachments.map((a) => (
                <tr key={a.id}>
                  <td>
                    {/* A plain link: the download is a resource route, not a page. */}
                    <a href={`/incidents/${incident.id}/attachments/${a.id}`} download aria-label={t('attachments.download', { name: a.fileName })}>
                      {a.fileName}
                    </a>
                  </td>
                  <td>
                    <code>{a.contentType}</code>
                  </td>
                  <td>{formatSize(a.size, locale)}</td>
                  <td>
                    <code title={t('attachments.fullHash', { hash: a.sha256 })}>{`${a.sha256.slice(0, 12)}…`}</code>
                  </td>
                  <td>
                    {a.uploaderName} · {a.uploaderOrganisation}
                  </td>
                  <td>{formatDateTime(a.createdAt, locale, timeZone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {canAttach ? (
        <section className="panel narrow">
          <h2>{t('attachments.upload.heading')}</h2>
          {tooLarge ? (
            <div role="alert" className="form-error">
              {t('attachments.errors.tooLarge', { max })}
            </div>
          ) : (
            <FormError failure={failed} />
          )}
          <Form method="post" action={`/incidents/${incident.id}/attachments`} encType="multipart/form-data" className="stack">
            <Field name="file" type="file" label={t('attachments.upload.label')} hint={t('attachments.upload.hint', { max })} failure={failed} required />
            <p>
              <button type="submit" className="button">
                {t('attachments.upload.submit')}
              </button>
            </p>
          </Form>
        </section>
      ) : (
        <p className="muted">{t('attachments.notAllowed')}</p>
      )}
    </section>
  )
}
