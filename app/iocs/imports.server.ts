import { and, desc, eq, getTableColumns, inArray } from 'drizzle-orm'
import { z } from 'zod'
import type { Executor } from '../../db/client.ts'
import { apiTokens, indicatorImports, type IndicatorImportSummary } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext, Services } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject, validate } from '../lib/forms.ts'
import { loadActor } from '../policy/actor.server.ts'
import { authorize, can } from '../policy/policy.server.ts'
import { parseIndicatorCsv } from './csv.ts'
import type { ImportEntry } from './import-entries.ts'
import { auditImport, countStatuses, indicatorKey, previewEntries, saveEntries, type ImportCounts, type PreviewLine, type PreviewStatus } from './import-pipeline.server.ts'
import { parsePaste } from './normalise.ts'
import { SharingSchema } from './schemas.ts'
import { parseStixBundle } from './stix.ts'

// Imports too large for one request (issue 5: "large imports run in the worker with a progress
// bar and a result summary"). A file or a long report is kept as a draft and previewed from the
// stored copy; once confirmed, the worker saves it in chunks, each chunk one transaction that
// also moves `processed` and the summary, so the page shows progress and a worker that restarts
// (or a retried job) carries on after the last chunk that committed, never saving a line twice.

/** Largest input accepted (a CSV or STIX file, or pasted text). */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024
/** Most entries one import may hold. */
export const IMPORT_MAX_ENTRIES = 200_000
/** Entries per worker transaction: progress moves every chunk, and a chunk's locks stay short. */
export const IMPORT_CHUNK = 5_000
/** Preview rows a page shows of a draft (the counts cover every entry). */
export const PREVIEW_ROWS = 500

export const IMPORT_FORMATS = ['text', 'csv', 'stix'] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]

export const ImportFormSchema = SharingSchema.extend({
  format: z
    .string()
    .optional()
    .transform((v) => (v ? v : 'auto'))
    .pipe(z.enum(['auto', ...IMPORT_FORMATS], { error: 'validation.invalid' })),
  fileName: z.string().trim().max(255, 'validation.tooLong').optional().default(''),
  content: z.string({ error: 'iocs.validation.importNoContent' }).min(1, 'iocs.validation.importNoContent').max(IMPORT_MAX_BYTES, 'iocs.validation.importTooLarge'),
})

/** The format of an upload: what the user chose, else the file name's extension, else the content's look. */
export function detectFormat(chosen: string, fileName: string, content: string): ImportFormat {
  if (chosen === 'text' || chosen === 'csv' || chosen === 'stix') return chosen
  const name = fileName.toLowerCase()
  if (name.endsWith('.json')) return 'stix'
  if (name.endsWith('.csv')) return 'csv'
  const start = content.trimStart()
  if (start.startsWith('{') && /"type"\s*:\s*"bundle"/.test(start.slice(0, 2000))) return 'stix'
  return 'text'
}

export type ParsedImport = { ok: true; entries: ImportEntry[] } | { ok: false; error: string }

/** One input, read by the parser of its format; an error is an i18n key for the content field. */
export function parseImport(format: ImportFormat, content: string): ParsedImport {
  switch (format) {
    case 'text':
      return { ok: true, entries: parsePaste(content) }
    case 'csv': {
      const csv = parseIndicatorCsv(content)
      return Array.isArray(csv) ? { ok: true, entries: csv } : { ok: false, error: csv.error }
    }
    case 'stix': {
      const entries = parseStixBundle(content)
      return Array.isArray(entries) ? { ok: true, entries } : { ok: false, error: entries.error }
    }
  }
}

/** The import form's fields, the uploaded file (if one was chosen) standing for the pasted content. */
export async function importInputFromForm(form: FormData): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = formToObject(form)
  const file = form.get('file')
  if (file instanceof File && file.size > 0) {
    input.content = await file.text()
    input.fileName = file.name
  }
  return input
}

type ImportRow = typeof indicatorImports.$inferSelect

