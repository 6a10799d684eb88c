import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { apiTokens } from './api-tokens.ts'
import { users } from './auth.ts'
import { createdAt, id } from './columns.ts'
import { organisations } from './organisations.ts'

// An import of indicators too large for one request (a file, a long report, a SIEM's push): its
// input is kept here, previewed from here, then saved by the worker in chunks (issue 5,
// docs/decisions/011-indicator-imports.md). `processed` moves as chunks commit, so the page shows
// progress and a worker that restarts carries on where the last commit left it.
export const INDICATOR_IMPORT_FORMATS = ['text', 'csv', 'stix'] as const
export const indicatorImportFormat = pgEnum('indicator_import_format', INDICATOR_IMPORT_FORMATS)

// draft: uploaded, shown as a preview, nothing saved. queued → running → done | failed. A draft
// that is discarded is deleted.
export const INDICATOR_IMPORT_STATUSES = ['draft', 'queued', 'running', 'done', 'failed'] as const
export const indicatorImportStatus = pgEnum('indicator_import_status', INDICATOR_IMPORT_STATUSES)

export interface IndicatorImportSummary {
  created: number
  duplicate: number
  warninglisted: number
  invalid: number
  skipped: number
}

export const indicatorImports = pgTable(
  'indicator_imports',
  {
    id: id(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    // Set when a machine made it: the worker acts as the token did (never TLP:RED).
    apiTokenId: uuid().references(() => apiTokens.id),
    format: indicatorImportFormat().notNull(),
    fileName: text().notNull().default(''),
    content: text().notNull(),
    // The sharing the form gave (TLP, PAP, confidence, dates, tags, description), as validated.
    sharing: jsonb().notNull(),
    status: indicatorImportStatus().notNull().default('draft'),
    // Entries the input holds (indicators, invalid lines and skipped objects alike).
    total: integer().notNull().default(0),
    // Entries already saved or counted; the worker resumes after them.
    processed: integer().notNull().default(0),
    summary: jsonb().$type<IndicatorImportSummary>().notNull().default(sql`'{"created":0,"duplicate":0,"warninglisted":0,"invalid":0,"skipped":0}'::jsonb`),
    error: text(),
    createdAt: createdAt(),
    queuedAt: timestamp({ withTimezone: true }),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index('indicator_imports_organisation_created_idx').on(t.organisationId, t.createdAt),
    check('indicator_imports_progress', sql`${t.processed} between 0 and ${t.total}`),
  ],
)
