import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { DRILL_KINDS, DRILL_ROLES, DRILL_SCOPES, type DrillLevel } from '../drills/lifecycle.ts'
import { DRILL_TLP_LABELS } from '../drills/schemas.ts'
import type { FormFailure } from '../lib/forms.ts'
import { CheckboxField, Field, FormError, SelectField } from './form.tsx'
import { TextAreaField } from './triage.tsx'

// The drill form (issue 6). A plain POST form that works without JavaScript; on a failed submit
// every field, checkbox group and session row comes back as the user left it.

export interface DrillFormFailure extends FormFailure {
  lists?: Record<string, string[]>
}

const SESSION_ROWS = 3

/** A group of checkboxes under one name, with its error tied to the group. */
function CheckboxGroup(props: { name: string; legend: string; options: { value: string; label: string }[]; checked: string[]; failure: DrillFormFailure | null; hint?: string }) {
  const { t } = useTranslation()
  const errors = props.failure?.fieldErrors[props.name] ?? []
  const errorId = `field-${props.name}-error`
  return (
    <fieldset className={`field${errors.length ? ' field--invalid' : ''}`} aria-describedby={errors.length ? errorId : undefined}>
      <legend>{props.legend}</legend>
      {props.hint ? <p className="hint">{props.hint}</p> : null}
      {props.options.map((o) => (
        <div className="field field--checkbox" key={o.value}>
          <input id={`field-${props.name}-${o.value}`} type="checkbox" name={props.name} value={o.value} defaultChecked={props.checked.includes(o.value)} />
          <label htmlFor={`field-${props.name}-${o.value}`}>{o.label}</label>
        </div>
      ))}
      {errors.length ? (
        <p id={errorId} className="field-error">
          {errors.map((e) => t(e)).join(' ')}
        </p>
      ) : null}
    </fieldset>
  )
}

