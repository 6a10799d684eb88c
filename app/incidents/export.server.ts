import { auditAs } from '../audit/audit.server.ts'
import { i18nFor, type Locale } from '../i18n/i18n.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { calendarDate, DEFAULT_TIME_ZONE } from '../lib/dates.ts'
import { csvLine, isoInZone } from '../lib/csv.ts'
import { validate } from '../lib/forms.ts'
import { EXPORT_CAP } from './finding.ts'
import { describeFilters, IncidentQuerySchema, incidentsForExport } from './search.server.ts'
import { rsitFor } from './taxonomy.ts'

// CSV export of the incident list: exactly the rows the list would show the viewer (the same
// conditions, hence the same visibility), without paging but with a hard cap. Partner text is
// untrusted: a title such as =cmd|' /C calc'!A0 must not become a formula in a spreadsheet
// (OWASP "CSV injection"), so such cells get a leading apostrophe. UTF-8 with a BOM so that
// Excel reads Vietnamese correctly. Every export is a sensitive read and is audited.

// The CSV cells and the zoned timestamps are shared with the drill exports (app/lib/csv.ts).
export { csvCell, csvLine, isoInZone } from '../lib/csv.ts'

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
