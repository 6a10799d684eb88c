import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { dateToLocalDateTime } from '../lib/dates.ts'
import { DETECTION_METHODS, INCIDENT_CATEGORY_CODES, NOTIFIED_PARTIES, PAP_LABELS, SERIOUS_HARMS, SEVERITIES } from '../incidents/taxonomy.ts'
import type { FormFailure } from '../lib/forms.ts'
import { TLP_LABELS } from '../policy/actor.ts'
import { CheckboxField, Field, FormError, SelectField } from './form.tsx'

// The initial report (Form 03) as one form, used to file a report and to edit it. Grouped in
// fieldsets as the paper form is; works without JavaScript; on error every value comes back,
// including checkbox groups and the recipients (carried in `failure.lists`).

export interface IncidentFormFailure extends FormFailure {
  lists?: Record<string, string[]>
}

export interface IncidentFormDefaults {
  values: Record<string, string>
  lists: Record<string, string[]>
}

interface RecipientOption {
  id: string
  name: string
  organisationName: string
}

/** Defaults for the edit form from a stored incident (as the loader serialises it). */
export function incidentFormDefaults(
  incident: {
    title: string
    description: string
    detectedAt: Date | string | null
    handled: boolean
    detectionMethods: string[]
    detectionDetail: string | null
    alreadyNotified: string[]
    category: string
    severity: string
    seriousCriteria: Record<string, boolean>
    tlp: string
    pap: string
    confidential: boolean
    contactName: string | null
    contactTitle: string | null
    contactPhone: string | null
    contactEmail: string | null
    systemName: string | null
    systemDomains: string[]
    systemPublicIps: string[]
    systemLevel: number | null
    systemOwner: string | null
    systemOperator: string | null
    systemIsp: string | null
    securityProvider: string | null
    environmentOs: string | null
    environmentServices: string | null
    environmentControls: string | null
    supportRequested: string | null
  },
  recipientIds: string[],
  timeZone: string,
): IncidentFormDefaults {
  const text = (v: string | null | undefined) => v ?? ''
  const on = (v: boolean | undefined) => (v ? 'on' : '')
  return {
    values: {
      title: incident.title,
      description: incident.description,
      detectedAt: dateToLocalDateTime(incident.detectedAt, timeZone),
      handled: on(incident.handled),
      detectionDetail: text(incident.detectionDetail),
      category: incident.category,
      severity: incident.severity,
      criticalNationalSystem: on(incident.seriousCriteria.criticalNationalSystem),
      beyondOwnerCapacity: on(incident.seriousCriteria.beyondOwnerCapacity),
      tlp: incident.tlp,
      pap: incident.pap,
      confidential: on(incident.confidential),
      contactName: text(incident.contactName),
      contactTitle: text(incident.contactTitle),
      contactPhone: text(incident.contactPhone),
      contactEmail: text(incident.contactEmail),
      systemName: text(incident.systemName),
      systemDomains: incident.systemDomains.join('\n'),
      systemPublicIps: incident.systemPublicIps.join('\n'),
      systemLevel: incident.systemLevel ? String(incident.systemLevel) : '',
      systemOwner: text(incident.systemOwner),
      systemOperator: text(incident.systemOperator),
      systemIsp: text(incident.systemIsp),
      securityProvider: text(incident.securityProvider),
      environmentOs: text(incident.environmentOs),
      environmentServices: text(incident.environmentServices),
      environmentControls: text(incident.environmentControls),
      supportRequested: text(incident.supportRequested),
    },
    lists: {
      detectionMethods: incident.detectionMethods,
      alreadyNotified: incident.alreadyNotified,
      seriousHarms: SERIOUS_HARMS.filter((h) => incident.seriousCriteria[h]),
      recipientIds,
    },
  }
}