const importFacts = (row: Pick<ImportRow, 'organisationId' | 'createdBy' | 'apiTokenId'>) => ({ organisationId: row.organisationId, createdBy: row.createdBy, apiTokenId: row.apiTokenId })

/** The sharing as the form gave it, without nulls, so SharingSchema reads it back the same. */
function storedSharing(form: z.infer<typeof SharingSchema>) {
  return JSON.parse(JSON.stringify(form, (_k, v: unknown) => (v === null ? undefined : v))) as Record<string, unknown>
}

async function insertDraft(tx: Executor, acting: ActingContext, input: unknown) {
  authorize(acting.actor, { action: 'indicator.create' })
  const form = validate(ImportFormSchema, input)
  const format = detectFormat(form.format, form.fileName, form.content)
  const parsed = parseImport(format, form.content)
  if (!parsed.ok) throw new DomainError('validation', 'errors.validation', { fieldErrors: { content: [parsed.error] } })
  if (parsed.entries.length === 0) throw new DomainError('validation', 'errors.validation', { fieldErrors: { content: ['iocs.import.errors.nothingFound'] } })
  if (parsed.entries.length > IMPORT_MAX_ENTRIES) {
    throw new DomainError('validation', 'errors.validation', { fieldErrors: { content: ['iocs.import.errors.tooManyEntries'] }, fieldParams: { content: { max: IMPORT_MAX_ENTRIES } } })
  }
  const { format: _chosen, fileName, content, ...sharing } = form
  const [row] = await tx
    .insert(indicatorImports)
    .values({
      organisationId: acting.actor.organisationId,
      createdBy: acting.actor.userId,
      apiTokenId: acting.actor.apiTokenId ?? null,
      format,
      fileName,
      content,
      sharing: storedSharing(sharing),
      total: parsed.entries.length,
      createdAt: acting.services.now(),
    })
    .returning()
  return row!
}

async function enqueue(tx: Executor, acting: ActingContext, row: ImportRow) {
  const now = acting.services.now()
  await tx.update(indicatorImports).set({ status: 'queued', queuedAt: now }).where(eq(indicatorImports.id, row.id))
  await acting.services.jobs.enqueue(tx, 'indicators.import', { importId: row.id })
  await auditAs(tx, acting, {
    action: 'indicator.import_queued',
    objectType: 'indicator_import',
    objectId: row.id,
    objectOrganisationId: row.organisationId,
    details: { format: row.format, total: row.total, fileName: row.fileName },
  })
}

/** Keeps an upload as a draft to preview; nothing is saved as an indicator yet. */
export async function createImportDraft(acting: ActingContext, input: unknown): Promise<{ id: string }> {
  const row = await acting.services.db.transaction((tx) => insertDraft(tx, acting, input))
  return { id: row.id }
}

/** The API's import: machines do not preview, so the draft is queued in the same transaction. */
export async function startImport(acting: ActingContext, input: unknown) {
  return acting.services.db.transaction(async (tx) => {
    const row = await insertDraft(tx, acting, input)
    await enqueue(tx, acting, row)
    return { id: row.id, status: 'queued' as const, total: row.total }
  })
}

async function loadImport(db: Executor, acting: ActingContext, id: string, lock = false): Promise<ImportRow> {
  if (!z.uuid().safeParse(id).success) throw new DomainError('not_found')
  const query = db.select().from(indicatorImports).where(eq(indicatorImports.id, id))
  const [row] = lock ? await query.for('update') : await query
  // Someone else's import is a 404, like every other door: its existence is not confirmed.
  if (!row || !can(acting.actor, { action: 'indicatorImport.view', import: importFacts(row) })) throw new DomainError('not_found')
  return row
}

/** Confirms a previewed draft: the worker takes it from here. */
export async function queueImport(acting: ActingContext, id: string) {
  await acting.services.db.transaction(async (tx) => {
    const row = await loadImport(tx, acting, id, true)
    authorize(acting.actor, { action: 'indicatorImport.manage', import: importFacts(row) })
    authorize(acting.actor, { action: 'indicator.create' })
    if (row.status !== 'draft') throw new DomainError('conflict', 'iocs.import.errors.notDraft')
    await enqueue(tx, acting, row)
  })
}

