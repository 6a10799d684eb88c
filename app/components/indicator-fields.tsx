import { useTranslation } from 'react-i18next'
import { PAP_LABELS } from '../iocs/schemas.ts'
import type { FormFailure } from '../lib/forms.ts'
import { TLP_LABELS } from '../policy/actor.ts'
import { Field, SelectField } from './form.tsx'
import { TextAreaField } from './triage.tsx'

// What an organisation says about the indicators it shares (one, or a whole paste): TLP, PAP,
// confidence, dates, tags, description. Kept on a failed submit like every other field.
export function SharingFields({ failure }: { failure: FormFailure | null }) {
  const { t } = useTranslation()
  return (
    <>
      <SelectField name="tlp" label={t('iocs.fields.tlp')} defaultValue="AMBER" failure={failure} options={TLP_LABELS.map((l) => ({ value: l, label: `TLP:${l}` }))} />
      <SelectField name="pap" label={t('iocs.fields.pap')} defaultValue="AMBER" failure={failure} options={PAP_LABELS.map((l) => ({ value: l, label: `PAP:${l}` }))} />
      <Field name="confidence" type="number" min={0} max={100} label={t('iocs.fields.confidence')} defaultValue="50" failure={failure} />
      <Field name="firstSeenAt" label={t('iocs.fields.firstSeenAt')} hint={t('iocs.hints.dates')} maxLength={40} failure={failure} />
      <Field name="lastSeenAt" label={t('iocs.fields.lastSeenAt')} hint={t('iocs.hints.dates')} maxLength={40} failure={failure} />
      <Field name="validUntil" label={t('iocs.fields.validUntil')} hint={t('iocs.hints.dates')} maxLength={40} failure={failure} />
      <Field name="tags" label={t('iocs.fields.tags')} maxLength={2000} failure={failure} />
      <TextAreaField name="description" label={t('iocs.fields.description')} rows={3} failure={failure} />
    </>
  )
}
