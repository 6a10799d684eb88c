import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormError, isFailure } from '../components/form.tsx'
import { SharingFields } from '../components/indicator-fields.tsx'
import { PreviewTable } from '../components/import-preview.tsx'
import { TextAreaField } from '../components/triage.tsx'
import { mayShareIndicators, previewPaste, savePaste, warninglistNames, type PreviewLine } from '../iocs/indicators.server.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject, keptValues, type FormFailure } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

// Bulk paste (issue 5): preview first — every line valid, duplicate, warninglisted or invalid
// with its reason — then save. The save re-reads the text; the preview is never trusted.

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Dán báo cáo / Paste a report' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  if (!mayShareIndicators(acting)) loaderFailure(new DomainError('forbidden'))
  return null
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    const input = formToObject(form)
    if (form.get('intent') === 'save') {
      const saved = await savePaste(acting, input)
      return { ok: true as const, intent: 'save' as const, summary: { created: saved.created, duplicate: saved.duplicate, invalid: saved.invalid }, lines: [] as PreviewLine[], names: {}, values: {} }
    }
    const lines = await previewPaste(acting, input)
    return { ok: true as const, intent: 'preview' as const, summary: null, lines, names: await warninglistNames(acting), values: keptValues(form) }
  } catch (error) {
    return failure(error, form)
  }
}

export default function PasteIndicatorsPage() {
  const { t } = useTranslation()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const done = result && !isFailure(result) ? result : null
  // After a preview the form comes back as the user left it, ready to save.
  const kept: FormFailure | null = failed ?? (done?.intent === 'preview' ? { ok: false, fieldErrors: {}, values: done.values } : null)
  return (
    <section className="stack">
      <p>
        <Link to="/indicators">{t('iocs.detail.backToList')}</Link>
      </p>
      <h1>{t('iocs.paste.title')}</h1>
      <p className="hint">{t('iocs.paste.intro')}</p>
      {done?.summary ? (
        <p role="status" className="notice">
          {t('iocs.paste.saved', done.summary)} <Link to="/indicators">{t('iocs.detail.backToList')}</Link>
        </p>
      ) : null}
      {done?.intent === 'preview' ? (
        <div className="panel">
          <PreviewTable lines={done.lines} names={done.names} />
        </div>
      ) : null}
      <div className="panel">
        <Form method="post" noValidate>
          <FormError failure={failed} />
          <TextAreaField name="text" label={t('iocs.fields.text')} rows={12} failure={kept} spellCheck={false} />
          <SharingFields failure={kept} />
          <p className="inline-form">
            <button type="submit" name="intent" value="preview">
              {t('iocs.paste.previewSubmit')}
            </button>
            {done?.intent === 'preview' && done.lines.some((l) => l.status === 'valid' || l.status === 'warninglisted') ? (
              <button type="submit" name="intent" value="save">
                {t('iocs.paste.saveSubmit')}
              </button>
            ) : null}
          </p>
        </Form>
      </div>
    </section>
  )
}