/** Drops a draft and its stored input. */
export async function discardImport(acting: ActingContext, id: string) {
  await acting.services.db.transaction(async (tx) => {
    const row = await loadImport(tx, acting, id, true)
    authorize(acting.actor, { action: 'indicatorImport.manage', import: importFacts(row) })
    if (row.status !== 'draft') throw new DomainError('conflict', 'iocs.import.errors.notDraft')
    await tx.delete(indicatorImports).where(eq(indicatorImports.id, row.id))
  })
}

export interface ImportView {
  id: string
  format: ImportFormat
  fileName: string
  status: ImportRow['status']
  total: number
  processed: number
  summary: IndicatorImportSummary
  error: string | null
  createdAt: Date
  queuedAt: Date | null
  startedAt: Date | null
  finishedAt: Date | null
  tlp: string
  mayManage: boolean
}

function view(acting: ActingContext, row: ImportRow): ImportView {
  return {
    id: row.id,
    format: row.format,
    fileName: row.fileName,
    status: row.status,
    total: row.total,
    processed: row.processed,
    summary: row.summary,
    error: row.error,
    createdAt: row.createdAt,
    queuedAt: row.queuedAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    tlp: String((row.sharing as { tlp?: string }).tlp ?? 'AMBER'),
    mayManage: can(acting.actor, { action: 'indicatorImport.manage', import: importFacts(row) }),
  }
}

/** An import's state; a draft also carries its preview (counts over every entry, the first rows). */
export async function getImport(acting: ActingContext, id: string): Promise<{ import: ImportView; preview: { counts: Record<PreviewStatus, number>; lines: PreviewLine[] } | null }> {
  const db = acting.services.db
  const row = await loadImport(db, acting, id)
  if (row.status !== 'draft') return { import: view(acting, row), preview: null }
  const parsed = parseImport(row.format, row.content)
  const lines = parsed.ok ? await previewEntries(db, acting, parsed.entries) : []
  return { import: view(acting, row), preview: { counts: countStatuses(lines), lines: lines.slice(0, PREVIEW_ROWS) } }
}

/** The organisation's recent imports, for the import page. */
export async function listImports(acting: ActingContext, limit = 20): Promise<ImportView[]> {
  if (!can(acting.actor, { action: 'indicator.create' })) return []
  const rows = await acting.services.db
    .select()
    .from(indicatorImports)
    .where(eq(indicatorImports.organisationId, acting.actor.organisationId))
    .orderBy(desc(indicatorImports.createdAt))
    .limit(limit)
  return rows.filter((r) => can(acting.actor, { action: 'indicatorImport.view', import: importFacts(r) })).map((r) => view(acting, r))
}

// ---------------------------------------------------------------------------------------------
// The worker's side

/**
 * Who the import acts as when the worker runs it: its creator as they are now (a deactivated
 * user, or one moved to another organisation, imports nothing), through the token if a machine
 * made it (revoked or expired: nothing).
 */
async function actingFor(services: Services, db: Executor, row: Pick<ImportRow, 'createdBy' | 'organisationId' | 'apiTokenId'>): Promise<ActingContext | null> {
  const now = services.now()
  const actor = await loadActor(db, row.createdBy, now)
  if (!actor || actor.organisationId !== row.organisationId) return null
  if (row.apiTokenId) {
    const [token] = await db.select().from(apiTokens).where(eq(apiTokens.id, row.apiTokenId))
    if (!token || token.revokedAt || token.expiresAt <= now) return null
    return { services, actor: { ...actor, apiTokenId: token.id }, ip: null }
  }
  return { services, actor, ip: null }
}

const addCounts = (a: IndicatorImportSummary, b: ImportCounts): IndicatorImportSummary => ({
  created: a.created + b.created,
  duplicate: a.duplicate + b.duplicate,
  warninglisted: a.warninglisted + b.warninglisted,
  invalid: a.invalid + b.invalid,
  skipped: a.skipped + b.skipped,
})

