import { and, desc, eq, gte, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Executor } from '../../db/client.ts'
import { indicators, organisations } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { csvDocument, csvLine, isoInZone } from '../lib/csv.ts'
import { calendarDate, DEFAULT_TIME_ZONE } from '../lib/dates.ts'
import { validate } from '../lib/forms.ts'
import { visibleIndicatorsWhere } from '../policy/policy.server.ts'
import type { IndicatorRow } from './access.server.ts'
import { SharingSchema } from './schemas.ts'
import { stixBundle, stixIdentity, stixIndicator, TLP_MARKING_DEFINITIONS, type StixObject } from './stix.ts'
import { INDICATOR_TYPES } from './types.ts'
import type { TlpLabel } from '../policy/actor.ts'

// Exports of the indicators a viewer may see (issue 5): a SIEM or a spreadsheet takes the
// network's feed away. Every door goes through the one policy (docs/decisions/004): the rows are
// those visibleIndicatorsWhere admits — the list's condition — and nothing here decides
// visibility. Every export is a sensitive read and is audited, like the incident export.
// indicatorsForExport is the shared read; each format (CSV, a STIX 2.1 bundle) writes its own file.

/**
 * The most indicators one export carries. A national feed today is some tens of thousands; a CSV
 * of 100,000 rows is tens of megabytes, built in memory. Past it the export says it was cut
 * (`truncated`) and the caller pages with `since`.
 */
export const INDICATOR_EXPORT_CAP = 100_000

/** An export's filters, from a query string or the API: both optional, both checked. */
export const IndicatorExportQuerySchema = z.object({
  type: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.enum(INDICATOR_TYPES, { error: 'validation.invalid' }).optional()),
  /** Shared at or after this instant (a date, or ISO 8601 with its offset, as in the forms). */
  since: SharingSchema.shape.firstSeenAt,
})
export type IndicatorExportQuery = z.output<typeof IndicatorExportQuerySchema>

/** The formats an export is written in (the API's ?format=). */
export const INDICATOR_EXPORT_FORMATS = ['csv', 'stix'] as const
export type IndicatorExportFormat = (typeof INDICATOR_EXPORT_FORMATS)[number]
export const IndicatorExportFormatSchema = z.object({
  format: z
    .string()
    .optional()
    .transform((v) => (v ? v : 'csv'))
    .pipe(z.enum(INDICATOR_EXPORT_FORMATS, { error: 'validation.invalid' })),
})

/** One exported indicator and the organisation that shared it (a STIX identity needs its id and creation). */
export interface ExportedIndicator {
  indicator: IndicatorRow
  source: { id: string; name: string; createdAt: Date }
}

/**
 * The indicators the actor (a person, or a token as its organisation) may see under the filters,
 * newest first, at most `limit` of them. Pass `db` to read inside the caller's transaction.
 */
export async function indicatorsForExport(
  acting: ActingContext,
  input: unknown,
  { db = acting.services.db, limit = INDICATOR_EXPORT_CAP }: { db?: Executor; limit?: number } = {},
): Promise<{ rows: ExportedIndicator[]; truncated: boolean; query: IndicatorExportQuery }> {
  const query = validate(IndicatorExportQuerySchema, input)
  const conditions: SQL[] = [visibleIndicatorsWhere(acting.actor)]
  if (query.type) conditions.push(eq(indicators.type, query.type))
  if (query.since) conditions.push(gte(indicators.createdAt, query.since))
  const cap = Math.min(Math.max(1, Math.floor(limit)), INDICATOR_EXPORT_CAP)
  const fetched = await db
    .select({ indicator: indicators, source: { id: organisations.id, name: organisations.shortName, createdAt: organisations.createdAt } })
    .from(indicators)
    .innerJoin(organisations, eq(organisations.id, indicators.sourceOrganisationId))
    .where(and(...conditions))
    .orderBy(desc(indicators.createdAt), desc(indicators.id))
    .limit(cap + 1)
  return { rows: fetched.slice(0, cap), truncated: fetched.length > cap, query }
}

/** The rows of an export and its audit entry, in one transaction: no export goes unrecorded. */
async function readForExport(acting: ActingContext, input: unknown, format: IndicatorExportFormat) {
  return acting.services.db.transaction(async (tx) => {
    const result = await indicatorsForExport(acting, input, { db: tx })
    await auditAs(tx, acting, {
      action: 'indicator.exported',
      objectType: 'indicator',
      details: {
        format,
        filters: { type: result.query.type ?? null, since: result.query.since?.toISOString() ?? null },
        rowCount: result.rows.length,
        truncated: result.truncated,
        apiTokenId: acting.actor.apiTokenId ?? null,
      },
    })
    return result
  })
}

/**
 * The columns of the CSV import (app/iocs/csv.ts) under the same names, so that an export
 * re-imports as it is, then who shared each indicator and its id (which the import ignores).
 * The names are machine names, not translated: the file is for programs as much as people.
 */
export const INDICATOR_CSV_COLUMNS = ['type', 'value', 'tlp', 'confidence', 'first_seen', 'last_seen', 'valid_until', 'tags', 'description', 'source_organisation', 'id'] as const

/**
 * The CSV of the indicators the actor may see and its audit entry, in one transaction. Cells go
 * through csvCell (formula-looking partner text gets a leading apostrophe, which the import takes
 * off again); instants are ISO 8601 in the viewer's zone with the offset.
 */
export async function exportIndicatorsCsv(acting: ActingContext, input: unknown, options: { timeZone?: string } = {}) {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE
  const { rows, truncated } = await readForExport(acting, input, 'csv')
  const lines = [csvLine([...INDICATOR_CSV_COLUMNS])]
  for (const { indicator: i, source } of rows) {
    lines.push(
      csvLine([
        i.type,
        i.value,
        i.tlp,
        String(i.confidence),
        isoInZone(i.firstSeenAt, timeZone),
        isoInZone(i.lastSeenAt, timeZone),
        isoInZone(i.validUntil, timeZone),
        i.tags.join(','),
        i.description,
        source.name,
        i.id,
      ]),
    )
  }
  return {
    body: csvDocument(lines),
    rowCount: rows.length,
    truncated,
    filename: `indicators-${calendarDate(acting.services.now(), timeZone)}.csv`,
  }
}

/**
 * The STIX 2.1 bundle of the indicators the actor may see (../shared/domain.md §5): the official
 * TLP 2.0 marking definitions the indicators refer to, the identity of each source organisation,
 * then one indicator (a vulnerability for a CVE) per row, so that the bundle resolves every
 * reference it makes. Audited like the CSV.
 */
export async function exportIndicatorsStix(acting: ActingContext, input: unknown) {
  const { rows, truncated } = await readForExport(acting, input, 'stix')
  const markings = new Map<TlpLabel, StixObject>()
  const identities = new Map<string, StixObject>()
  const sdos: StixObject[] = []
  for (const { indicator, source } of rows) {
    if (!markings.has(indicator.tlp)) markings.set(indicator.tlp, TLP_MARKING_DEFINITIONS[indicator.tlp])
    if (!identities.has(source.id)) identities.set(source.id, stixIdentity(source))
    sdos.push(stixIndicator(indicator, { source }))
  }
  const bundle = stixBundle([...markings.values(), ...identities.values(), ...sdos])
  return {
    body: JSON.stringify(bundle),
    rowCount: rows.length,
    truncated,
    filename: `indicators-${calendarDate(acting.services.now())}.stix.json`,
  }
}
