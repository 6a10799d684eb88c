import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { PreviewTable } from '../components/import-preview.tsx'
import { TlpBadge } from '../components/triage.tsx'
import { discardImport, getImport, queueImport } from '../iocs/imports.server.ts'
import { warninglistNames } from '../iocs/indicators.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

// One import: a draft's preview (counts over every entry, the first lines shown) with "save" and
// "discard"; once confirmed, a progress bar while the worker saves it — the page refreshes
// itself without JavaScript (a meta refresh) until it is done — then the result.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: 'CSIRT Net — Nhập chỉ dấu / Import' },
  // Follow the worker while it saves; a finished import's page stays still.
  ...(data && (data.import.status === 'queued' || data.import.status === 'running') ? [{ httpEquiv: 'refresh', content: '2' } as const] : []),
]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    const page = await getImport(acting, params.id ?? '')
    return { ...page, names: page.preview ? await warninglistNames(acting) : {}, timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  const id = params.id ?? ''
  try {
    if (form.get('intent') === 'discard') {
      await discardImport(acting, id)
      return redirect('/indicators/import?done=discarded')
    }
    await queueImport(acting, id)
    return redirect(`/indicators/imports/${id}`)
  } catch (error) {
    return failure(error, form)
  }
}

export default function ImportPage() {
  const { t, i18n } = useTranslation()
  const { import: state, preview, names, timeZone } = useLoaderData<typeof loader>()
  const when = (d: string | Date | null) => (d ? formatDateTime(d, i18n.language, timeZone) : '—')
  const working = state.status === 'queued' || state.status === 'running'
  const savable = preview ? preview.counts.valid + preview.counts.warninglisted > 0 : false
  return (
    <section className="stack">
      <p>
        <Link to="/indicators/import">{t('iocs.import.back')}</Link>
      </p>
      <h1>{t('iocs.import.detailTitle', { name: state.fileName || t('iocs.import.unnamed') })}</h1>
      <dl className="facts">
        <dt>{t('iocs.fields.status')}</dt>
        <dd data-status={state.status}>{t(`iocs.import.status.${state.status}`)}</dd>
        <dt>{t('iocs.import.format')}</dt>
        <dd>{t(`iocs.import.formats.${state.format}`)}</dd>
        <dt>{t('iocs.fields.tlp')}</dt>
        <dd>
          <TlpBadge tlp={state.tlp} />
        </dd>
        <dt>{t('iocs.import.entries', { count: state.total })}</dt>
        <dd>{when(state.createdAt)}</dd>
      </dl>
      {preview ? (
        <>
          <div className="panel">
            <PreviewTable lines={preview.lines} names={names} counts={preview.counts} />
          </div>
          {state.mayManage ? (
            <Form method="post" className="inline-form">
              {savable ? (
                <button type="submit" name="intent" value="queue">
                  {t('iocs.import.confirm')}
                </button>
              ) : null}
              <button type="submit" name="intent" value="discard" className="secondary">
                {t('iocs.import.discard')}
              </button>
            </Form>
          ) : null}
        </>
      ) : null}
      {working ? (
        <div className="panel" role="status" aria-live="polite">
          <label htmlFor="import-progress">{t('iocs.import.progress')}</label>{' '}
          <progress id="import-progress" max={state.total} value={state.processed}>
            {t('iocs.import.progressText', { processed: state.processed, total: state.total })}
          </progress>{' '}
          <span>{t('iocs.import.progressText', { processed: state.processed, total: state.total })}</span>
          <p className="hint">
            {t('iocs.import.autoRefresh')} <Link to={`/indicators/imports/${state.id}`}>{t('iocs.import.refresh')}</Link>
          </p>
        </div>
      ) : null}
      {state.status === 'failed' && state.error ? (
        <p role="alert" className="form-error">
          {t(state.error)}
        </p>
      ) : null}
      {state.status !== 'draft' ? (
        <div className="panel">
          <h2>{t('iocs.import.summaryTitle')}</h2>
          <dl className="facts" data-testid="import-summary">
            {(['created', 'duplicate', 'warninglisted', 'invalid', 'skipped'] as const).map((k) => (
              <div key={k}>
                <dt>{t(`iocs.import.summary.${k}`)}</dt>
                <dd data-count={k}>{state.summary[k]}</dd>
              </div>
            ))}
          </dl>
          {state.status === 'done' ? <p className="hint">{when(state.finishedAt)}</p> : null}
        </div>
      ) : null}
    </section>
  )
}