export function DrillForm(props: {
  levels: DrillLevel[]
  clusterOptions: { id: string; name: string }[]
  organisationOptions: { id: string; name: string }[]
  failure: DrillFormFailure | null
  /** The zone the wall-clock fields are read in (the reader's, Asia/Ho_Chi_Minh by default). */
  timeZone: string
  /** Editing: the drill's current values, shown until a failed submit brings back the user's own. */
  initial?: { values: Record<string, string>; lists: Record<string, string[]> }
  /** Published: the fields that decide who is invited and who may read it are sent back unchanged. */
  fixed?: boolean
  submitLabel?: string
}) {
  const { t } = useTranslation()
  // A failed submit's values win over the drill's current ones; only the failure carries errors.
  const failed = props.failure
  const shown: DrillFormFailure | null = failed ?? (props.initial ? { ok: false, fieldErrors: {}, ...props.initial } : null)
  const list = (name: string, fallback: string[] = []) => (shown ? (shown.lists?.[name] ?? []) : fallback)
  const value = (name: string) => shown?.values[name] ?? ''
  const starts = list('sessionStarts')
  const ends = list('sessionEnds')
  const sessionErrors = [...(failed?.fieldErrors.sessionStarts ?? []), ...(failed?.fieldErrors.sessionEnds ?? [])]
  return (
    <Form method="post" noValidate>
      <FormError failure={failed} />
      <Field name="title" label={t('drills.fields.title')} required maxLength={300} failure={shown} />
      {props.fixed ? (
        <>
          <p className="hint">{t('drills.edit.fixed')}</p>
          {(['kind', 'level', 'tlp', 'scope', 'clusterId'] as const).map((name) => (
            <input key={name} type="hidden" name={name} value={value(name)} />
          ))}
          {list('organisationIds').map((id) => (
            <input key={id} type="hidden" name="organisationIds" value={id} />
          ))}
        </>
      ) : (
        <>
          <SelectField name="kind" label={t('drills.fields.kind')} failure={shown} options={DRILL_KINDS.map((k) => ({ value: k, label: t(`drills.kinds.${k}`) }))} />
          <SelectField name="level" label={t('drills.fields.level')} failure={shown} options={props.levels.map((l) => ({ value: l, label: t(`drills.levels.${l}`) }))} />
        </>
      )}
      <TextAreaField name="description" label={t('drills.fields.description')} failure={shown} rows={4} />
      <TextAreaField name="scenario" label={t('drills.fields.scenario')} hint={t('drills.hints.scenario')} failure={shown} rows={4} />
      <TextAreaField name="objectives" label={t('drills.fields.objectives')} failure={shown} rows={3} />
      <Field name="venue" label={t('drills.fields.venue')} maxLength={500} failure={shown} />
      <Field name="onlineUrl" type="url" label={t('drills.fields.onlineUrl')} maxLength={2000} failure={shown} />
      {props.fixed ? null : (
        <>
          <SelectField name="tlp" label={t('drills.fields.tlp')} defaultValue="GREEN" failure={shown} options={DRILL_TLP_LABELS.map((l) => ({ value: l, label: `TLP:${l}` }))} />

          <h2>{t('drills.create.participants')}</h2>
          <SelectField name="scope" label={t('drills.fields.scope')} failure={shown} options={DRILL_SCOPES.map((s) => ({ value: s, label: t(`drills.scopes.${s}`) }))} />
          <SelectField
            name="clusterId"
            label={t('drills.fields.clusterId')}
            failure={shown}
            options={[{ value: '', label: '—' }, ...props.clusterOptions.map((c) => ({ value: c.id, label: c.name }))]}
          />
          <CheckboxGroup
            name="organisationIds"
            legend={t('drills.fields.organisationIds')}
            hint={t('drills.hints.organisationIds')}
            options={props.organisationOptions.map((o) => ({ value: o.id, label: o.name }))}
            checked={list('organisationIds')}
            failure={shown}
          />
        </>
      )}
      <Field name="capacity" type="number" min={1} max={10000} label={t('drills.fields.capacity')} required failure={shown} />
      <Field name="perOrganisationCapacity" type="number" min={1} max={10000} label={t('drills.fields.perOrganisationCapacity')} hint={t('drills.hints.perOrganisationCapacity')} failure={shown} />
      <CheckboxGroup
        name="rolesOffered"
        legend={t('drills.fields.rolesOffered')}
        options={DRILL_ROLES.map((r) => ({ value: r, label: t(`drills.roles.${r}`) }))}
        checked={list('rolesOffered', ['participant', 'observer'])}
        failure={shown}
      />

      <h2>{t('drills.create.registration')}</h2>
      <Field name="registrationOpensAt" type="datetime-local" label={t('drills.fields.registrationOpensAt')} hint={t('drills.hints.times', { zone: props.timeZone })} required failure={shown} />
      <Field name="registrationClosesAt" type="datetime-local" label={t('drills.fields.registrationClosesAt')} hint={t('drills.hints.times', { zone: props.timeZone })} required failure={shown} />
      <CheckboxField name="requiresApproval" label={t('drills.fields.requiresApproval')} failure={shown} />

      <fieldset className={`field${sessionErrors.length ? ' field--invalid' : ''}`} aria-describedby={sessionErrors.length ? 'field-sessions-error' : undefined}>
        <legend>{t('drills.create.sessions')}</legend>
        <p className="hint">{t('drills.hints.times', { zone: props.timeZone })}</p>
        {Array.from({ length: Math.max(SESSION_ROWS, starts.length + 1) }, (_, i) => (
          <div key={i} className="inline-form">
            <label htmlFor={`field-sessionStarts-${i}`}>
              {t('drills.create.session', { n: i + 1 })} — {t('drills.fields.sessionStart')}
            </label>
            <input id={`field-sessionStarts-${i}`} type="datetime-local" name="sessionStarts" defaultValue={starts[i] ?? ''} />
            <label htmlFor={`field-sessionEnds-${i}`}>{t('drills.fields.sessionEnd')}</label>
            <input id={`field-sessionEnds-${i}`} type="datetime-local" name="sessionEnds" defaultValue={ends[i] ?? ''} />
          </div>
        ))}
        {sessionErrors.length ? (
          <p id="field-sessions-error" className="field-error">
            {[...new Set(sessionErrors)].map((e) => t(e)).join(' ')}
          </p>
        ) : null}
      </fieldset>
      <button type="submit">{props.submitLabel ?? t('drills.create.submit')}</button>
    </Form>
  )
}
