import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { calendarDate, formatDateTime } from '../lib/dates.ts'

// The parts Form 03 and Form 04 share: the masthead of an administrative document, bilingual
// labels (Vietnamese always, the document's language; English under it when the UI is in
// English), the field table and the signature blocks an official signs and seals.

/** Labels in Vietnamese, with the English beneath when the reader uses English. */
export function usePrintText() {
  const { t, i18n } = useTranslation()
  const vi = i18n.getFixedT('vi')
  const english = i18n.language === 'en'
  const label = (key: string) => (
    <>
      {vi(key)}
      {english ? (
        <span className="print-form__en" lang="en">
          {t(key)}
        </span>
      ) : null}
    </>
  )
  /** A coded value (category, severity…): "Vietnamese / English" when the reader uses English. */
  const value = (key: string) => (english ? `${vi(key)} / ${t(key)}` : vi(key))
  return { t, vi, english, label, value }
}

export function PrintActions({ incidentId }: { incidentId: string }) {
  const { t } = useTranslation()
  return (
    <div className="print-form__actions">
      <Link to={`/incidents/${incidentId}`}>← {t('incidentList.print.backToIncident')}</Link>
      <span className="hint">{t('incidentList.print.printHint')}</span>
      <button type="button" onClick={() => window.print()}>
        {t('incidentList.print.print')}
      </button>
    </div>
  )
}

/** "……, ngày 4 tháng 3 năm 2026" in the reader's zone, or a blank line to fill in by hand. */
export function DateLine({ at, timeZone }: { at: Date | string | null; timeZone: string }) {
  const { vi } = usePrintText()
  if (!at) return <p className="print-form__date">{vi('incidentList.print.blankDate')}</p>
  const [year, month, day] = calendarDate(new Date(at), timeZone).split('-')
  return <p className="print-form__date">{vi('incidentList.print.placeDate', { day: Number(day), month: Number(month), year })}</p>
}

export function Masthead(props: { organisationName: string; reference: string; date: Date | string | null; timeZone: string }) {
  const { vi } = usePrintText()
  return (
    <header className="print-form__masthead">
      <div>
        <p className="print-form__org">{props.organisationName}</p>
        <p>{vi('incidentList.print.number', { reference: props.reference })}</p>
      </div>
      <div>
        <p className="print-form__country">{vi('incidentList.print.country')}</p>
        <p className="print-form__motto">{vi('incidentList.print.motto')}</p>
        <DateLine at={props.date} timeZone={props.timeZone} />
      </div>
    </header>
  )
}

export function FormTitle({ titleKey, legalKey }: { titleKey: string; legalKey: string }) {
  const { vi, t, english } = usePrintText()
  return (
    <>
      <h1 className="print-form__title">{vi(titleKey)}</h1>
      <p className="print-form__legal">{vi(legalKey)}</p>
      {english ? (
        <p className="print-form__legal" lang="en">
          {t(titleKey)} — {t(legalKey)}
        </p>
      ) : null}
    </>
  )
}

export type FieldRow = [labelKey: string, value: React.ReactNode]

export function FieldTable({ rows }: { rows: FieldRow[] }) {
  const { label, vi } = usePrintText()
  return (
    <table>
      <tbody>
        {rows.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{label(key)}</th>
            <td>{value === null || value === undefined || value === '' ? <span>{vi('incidentList.print.notProvided')}</span> : value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** A free-text answer; printed as written (React escapes it), or a space to write in. */
export function TextBlock({ text }: { text: string | null | undefined }) {
  return <div className={`print-form__text${text ? '' : ' print-form__blank'}`}>{text ?? ''}</div>
}

export function Signatures({ timeZone, date }: { timeZone: string; date: Date | string | null }) {
  const { label } = usePrintText()
  return (
    <footer className="print-form__signatures">
      <div>
        <DateLine at={date} timeZone={timeZone} />
        <p className="print-form__signature-role">{label('incidentList.print.signatures.reporter')}</p>
        <p className="print-form__signature-hint">{label('incidentList.print.signatures.reporterHint')}</p>
        <div className="print-form__signature-space" />
      </div>
      <div>
        <DateLine at={null} timeZone={timeZone} />
        <p className="print-form__signature-role">{label('incidentList.print.signatures.head')}</p>
        <p className="print-form__signature-hint">{label('incidentList.print.signatures.headHint')}</p>
        <div className="print-form__signature-space" />
      </div>
    </footer>
  )
}

export function PrintFooter({ printedAt, timeZone, tlp }: { printedAt: Date | string; timeZone: string; tlp: string }) {
  const { vi } = usePrintText()
  return (
    <>
      <p className="print-form__footer">{vi('incidentList.print.printedAt', { time: formatDateTime(printedAt, 'vi', timeZone) })}</p>
      {/* TLP 2.0: the label is shown where the reader sees it, at the top and the end of the document. */}
      <p className="print-form__tlp">TLP:{tlp}</p>
    </>
  )
}