async function fail(services: Services, id: string, error: string) {
  await services.db
    .update(indicatorImports)
    .set({ status: 'failed', error, finishedAt: services.now() })
    .where(and(eq(indicatorImports.id, id), inArray(indicatorImports.status, ['queued', 'running'])))
}

const { content: _content, ...columnsWithoutContent } = getTableColumns(indicatorImports)
const WITHOUT_CONTENT = columnsWithoutContent

/**
 * Runs a queued import to its end, a chunk per transaction. Each chunk locks the import row and
 * re-reads `processed`, so two runs of one job (a retry overlapping a slow worker) take turns and
 * neither repeats the other's chunk.
 */
export async function runImport(services: Services, importId: string, opts: { chunks?: number } = {}): Promise<void> {
  let parsed: { entries: ImportEntry[]; keys: string[] } | null = null
  // The keys of the entries before `earlierUpTo`, carried from chunk to chunk of this run.
  let earlier = new Set<string>()
  let earlierUpTo = 0
  // A bounded run (opts.chunks) leaves the rest to the next run, as a worker that stops does.
  for (let chunk = 0; chunk < (opts.chunks ?? Infinity); chunk += 1) {
    const outcome = await services.db.transaction(async (tx) => {
      // The stored input (up to 20 MiB) is read once per run, not once per chunk.
      const [row] = await tx.select(WITHOUT_CONTENT).from(indicatorImports).where(eq(indicatorImports.id, importId)).for('update')
      if (!row || (row.status !== 'queued' && row.status !== 'running')) return 'finished' as const
      const acting = await actingFor(services, tx, row)
      if (!acting || !can(acting.actor, { action: 'indicator.create' })) return 'forbidden' as const
      if (!parsed) {
        const [stored] = await tx.select({ content: indicatorImports.content }).from(indicatorImports).where(eq(indicatorImports.id, importId))
        const result = parseImport(row.format, stored!.content)
        if (!result.ok) return 'unreadable' as const
        parsed = { entries: result.entries, keys: result.entries.map((e) => ('result' in e && e.result.ok ? indicatorKey(e.result.type, e.result.value) : '')) }
      }
      const sharing = SharingSchema.parse(row.sharing)
      const start = row.processed
      const end = Math.min(start + IMPORT_CHUNK, row.total, parsed.entries.length)
      // Entries of earlier chunks, so that a repeat across a chunk boundary counts as a repeat.
      // Rebuilt only when another run saved chunks in between (the row lock makes runs take turns).
      if (earlierUpTo !== start) {
        earlier = new Set(parsed.keys.slice(0, start).filter(Boolean))
        earlierUpTo = start
      }
      const { counts } = await saveEntries(tx, acting, parsed.entries.slice(start, end), sharing, earlier)
      earlierUpTo = end
      const summary = addCounts(row.summary, counts)
      const done = end >= row.total || end >= parsed.entries.length
      const now = services.now()
      await tx
        .update(indicatorImports)
        .set({
          processed: done ? row.total : end,
          summary,
          status: done ? 'done' : 'running',
          startedAt: row.startedAt ?? now,
          ...(done ? { finishedAt: now, content: '' } : {}),
        })
        .where(eq(indicatorImports.id, row.id))
      if (done) await auditImport(tx, acting, summary, { source: row.format, tlp: sharing.tlp, importId: row.id })
      return done ? ('finished' as const) : ('more' as const)
    })
    if (outcome === 'finished') return
    if (outcome === 'forbidden') return fail(services, importId, 'iocs.import.errors.noLongerAllowed')
    if (outcome === 'unreadable') return fail(services, importId, 'iocs.import.errors.unreadable')
  }
}

/** Marks an import failed after its job's last attempt (the worker calls this). */
export async function markImportFailed(services: Services, importId: string, message: string) {
  await fail(services, importId, message.slice(0, 500))
}
