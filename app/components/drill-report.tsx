import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { OBJECTIVE_RESULTS } from '../drills/lifecycle.ts'
import { formatDate, formatDateTime } from '../lib/dates.ts'
import type { FormFailure } from '../lib/forms.ts'
import { Field, SelectField } from './form.tsx'
import { MultiLine, TextAreaField } from './triage.tsx'

// The pieces of the after-action report page (app/routes/drills.$id_.report.tsx): the report as
// read, its forms, the action items and the observations. Plain forms, one intent each.

type Option = { id: string; name: string }

interface Report {
  status: 'draft' | 'published'
  objectivesMet: string
  objectiveAssessments: { objective: string; result: string }[]
  observationsSummary: string
  recommendations: string
  publishedAt: string | Date | null
}

/** Draft or published, and when. */
export function ReportStatus({ report, timeZone }: { report: Report | null; timeZone: string }) {
  const { t, i18n } = useTranslation()
  if (!report) return <p className="muted">{t('drills.afterAction.noReport')}</p>
  return (
    <p className="notice">
      {report.status === 'published'
        ? t('drills.afterAction.reportPublished', { at: formatDateTime(report.publishedAt, i18n.language, timeZone) })
        : t('drills.afterAction.reportDraft')}
    </p>
  )
}

export function ReportView({ report, timeZone }: { report: Report | null; timeZone: string }) {
  const { t } = useTranslation()
  if (!report) return <ReportStatus report={report} timeZone={timeZone} />
  return (
    <>
      <ReportStatus report={report} timeZone={timeZone} />
      <h2>{t('drills.afterAction.objectivesMet')}</h2>
      {report.objectiveAssessments.length > 0 ? (
        <ul>
          {report.objectiveAssessments.map((a) => (
            <li key={a.objective}>
              {a.objective}: <strong>{t(`drills.objectiveResults.${a.result}`)}</strong>
            </li>
          ))}
        </ul>
      ) : null}
      <MultiLine text={report.objectivesMet || '—'} />
      <h2>{t('drills.afterAction.observationsSummary')}</h2>
      <MultiLine text={report.observationsSummary || '—'} />
      <h2>{t('drills.afterAction.recommendations')}</h2>
      <MultiLine text={report.recommendations || '—'} />
    </>
  )
}

export function ReportForm({ report, objectives, failure }: { report: Report | null; objectives: string[]; failure: FormFailure | null }) {
  const { t } = useTranslation()
  const current = (objective: string) => report?.objectiveAssessments.find((a) => a.objective === objective)?.result ?? ''
  return (
    <Form method="post" className="stack">
      {objectives.map((objective, i) => (
        <SelectField
          key={objective}
          name={`assessment_${i}`}
          label={t('drills.afterAction.objectiveResult', { objective })}
          failure={failure}
          defaultValue={current(objective)}
          options={[{ value: '', label: t('drills.afterAction.notAssessed') }, ...OBJECTIVE_RESULTS.map((r) => ({ value: r, label: t(`drills.objectiveResults.${r}`) }))]}
        />
      ))}
      <TextAreaField name="objectivesMet" label={t('drills.afterAction.objectivesMet')} failure={failure} defaultValue={report?.objectivesMet} rows={4} />
      <TextAreaField name="observationsSummary" label={t('drills.afterAction.observationsSummary')} failure={failure} defaultValue={report?.observationsSummary} rows={6} />
      <TextAreaField name="recommendations" label={t('drills.afterAction.recommendations')} failure={failure} defaultValue={report?.recommendations} rows={6} />
      <button type="submit" name="intent" value="saveReport">
        {t('drills.afterAction.saveReport')}
      </button>
    </Form>
  )
}

interface ActionItem {
  id: string
  description: string
  ownerName: string
  dueOn: string
  doneAt: string | Date | null
  doneByName: string | null
  mayUpdate: boolean
}

