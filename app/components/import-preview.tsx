import { useTranslation } from 'react-i18next'
import type { PreviewLine } from '../iocs/import-pipeline.server.ts'
import { defang } from '../iocs/types.ts'

// The preview of an import, line by line: valid, duplicate, warninglisted (saved all the same),
// invalid with the normaliser's reason, or skipped (a file's entry that is no indicator at all).
// Shared by the paste page and a stored import's page, which passes the counts over every entry
// when it shows only the first lines.

export function PreviewTable({ lines, names, counts }: { lines: PreviewLine[]; names: Record<string, string>; counts?: Record<PreviewLine['status'], number> }) {
  const { t } = useTranslation()
  const count = (s: PreviewLine['status']) => (counts ? counts[s] : lines.filter((l) => l.status === s).length)
  const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : lines.length
  if (lines.length === 0) return <p className="muted">{t('iocs.paste.nothing')}</p>
  const detail = (l: PreviewLine) => {
    if (l.status === 'invalid') return l.reason ? t(`iocs.validation.${l.reason}`) : ''
    if (l.status === 'skipped') return l.skipReason ? t(`iocs.skip.${l.skipReason}`) : ''
    if (l.status === 'duplicate') return t(l.duplicateOf === 'organisation' ? 'iocs.preview.duplicateInOrganisation' : 'iocs.preview.duplicateInPaste')
    return l.warninglists.map((w) => names[w] ?? t(`iocs.warninglists.${w}`)).join('; ')
  }
  return (
    <div className="table-wrap">
      <table>
        <caption>
          {t('iocs.paste.previewCaption', { valid: count('valid'), warninglisted: count('warninglisted'), duplicate: count('duplicate'), invalid: count('invalid') })}
          {count('skipped') > 0 ? ` ${t('iocs.import.skippedCount', { count: count('skipped') })}` : ''}
          {total > lines.length ? ` ${t('iocs.import.firstLines', { shown: lines.length, total })}` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('iocs.fields.line')}</th>
            <th scope="col">{t('iocs.fields.raw')}</th>
            <th scope="col">{t('iocs.fields.type')}</th>
            <th scope="col">{t('iocs.fields.value')}</th>
            <th scope="col">{t('iocs.fields.status')}</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l, i) => (
            <tr key={i} data-status={l.status}>
              <td>{l.line}</td>
              <td>
                <code>{l.raw}</code>
              </td>
              <td>{l.type ? t(`iocs.types.${l.type}`) : '—'}</td>
              <td>{l.type && l.value ? <code>{defang(l.type, l.value)}</code> : '—'}</td>
              <td>
                <strong>{t(`iocs.preview.${l.status}`)}</strong> {detail(l)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

