import { parse } from 'csv-parse/sync'
import type { EntryOverrides, ImportEntry } from './import-entries.ts'
import { classify, normalise, type InvalidReason, type Normalised } from './normalise.ts'
import { SharingSchema } from './schemas.ts'
import { INDICATOR_TYPES, type IndicatorType } from './types.ts'

// A CSV file of indicators (issue 5), read with csv-parse (RFC 4180: quoted fields may hold the
// delimiter, quotes doubled, line breaks). The first row names the columns, in any case and
// order; a Vietnamese Excel, whose decimal separator is the comma, saves with semicolons, so the
// delimiter is the one of , ; or tab that the header row uses most. Pure: no I/O, never throws.
//
//   type, value, tlp, confidence, first_seen, last_seen, valid_until, tags, description
//
// Only `value` (or `indicator`) is required; without a type column, or with an empty type cell,
// the value's type is guessed as a pasted one is. Unknown columns are ignored, so the export's
// source_organisation and id columns re-import as they are (app/iocs/export.server.ts).
//
// The sharing cells are read by SharingSchema itself, so "80", "2026-12-01" and "T1566, phishing"
// mean in a file what they mean in the form. An empty cell leaves the form's choice; a cell that
// cannot be read makes its row invalid with the column as the reason: a user who wrote TLP "RDE"
// wants to be told, not to see the indicator saved under the form's label (which could share it
// far wider than the file meant).

/** Columns the importer reads, by their header (lower case, spaces and hyphens as underscores). */
const SHARING_COLUMNS = {
  tlp: 'tlp',
  confidence: 'confidence',
  first_seen: 'firstSeenAt',
  last_seen: 'lastSeenAt',
  valid_until: 'validUntil',
  tags: 'tags',
  description: 'description',
} as const satisfies Record<string, keyof EntryOverrides>
type SharingColumn = keyof typeof SHARING_COLUMNS

/** The reason a row is invalid when one of its sharing cells cannot be read. */
const CELL_REASONS: Record<keyof EntryOverrides, InvalidReason> = {
  tlp: 'csv_tlp',
  confidence: 'csv_confidence',
  firstSeenAt: 'csv_date',
  lastSeenAt: 'csv_date',
  validUntil: 'csv_date',
  tags: 'csv_tags',
  description: 'csv_description',
}

const OverridesSchema = SharingSchema.pick({ tlp: true, confidence: true, firstSeenAt: true, lastSeenAt: true, validUntil: true, tags: true, description: true })

const DELIMITERS = [',', ';', '\t'] as const

/** The export neutralises formula-looking cells with a leading apostrophe (app/lib/csv.ts). */
const NEUTRALISED = /^'(?=[=+\-@\t\r])/

export type ParsedCsv = ImportEntry[] | { error: string }

const headerName = (cell: string) => cell.trim().toLowerCase().replace(/[\s-]+/g, '_')

/** "TLP:AMBER+STRICT", "amber", "TLP:WHITE" → the TLP 2.0 label (WHITE became CLEAR, FIRST TLP 2.0). */
function tlpCell(cell: string): string {
  const label = cell.trim().toUpperCase().replace(/^TLP\s*:\s*/, '')
  return label === 'WHITE' ? 'CLEAR' : label
}

/** The delimiter the header row (the first line that holds anything) uses most; a comma when it has none (a one-column file). */
function delimiterOf(text: string): string {
  const header = /^\n*([^\n]*)/.exec(text)![1]!
  let best: string = ','
  let bestCount = 0
  for (const d of DELIMITERS) {
    const count = header.split(d).length - 1
    if (count > bestCount) [best, bestCount] = [d, count]
  }
  return best
}

export function parseIndicatorCsv(text: string): ParsedCsv {
  // One line-break convention, so that csv-parse's line count is the file's (it counts CRLF
  // inside a quoted field as two); a line break kept inside a description becomes \n.
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(source, {
      delimiter: delimiterOf(source),
      info: true,
      // A row shorter than the header has empty cells; a longer one, cells nobody asked for.
      relax_column_count: true,
      skip_empty_lines: true,
      // Spreadsheets leave rows of bare delimiters under the data.
      skip_records_with_empty_values: true,
      // Whitespace around a delimiter, as in `ipv4, "203.0.113.7"`; never inside quotes.
      trim: true,
    }) as unknown as typeof records
  } catch (_error) {
    // CsvError: an unclosed quote, a quote inside an unquoted field (RFC 4180 §2.5–7). Anything
    // else the parser throws is as unreadable to the user: an import never answers 500.
    return { error: 'iocs.csv.errors.malformed' }
  }
  const [head, ...rows] = records
  if (!head) return []

  // The first column of each name wins; `indicator` stands for `value` when there is no `value`.
  const index = new Map<string, number>()
  head.record.forEach((cell, i) => {
    const name = headerName(cell)
    if (!index.has(name)) index.set(name, i)
  })
  const valueAt = index.get('value') ?? index.get('indicator')
  if (valueAt === undefined) return { error: 'iocs.csv.errors.noValueColumn' }
  const typeAt = index.get('type')
  const sharingAt = (Object.keys(SHARING_COLUMNS) as SharingColumn[]).flatMap((c) => (index.has(c) ? [[c, index.get(c)!] as const] : []))

  return rows.map(({ record, info }): ImportEntry => {
    const cell = (i: number | undefined) => (i === undefined ? '' : (record[i] ?? '').replace(NEUTRALISED, ''))
    // info.lines is the line the record ends on; a quoted line break moves its start up.
    const line = info.lines - record.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0)
    const value = cell(valueAt).trim()
    if (value === '') return { line, raw: record.join(',').slice(0, 200), skipped: 'csv_no_value' }
    const typeCell = cell(typeAt).trim().toLowerCase()
    if (typeCell !== '' && !(INDICATOR_TYPES as readonly string[]).includes(typeCell)) return { line, raw: value, skipped: 'csv_unknown_type' }
    const result: Normalised = typeCell === '' ? classify(value) : normalise(typeCell as IndicatorType, value)
    if (!result.ok || sharingAt.length === 0) return { line, raw: value, result }

    const given: Record<string, string> = {}
    for (const [column, i] of sharingAt) {
      const text = cell(i).trim()
      if (text !== '') given[SHARING_COLUMNS[column]] = column === 'tlp' ? tlpCell(text) : text
    }
    if (Object.keys(given).length === 0) return { line, raw: value, result }
    const parsed = OverridesSchema.safeParse(given)
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path[0] as keyof EntryOverrides
      return { line, raw: value, result: { ok: false, type: result.type, reason: CELL_REASONS[field] ?? 'unrecognised' } }
    }
    // Only what the row said: the schema's defaults for the other columns are the form's to give.
    const overrides = Object.fromEntries(Object.keys(given).map((k) => [k, parsed.data[k as keyof EntryOverrides]])) as EntryOverrides
    return { line, raw: value, result, overrides }
  })
}