export function ActionItems({ items, timeZone }: { items: ActionItem[]; timeZone: string }) {
  const { t, i18n } = useTranslation()
  if (items.length === 0) return <p className="muted">{t('drills.afterAction.noActionItems')}</p>
  return (
    <div className="table-wrap">
      <table>
        <caption className="muted">{t('drills.afterAction.actionItemsCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('drills.afterAction.description')}</th>
            <th scope="col">{t('drills.afterAction.owner')}</th>
            <th scope="col">{t('drills.afterAction.dueOn')}</th>
            <th scope="col">{t('drills.afterAction.state')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              <td>{item.description}</td>
              <td>{item.ownerName}</td>
              <td>{formatDate(item.dueOn, i18n.language)}</td>
              <td>
                {item.doneAt
                  ? t('drills.afterAction.doneBy', { at: formatDateTime(item.doneAt, i18n.language, timeZone), name: item.doneByName ?? '' })
                  : t('drills.afterAction.open')}
                {item.mayUpdate ? (
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="itemId" value={item.id} />
                    <input type="hidden" name="done" value={item.doneAt ? 'false' : 'true'} />
                    <button type="submit" name="intent" value="actionItemDone" className="secondary">
                      {item.doneAt ? t('drills.afterAction.reopen') : t('drills.afterAction.markDone')}
                    </button>
                  </Form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function ActionItemForm({ participants, failure }: { participants: Option[]; failure: FormFailure | null }) {
  const { t } = useTranslation()
  return (
    <Form method="post" className="stack">
      <h3>{t('drills.afterAction.addActionItem')}</h3>
      <TextAreaField name="description" label={t('drills.afterAction.description')} failure={failure} rows={2} />
      <SelectField name="ownerOrganisationId" label={t('drills.afterAction.owner')} failure={failure} options={participants.map((p) => ({ value: p.id, label: p.name }))} />
      <Field name="dueOn" type="date" label={t('drills.afterAction.dueOn')} hint={t('drills.afterAction.dueOnHint')} failure={failure} />
      <button type="submit" name="intent" value="addActionItem">
        {t('drills.afterAction.addActionItem')}
      </button>
    </Form>
  )
}

interface Observation {
  id: string
  objective: string | null
  score: number | null
  text: string
  organisationName: string | null
  recordedByName: string
  recordedAt: string | Date
}

export function Observations({ observations, timeZone }: { observations: Observation[]; timeZone: string }) {
  const { t, i18n } = useTranslation()
  if (observations.length === 0) return <p className="muted">{t('drills.afterAction.noObservations')}</p>
  return (
    <ul className="stack">
      {observations.map((o) => (
        <li key={o.id}>
          <MultiLine text={o.text} />
          <p className="muted">
            {[o.objective, o.organisationName, o.score !== null ? t('drills.afterAction.scoreValue', { score: o.score }) : null].filter(Boolean).join(' · ')}
            {' — '}
            {t('drills.afterAction.recordedBy', { name: o.recordedByName, at: formatDateTime(o.recordedAt, i18n.language, timeZone) })}
          </p>
        </li>
      ))}
    </ul>
  )
}

export function ObservationForm({ objectives, participants, failure }: { objectives: string[]; participants: Option[]; failure: FormFailure | null }) {
  const { t } = useTranslation()
  return (
    <Form method="post" className="stack">
      <TextAreaField name="text" label={t('drills.afterAction.observationText')} failure={failure} rows={3} />
      <SelectField
        name="objective"
        label={t('drills.afterAction.objective')}
        failure={failure}
        options={[{ value: '', label: t('drills.afterAction.anyObjective') }, ...objectives.map((o) => ({ value: o, label: o }))]}
      />
      <SelectField
        name="organisationId"
        label={t('drills.afterAction.organisation')}
        failure={failure}
        options={[{ value: '', label: t('drills.afterAction.anyOrganisation') }, ...participants.map((p) => ({ value: p.id, label: p.name }))]}
      />
      <SelectField
        name="score"
        label={t('drills.afterAction.score')}
        failure={failure}
        options={[{ value: '', label: t('drills.afterAction.noScore') }, ...['1', '2', '3', '4', '5'].map((s) => ({ value: s, label: s }))]}
      />
      <button type="submit" name="intent" value="observe">
        {t('drills.afterAction.recordObservation')}
      </button>
    </Form>
  )
}
