import { useTranslation } from 'react-i18next'
import { formatDateTime } from '../lib/dates.ts'
import type { FormFailure } from '../lib/forms.ts'

// Pieces shared by the escalation, triage and coordination pages.

type TextAreaProps = {
  name: string
  label: string
  failure?: FormFailure | null
  defaultValue?: string | null
  hint?: string
} & Omit<React.TextareaHTMLAttributes<HTMLTextAreaElement>, 'name' | 'defaultValue'>

/** A labelled textarea with its error tied to it, keeping the input on a failed submit (as Field does). */
export function TextAreaField({ name, label, failure, defaultValue, hint, ...rest }: TextAreaProps) {
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
        defaultValue={failure?.values[name] ?? defaultValue ?? undefined}
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

/** TLP labels are never translated (FIRST TLP 2.0). */
export function TlpBadge({ tlp }: { tlp: string | null | undefined }) {
  if (!tlp) return null
  return <span className={`tlp tlp--${tlp}`}>{`TLP:${tlp}`}</span>
}

/** "3 h", "2 d": how long something has waited. */
export function Age({ since, now }: { since: string | Date | null; now: string | Date }) {
  const { t } = useTranslation()
  if (!since) return <>—</>
  const ms = new Date(now).getTime() - new Date(since).getTime()
  const minutes = Math.max(0, Math.floor(ms / 60000))
  if (minutes < 60) return <>{t('triage.age.minutes', { count: minutes })}</>
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return <>{t('triage.age.hours', { count: hours })}</>
  return <>{t('triage.age.days', { count: Math.floor(hours / 24) })}</>
}

export interface HistoryEntry {
  id: string
  kind: string
  at: string | Date
  body: string | null
  data: unknown
  actorName: string | null
  actorOrganisation: string | null
}

/** The escalation's conversation: who escalated, asked, answered and decided, with their words. */
export function TriageHistory({ entries, timeZone }: { entries: HistoryEntry[]; timeZone: string }) {
  const { t, i18n } = useTranslation()
  if (entries.length === 0) return <p className="muted">{t('triage.history.empty')}</p>
  const label = (e: HistoryEntry) => {
    const data = (e.data ?? {}) as Record<string, unknown>
    if (e.kind === 'triaged') return data.decision === 'declined' ? t('triage.history.declined') : t('triage.history.accepted', { classification: t(`triage.classification.${String(data.classification ?? 'normal')}`) })
    if (e.kind === 'escalated') return t('triage.history.escalated', { urgency: t(`triage.urgency.${String(data.urgency ?? 'normal')}`) })
    if (e.kind === 'info_requested') return t('triage.history.infoRequested')
    return t('triage.history.infoProvided')
  }
  return (
    <ol className="plain-list stack">
      {entries.map((e) => (
        <li key={e.id}>
          <p>
            <strong>{label(e)}</strong>{' '}
            <span className="muted">
              {t('triage.history.by', { name: e.actorName ?? '—', organisation: e.actorOrganisation ?? '—' })} · {formatDateTime(e.at, i18n.language, timeZone)}
            </span>
          </p>
          {e.body ? <MultiLine text={e.body} /> : null}
        </li>
      ))}
    </ol>
  )
}

/** Partner text with its line breaks kept (React escapes it; no HTML is built from it). */
export function MultiLine({ text }: { text: string | null | undefined }) {
  if (!text) return null
  return (
    <p>
      {text.split(/\r?\n/).map((line, i) => (
        <span key={i}>
          {i > 0 ? <br /> : null}
          {line}
        </span>
      ))}
    </p>
  )
}
