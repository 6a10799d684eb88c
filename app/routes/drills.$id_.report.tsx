import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { ActionItemForm, ActionItems, ObservationForm, Observations, ReportForm, ReportStatus, ReportView } from '../components/drill-report.tsx'
import { FormError, isFailure } from '../components/form.tsx'
import { TlpBadge } from '../components/triage.tsx'
import { addActionItem, getDrillReport, publishReport, recordObservation, saveReport, setActionItemDone } from '../drills/report.server.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Báo cáo sau diễn tập / After-action report' }]

const DONE = ['observation', 'saved', 'published', 'actionItem', 'actionItemDone'] as const

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const done = new URL(request.url).searchParams.get('done')
  try {
    return { ...(await getDrillReport(acting, params.id)), done: DONE.find((d) => d === done) ?? null, timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  const input = formToObject(form)
  const back = (done: (typeof DONE)[number]) => redirect(`/drills/${params.id}/report?done=${done}`)
  try {
    switch (form.get('intent')) {
      case 'observe':
        await recordObservation(acting, params.id, input)
        return back('observation')
      case 'saveReport':
        await saveReport(acting, params.id, input)
        return back('saved')
      case 'publish':
        await publishReport(acting, params.id)
        return back('published')
      case 'addActionItem':
        await addActionItem(acting, params.id, input)
        return back('actionItem')
      case 'actionItemDone':
        await setActionItemDone(acting, params.id, input)
        return back('actionItemDone')
      default:
        throw new DomainError('validation')
    }
  } catch (error) {
    return failure(error, form)
  }
}

export default function DrillReportPage() {
  const { t } = useTranslation()
  const data = useLoaderData<typeof loader>()
  const { drill, can, timeZone } = data
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  return (
    <section className="stack narrow">
      <p>
        <Link to={`/drills/${drill.id}`}>{t('drills.afterAction.backToDrill')}</Link>
      </p>
      <h1>
        {t('drills.afterAction.reportTitle', { title: drill.title })} <TlpBadge tlp={drill.tlp} />
      </h1>
      {data.done ? (
        <p role="status" className="notice">
          {t(`drills.afterAction.done.${data.done}`)}
        </p>
      ) : null}
      <FormError failure={failed} />
      <div className="panel">
        {can.write ? (
          <>
            <ReportStatus report={data.report} timeZone={timeZone} />
            <ReportForm report={data.report} objectives={data.objectives} failure={failed} />
          </>
        ) : (
          <ReportView report={data.report} timeZone={timeZone} />
        )}
        {can.publish ? (
          <Form method="post">
            <p className="hint">{t('drills.afterAction.publishHint')}</p>
            <button type="submit" name="intent" value="publish">
              {t('drills.afterAction.publishReport')}
            </button>
          </Form>
        ) : null}
      </div>
      {data.report || can.write ? (
        <div className="panel">
          <h2>{t('drills.afterAction.actionItems')}</h2>
          <ActionItems items={data.actionItems} timeZone={timeZone} />
          {can.write ? <ActionItemForm participants={data.participants} failure={failed} /> : null}
        </div>
      ) : null}
      {can.observe ? (
        <div className="panel">
          <h2>{t('drills.afterAction.observations')}</h2>
          <Observations observations={data.observations} timeZone={timeZone} />
          <ObservationForm objectives={data.objectives} participants={data.participants} failure={failed} />
        </div>
      ) : null}
    </section>
  )
}
