import { MaxPartSizeExceededError, redirect, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, isFailure, SelectField } from '../components/form.tsx'
import { SharingFields } from '../components/indicator-fields.tsx'
import { TextAreaField } from '../components/triage.tsx'
import { createImportDraft, IMPORT_MAX_BYTES, importInputFromForm, listImports } from '../iocs/imports.server.ts'
import { mayShareIndicators } from '../iocs/indicators.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

// Import from a file (issue 5): a CSV file, a STIX 2.1 bundle or a long text is stored as a draft
// and previewed on its own page (indicators.imports.$id), where it is confirmed and then saved
// by the worker with a progress bar. Works without JavaScript (a plain multipart form).

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Nhập chỉ dấu / Import indicators' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  if (!mayShareIndicators(acting)) loaderFailure(new DomainError('forbidden'))
  return { imports: await listImports(acting), timeZone: context.timeZone, discarded: new URL(request.url).searchParams.get('done') === 'discarded' }
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  let form: FormData
  try {
    form = await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: IMPORT_MAX_BYTES }))
  } catch (error) {
    if (!(error instanceof MaxPartSizeExceededError)) throw error
    const tooLarge = new DomainError('validation', 'errors.validation', { fieldErrors: { file: ['iocs.import.errors.tooLarge'] } })
    return failure(tooLarge, new FormData())
  }
  try {
    const { id } = await createImportDraft(acting, await importInputFromForm(form))
    return redirect(`/indicators/imports/${id}`)
  } catch (error) {
    // The file itself cannot be kept by a browser form; the typed fields are.
    form.delete('file')
    return failure(error, form)
  }
}

export default function ImportIndicatorsPage() {
  const { t, i18n } = useTranslation()
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  return (
    <section className="stack">
      <p>
        <Link to="/indicators">{t('iocs.detail.backToList')}</Link>
      </p>
      <h1>{t('iocs.import.title')}</h1>
      <p className="hint">{t('iocs.import.intro')}</p>
      {data.discarded ? (
        <p role="status" className="notice">
          {t('iocs.import.discarded')}
        </p>
      ) : null}
      <div className="panel">
        <Form method="post" encType="multipart/form-data" noValidate>
          <FormError failure={failed} />
          <Field name="file" type="file" label={t('iocs.import.file')} accept=".csv,.json,.txt,text/csv,application/json,text/plain" failure={failed} />
          <TextAreaField name="content" label={t('iocs.import.content')} rows={8} failure={failed} spellCheck={false} />
          <SelectField
            name="format"
            label={t('iocs.import.format')}
            defaultValue="auto"
            failure={failed}
            options={(['auto', 'text', 'csv', 'stix'] as const).map((f) => ({ value: f, label: t(`iocs.import.formats.${f}`) }))}
          />
          <p className="hint">{t('iocs.csv.hint')}</p>
          <SharingFields failure={failed} />
          <p>
            <button type="submit">{t('iocs.import.submit')}</button>
          </p>
        </Form>
      </div>
      <h2>{t('iocs.import.recent')}</h2>
      {data.imports.length === 0 ? (
        <p className="muted">{t('iocs.import.none')}</p>
      ) : (
        <ul className="stack">
          {data.imports.map((i) => (
            <li key={i.id}>
              <Link to={`/indicators/imports/${i.id}`}>{i.fileName || t('iocs.import.unnamed')}</Link> — {t(`iocs.import.status.${i.status}`)},{' '}
              {t('iocs.import.entries', { count: i.total })}, {formatDateTime(i.createdAt, i18n.language, data.timeZone)}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
