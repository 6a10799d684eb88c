import { useTranslation } from 'react-i18next'
import type { FormFailure } from '../lib/forms.ts'

// Accessible form pieces: every input has a label; errors are tied to their field with
// aria-describedby and aria-invalid; the form-level error is announced (role="alert").

type FieldProps = {
  name: string
  label: string
  failure?: FormFailure | null
  defaultValue?: string | null
  hint?: string
} & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'name' | 'defaultValue'>

export function Field({ name, label, failure, defaultValue, hint, type = 'text', ...rest }: FieldProps) {
  const { t } = useTranslation()
  const errors = failure?.fieldErrors[name] ?? []
  const id = `field-${name}`
  const describedBy = [hint ? `${id}-hint` : null, errors.length ? `${id}-error` : null].filter(Boolean).join(' ') || undefined
  const kept = type === 'password' ? undefined : (failure?.values[name] ?? defaultValue ?? undefined)
  return (
    <div className={`field${errors.length ? ' field--invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={kept}
        aria-invalid={errors.length ? true : undefined}
        aria-describedby={describedBy}
        {...rest}
      />
      {errors.length ? (
        <p id={`${id}-error`} className="field-error">
          {errors.map((e) => t(e, failure?.fieldParams?.[name])).join(' ')}
        </p>
      ) : null}
    </div>
  )
}

type SelectProps = {
  name: string
  label: string
  failure?: FormFailure | null
  defaultValue?: string | null
  options: { value: string; label: string }[]
} & Omit<React.SelectHTMLAttributes<HTMLSelectElement>, 'name' | 'defaultValue'>

export function SelectField({ name, label, failure, defaultValue, options, ...rest }: SelectProps) {
  const { t } = useTranslation()
  const errors = failure?.fieldErrors[name] ?? []
  const id = `field-${name}`
  return (
    <div className={`field${errors.length ? ' field--invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        defaultValue={failure?.values[name] ?? defaultValue ?? undefined}
        aria-invalid={errors.length ? true : undefined}
        aria-describedby={errors.length ? `${id}-error` : undefined}
        {...rest}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {errors.length ? (
        <p id={`${id}-error`} className="field-error">
          {errors.map((e) => t(e, failure?.fieldParams?.[name])).join(' ')}
        </p>
      ) : null}
    </div>
  )
}

export function CheckboxField({ name, label, defaultChecked, failure }: { name: string; label: string; defaultChecked?: boolean; failure?: FormFailure | null }) {
  const id = `field-${name}`
  const checked = failure ? failure.values[name] === 'on' : defaultChecked
  return (
    <div className="field field--checkbox">
      <input id={id} name={name} type="checkbox" defaultChecked={checked} />
      <label htmlFor={id}>{label}</label>
    </div>
  )
}

/** The form-level message (validation summary, throttling, conflicts). */
export function FormError({ failure }: { failure?: FormFailure | null }) {
  const { t } = useTranslation()
  if (!failure) return null
  const key = failure.formError ?? (Object.keys(failure.fieldErrors).length ? 'errors.validation' : null)
  if (!key) return null
  return (
    <div role="alert" className="form-error">
      {t(key, { seconds: failure.retryAfterSeconds ?? 0 })}
    </div>
  )
}

export function isFailure(value: unknown): value is FormFailure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false
}
