import { auditAs } from '../audit/audit.server.ts'
import { i18nFor, type Locale } from '../i18n/i18n.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { calendarDate, DEFAULT_TIME_ZONE } from '../lib/dates.ts'
import { validate } from '../lib/forms.ts'
import { EXPORT_CAP } from './finding.ts'
import { describeFilters, IncidentQuerySchema, incidentsForExport } from './search.server.ts'
import { rsitFor } from './taxonomy.ts'

// CSV export of the incident list: exactly the rows the list would show the viewer (the same
// conditions, hence the same visibility), without paging but with a hard cap. Partner text is
// untrusted: a title such as =cmd|' /C calc'!A0 must not become a formula in a spreadsheet
// (OWASP "CSV injection"), so such cells get a leading apostrophe. UTF-8 with a BOM so that
// Excel reads Vietnamese correctly. Every export is a sensitive read and is audited.

const FORMULA_START = /^[=+\-@\t\r]/

/** One quoted CSV field, neutralised against formula injection. */
export function csvCell(value: string | null | undefined): string {
  const text = value ?? ''
  const safe = FORMULA_START.test(text) ? `'${text}` : text
  return `"${safe.replace(/"/g, '""')}"`
}

export function csvLine(cells: (string | null | undefined)[]): string {
  return cells.map(csvCell).join(',')
}

/** An instant as ISO 8601 with the offset of the viewer's zone: 2026-03-04T10:15:00+07:00. */
export function isoInZone(value: Date | null | undefined, timeZone: string): string {
  if (!value) return ''
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(value)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00'
  const wall = Date.UTC(Number(get('year')), Number(get('month')) - 1, Number(get('day')), Number(get('hour')), Number(get('minute')), Number(get('second')))
  const offsetMinutes = Math.round((wall - Math.floor(value.getTime() / 1000) * 1000) / 60_000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offset}`
}

const COLUMNS = [
  'reference',
  'title',
  'status',
  'category',
  'rsit',
  'severity',
  'tlp',
  'reportingOrganisation',
  'detectedAt',
  'submittedAt',
  'acknowledgedAt',
  'resolvedAt',
  'closedAt',
  'escalated',
  'triageStatus',
] as const

export interface ExportOptions {
  timeZone?: string
  locale?: Locale
}

/**
 * The CSV of the incidents the actor may see under the given filters (the list's query
 * string; a cursor is ignored), in the list's order, and the audit entry that records it.
 */
export async function exportIncidentsCsv(acting: ActingContext, input: unknown, options: ExportOptions = {}) {
  const query = validate(IncidentQuerySchema, input)
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE
  const locale = options.locale ?? 'vi'
  const t = i18nFor(locale).getFixedT(locale)
  const filters = describeFilters(query)

  const { rows, truncated } = await acting.services.db.transaction(async (tx) => {
    const fetched = await incidentsForExport(acting, tx, query, timeZone, EXPORT_CAP + 1)
    const rows = fetched.slice(0, EXPORT_CAP)
    const truncated = fetched.length > EXPORT_CAP
    await auditAs(tx, acting, {
      action: 'incident.exported',
      objectType: 'incident',
      details: { format: 'csv', filters, rowCount: rows.length, truncated },
    })
    return { rows, truncated }
  })

  const lines = [csvLine(COLUMNS.map((c) => t(`incidentList.csv.${c}`)))]
  for (const r of rows) {
    lines.push(
      csvLine([
        r.reference,
        r.title,
        t(`incidentList.statuses.${r.status}`),
        t(`incidentList.categories.${r.category}`, { defaultValue: r.category }),
        rsitFor(r.category),
        t(`incidentList.severities.${r.severity}`),
        r.tlp,
        r.reportingOrganisationName,
        isoInZone(r.detectedAt, timeZone),
        isoInZone(r.submittedAt, timeZone),
        isoInZone(r.acknowledgedAt, timeZone),
        isoInZone(r.resolvedAt, timeZone),
        isoInZone(r.closedAt, timeZone),
        r.escalatedAt ? t('incidentList.csv.yes') : t('incidentList.csv.no'),
        r.triageStatus ? t(`incidentList.triageStatuses.${r.triageStatus}`) : '',
      ]),
    )
  }
  // RFC 4180 line breaks; the BOM tells Excel the file is UTF-8.
  const body = `\uFEFF${lines.join('\r\n')}\r\n`
  return {
    body,
    rowCount: rows.length,
    truncated,
    filename: `incidents-${calendarDate(acting.services.now(), timeZone)}.csv`,
  }
}