export function TextAreaField({
  name,
  label,
  failure,
  defaultValue,
  hint,
  rows = 4,
  maxLength,
  required,
}: {
  name: string
  label: string
  failure?: FormFailure | null
  defaultValue?: string | null
  hint?: string
  rows?: number
  maxLength?: number
  required?: boolean
}) {
  const { t } = useTranslation()
  const errors = failure?.fieldErrors[name] ?? []
  const id = `field-${name}`
  const describedBy = [hint ? `${id}-hint` : null, errors.length ? `${id}-error` : null].filter(Boolean).join(' ') || undefined
  return (
    <div className={`field${errors.length ? ' field--invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      <textarea
        id={id}
        name={name}
        rows={rows}
        maxLength={maxLength}
        required={required}
        defaultValue={failure?.values[name] ?? defaultValue ?? undefined}
        aria-invalid={errors.length ? true : undefined}
        aria-describedby={describedBy}
      />
      {errors.length ? (
        <p id={`${id}-error`} className="field-error">
          {errors.map((e) => t(e)).join(' ')}
        </p>
      ) : null}
    </div>
  )
}

/** A group of checkboxes sending one name many times. */
function ChoiceGroup({
  name,
  legend,
  options,
  checked,
  failure,
}: {
  name: string
  legend: string
  options: { value: string; label: string }[]
  checked: string[]
  failure?: FormFailure | null
}) {
  const { t } = useTranslation()
  const errors = failure?.fieldErrors[name] ?? []
  return (
    <fieldset className={`field${errors.length ? ' field--invalid' : ''}`} aria-describedby={errors.length ? `field-${name}-error` : undefined}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <div className="field field--checkbox" key={o.value}>
          <input id={`field-${name}-${o.value}`} type="checkbox" name={name} value={o.value} defaultChecked={checked.includes(o.value)} />
          <label htmlFor={`field-${name}-${o.value}`}>{o.label}</label>
        </div>
      ))}
      {errors.length ? (
        <p id={`field-${name}-error`} className="field-error">
          {errors.map((e) => t(e)).join(' ')}
        </p>
      ) : null}
    </fieldset>
  )
}

export function IncidentForm({
  defaults,
  failure,
  recipientOptions,
  timeZone,
  mode,
}: {
  defaults: IncidentFormDefaults
  failure: IncidentFormFailure | null
  recipientOptions: RecipientOption[]
  timeZone: string
  /** A new report or a draft offers "save draft" and "submit"; a submitted one only "save". */
  mode: 'draft' | 'submitted'
}) {
  const { t } = useTranslation()
  const v = defaults.values
  const list = (name: string) => (failure ? (failure.lists?.[name] ?? []) : (defaults.lists[name] ?? []))
  const check = (name: string) => v[name] === 'on'
  const field = (name: string) => ({ name, label: t(`incidents.fields.${name}`), failure, defaultValue: v[name] ?? '' })
  const recipientErrors = failure?.fieldErrors.recipientIds ?? []

  return (
    <Form method="post" noValidate className="stack">
      <FormError failure={failure} />

      <fieldset className="panel">
        <legend>{t('incidents.legends.incident')}</legend>
        <Field {...field('title')} hint={t('incidents.hints.title')} required maxLength={300} />
        <TextAreaField {...field('description')} rows={6} maxLength={20000} />
        <Field {...field('detectedAt')} type="datetime-local" hint={t('incidents.hints.detectedAt', { zone: timeZone })} />
        <CheckboxField name="handled" label={t('incidents.fields.handled')} defaultChecked={check('handled')} failure={failure} />
        <ChoiceGroup
          name="detectionMethods"
          legend={t('incidents.fields.detectionMethods')}
          options={DETECTION_METHODS.map((m) => ({ value: m, label: t(`incidents.detectionMethods.${m}`) }))}
          checked={list('detectionMethods')}
          failure={failure}
        />
        <TextAreaField {...field('detectionDetail')} rows={3} maxLength={2000} />
        <ChoiceGroup
          name="alreadyNotified"
          legend={t('incidents.fields.alreadyNotified')}
          options={NOTIFIED_PARTIES.map((p) => ({ value: p, label: t(`incidents.notifiedParties.${p}`) }))}
          checked={list('alreadyNotified')}
          failure={failure}
        />
      </fieldset>

      <fieldset className="panel">
        <legend>{t('incidents.legends.classification')}</legend>
        <SelectField
          {...field('category')}
          options={[{ value: '', label: t('incidents.notSet') }, ...INCIDENT_CATEGORY_CODES.map((c) => ({ value: c, label: t(`incidents.categories.${c}`) }))]}
        />
        <SelectField {...field('severity')} options={SEVERITIES.map((s) => ({ value: s, label: t(`incidents.severity.${s}`) }))} />
        <fieldset>
          <legend>{t('incidents.legends.serious')}</legend>
          <p className="hint">{t('incidents.hints.serious')}</p>
          <CheckboxField
            name="criticalNationalSystem"
            label={t('incidents.fields.criticalNationalSystem')}
            defaultChecked={check('criticalNationalSystem')}
            failure={failure}
          />
          <ChoiceGroup
            name="seriousHarms"
            legend={t('incidents.fields.seriousHarms')}
            options={SERIOUS_HARMS.map((h) => ({ value: h, label: t(`incidents.harms.${h}`) }))}
            checked={list('seriousHarms')}
            failure={failure}
          />
          <CheckboxField name="beyondOwnerCapacity" label={t('incidents.fields.beyondOwnerCapacity')} defaultChecked={check('beyondOwnerCapacity')} failure={failure} />
        </fieldset>
      </fieldset>

      <fieldset className="panel">
        <legend>{t('incidents.legends.sharing')}</legend>
        <p className="hint">{t('incidents.hints.tlp')}</p>
        <SelectField {...field('tlp')} options={TLP_LABELS.map((l) => ({ value: l, label: `TLP:${l} — ${t(`incidents.tlpHelp.${l}`)}` }))} />
        <div className={`field${recipientErrors.length ? ' field--invalid' : ''}`}>
          <label htmlFor="field-recipientIds">{t('incidents.fields.recipientIds')}</label>
          <p id="field-recipientIds-hint" className="hint">
            {t('incidents.hints.recipients')}
          </p>
          <select
            id="field-recipientIds"
            name="recipientIds"
            multiple
            size={Math.min(8, Math.max(3, recipientOptions.length))}
            defaultValue={list('recipientIds')}
            aria-invalid={recipientErrors.length ? true : undefined}
            aria-describedby={['field-recipientIds-hint', recipientErrors.length ? 'field-recipientIds-error' : null].filter(Boolean).join(' ')}
          >
            {recipientOptions.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} — {r.organisationName}
              </option>
            ))}
          </select>
          {recipientErrors.length ? (
            <p id="field-recipientIds-error" className="field-error">
              {recipientErrors.map((e) => t(e)).join(' ')}
            </p>
          ) : null}
        </div>
        <SelectField {...field('pap')} options={PAP_LABELS.map((l) => ({ value: l, label: `PAP:${l} — ${t(`incidents.papHelp.${l}`)}` }))} />
        <CheckboxField name="confidential" label={t('incidents.fields.confidential')} defaultChecked={check('confidential')} failure={failure} />
      </fieldset>

      <fieldset className="panel">
        <legend>{t('incidents.legends.contact')}</legend>
        <p className="hint">{t('incidents.hints.contact')}</p>
        <Field {...field('contactName')} maxLength={200} autoComplete="name" />
        <Field {...field('contactTitle')} maxLength={200} autoComplete="organization-title" />
        <Field {...field('contactPhone')} type="tel" maxLength={40} autoComplete="tel" />
        <Field {...field('contactEmail')} type="email" maxLength={254} autoComplete="email" />
      </fieldset>

      <fieldset className="panel">
        <legend>{t('incidents.legends.system')}</legend>
        <Field {...field('systemName')} maxLength={300} />
        <TextAreaField {...field('systemDomains')} rows={3} hint={t('incidents.hints.systemDomains')} />
        <TextAreaField {...field('systemPublicIps')} rows={3} hint={t('incidents.hints.systemPublicIps')} />
        <SelectField
          {...field('systemLevel')}
          options={[{ value: '', label: t('incidents.notSet') }, ...['1', '2', '3', '4', '5'].map((l) => ({ value: l, label: t(`incidents.systemLevels.${l}`) }))]}
        />
        <Field {...field('systemOwner')} maxLength={300} />
        <Field {...field('systemOperator')} maxLength={300} />
        <Field {...field('systemIsp')} maxLength={200} />
        <Field {...field('securityProvider')} maxLength={200} />
      </fieldset>

      <fieldset className="panel">
        <legend>{t('incidents.legends.support')}</legend>
        <TextAreaField {...field('environmentOs')} rows={2} maxLength={2000} />
        <TextAreaField {...field('environmentServices')} rows={2} maxLength={2000} />
        <TextAreaField {...field('environmentControls')} rows={3} maxLength={2000} />
        <TextAreaField {...field('supportRequested')} rows={3} maxLength={5000} />
      </fieldset>

      <div className="inline-form">
        {mode === 'draft' ? (
          <>
            {/* First in the form, so that pressing Enter in a field saves rather than submits. */}
            <button type="submit" name="intent" value="draft" className="secondary">
              {t('incidents.buttons.saveDraft')}
            </button>
            <button type="submit" name="intent" value="submit">
              {t('incidents.buttons.submitReport')}
            </button>
          </>
        ) : (
          <button type="submit" name="intent" value="save">
            {t('incidents.buttons.saveChanges')}
          </button>
        )}
      </div>
    </Form>
  )
}
