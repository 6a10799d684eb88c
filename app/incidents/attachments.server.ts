import crypto from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { unstable_parseMultipartFormData, type UploadHandler } from '@remix-run/node'
import { and, asc, eq } from 'drizzle-orm'
import { incidentAttachments, organisations, users } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext, Services } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { log } from '../lib/log.server.ts'
import { authorize, can } from '../policy/policy.server.ts'
import { appendTimeline, getVisibleIncident } from './access.server.ts'
import { ContentSniffer, SNIFFED_TYPES, type SniffedType } from './sniff.ts'

// Evidence attached to an incident (Form 03: "logs, samples"). ASVS 5.2 and 5.3:
// - the size limit holds before anything is buffered: the declared Content-Length is checked
//   before the body is read, and the body is streamed to disk counting bytes, so a body that
//   lies about its length (or sends none) is cut off at the limit;
// - files live under ATTACHMENTS_DIR (0700) with generated names (a UUID), written to a
//   temporary file and renamed into place in the transaction that records them;
// - the SHA-256 is computed while streaming and kept, so the bytes handed out later can be
//   checked against what was received (chain of custody);
// - the type is sniffed from the bytes, never taken from the partner's declaration.
//
// What is allowed: every type. A CSIRT's evidence includes malware samples, phishing pages and
// scripts, so refusing HTML, SVG or executables would refuse the evidence itself. The danger of
// such files is in how they are SERVED, so serving is where the rule lives: every download is
// `Content-Disposition: attachment` with `nosniff` and a sandbox CSP, and only types a browser
// cannot execute (PDF, PNG, JPEG, GIF, plain text) keep their own Content-Type; everything
// else, HTML and SVG included, goes out as application/octet-stream and is never rendered
// inline. The sniffed type is stored so that the list shows what a file really is.

export type AttachmentRow = typeof incidentAttachments.$inferSelect

/** Room for the multipart framing (boundaries, part headers) around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024
/** Longest file name kept for display, in characters; the extension survives truncation. */
export const MAX_FILE_NAME_LENGTH = 180
const FALLBACK_FILE_NAME = 'attachment'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The types served with their own Content-Type; browsers do not run code in any of them. */
const SERVED_AS_IS: ReadonlySet<string> = new Set([
  SNIFFED_TYPES.pdf,
  SNIFFED_TYPES.png,
  SNIFFED_TYPES.jpeg,
  SNIFFED_TYPES.gif,
  SNIFFED_TYPES.text,
])

/** An upload over ATTACHMENT_MAX_BYTES: answered with 413, never a 500. */
export class AttachmentTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`attachment larger than ${maxBytes} bytes`)
    this.name = 'AttachmentTooLargeError'
  }
}

export function attachmentLimits(services: Services) {
  return { directory: services.env.ATTACHMENTS_DIR, maxBytes: services.env.ATTACHMENT_MAX_BYTES }
}

const fieldError = (messageKey: string) =>
  new DomainError('validation', 'errors.validation', { fieldErrors: { file: [messageKey] } })

// ---------------------------------------------------------------------------------------------
// File names

/**
 * The name shown and offered on download: the last path component only (no "../../etc/passwd"
 * games), without control characters, and without the invisible formatting characters used
 * to disguise an extension ("invoice\u202Efdp.exe" displays as "invoiceexe.pdf"). The name is
 * only ever displayed: storage uses a generated key.
 */
export function displayFileName(raw: string): string {
  let name = raw.normalize('NFC').split(/[/\\]/).pop() ?? ''
  name = name
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  if (name === '' || name === '.' || name === '..') return FALLBACK_FILE_NAME
  const chars = Array.from(name)
  if (chars.length <= MAX_FILE_NAME_LENGTH) return name
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 ? Array.from(name.slice(dot)) : []
  if (ext.length > 0 && ext.length <= 16) return chars.slice(0, MAX_FILE_NAME_LENGTH - ext.length).join('') + ext.join('')
  return chars.slice(0, MAX_FILE_NAME_LENGTH).join('')
}

/** RFC 6266 / RFC 8187 (formerly 5987): an ASCII fallback, then the exact UTF-8 name. */
export function contentDisposition(fileName: string): string {
  const fallback =
    fileName
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^\x20-\x7e]|["\\%]/g, '_') || FALLBACK_FILE_NAME
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}

/** The Content-Type a stored type is served with (see the rule at the top of this file). */
export function servedContentType(sniffed: string): string {
  if (!SERVED_AS_IS.has(sniffed)) return 'application/octet-stream'
  return sniffed === SNIFFED_TYPES.text ? 'text/plain; charset=utf-8' : sniffed
}

/** Everything a download response carries besides its body. */
export function downloadHeaders(attachment: Pick<AttachmentRow, 'fileName' | 'contentType' | 'size' | 'sha256'>): Headers {
  const digest = Buffer.from(attachment.sha256, 'hex').toString('base64')
  return new Headers({
    'Content-Type': servedContentType(attachment.contentType),
    'Content-Length': String(attachment.size),
    'Content-Disposition': contentDisposition(attachment.fileName),
    'X-Content-Type-Options': 'nosniff',
    // Should a browser render it anyway (a plug-in, a user's "open"), it runs in a sandbox
    // with no origin and may load nothing.
    'Content-Security-Policy': "sandbox; default-src 'none'",
    'Cache-Control': 'no-store',
    // RFC 9530, and the older RFC 3230 form that download tools still read.
    'Repr-Digest': `sha-256=:${digest}:`,
    Digest: `sha-256=${digest}`,
  })
}

// ---------------------------------------------------------------------------------------------
// Receiving: the request body streamed to a temporary file

/** A received file waiting in ATTACHMENTS_DIR under a temporary name for addAttachment. */
export interface StagedFile {
  tempPath: string
  fileName: string
  size: number
  sha256: string
  contentType: SniffedType
}

async function ensureDirectory(directory: string) {
  await fsp.mkdir(directory, { recursive: true, mode: 0o700 })
}

const storagePath = (services: Services, storageKey: string) => path.join(attachmentLimits(services).directory, storageKey)

/**
 * Writes a stream to a new temporary file under ATTACHMENTS_DIR, counting, hashing and
 * sniffing as it goes; over the limit it stops, deletes what it wrote and throws
 * AttachmentTooLargeError. Nothing is held in memory beyond the sniffer's first 8 KiB.
 */
export async function stageStream(services: Services, rawFileName: string, data: AsyncIterable<Uint8Array>): Promise<StagedFile> {
  const { directory, maxBytes } = attachmentLimits(services)
  await ensureDirectory(directory)
  const tempPath = path.join(directory, `.${crypto.randomUUID()}.part`)
  // 'wx': created here or not at all (never through an existing name or link).
  const handle = await fsp.open(tempPath, 'wx', 0o600)
  const hash = crypto.createHash('sha256')
  const sniffer = new ContentSniffer()
  const fileName = displayFileName(rawFileName)
  let size = 0
  try {
    for await (const chunk of data) {
      size += chunk.byteLength
      if (size > maxBytes) throw new AttachmentTooLargeError(maxBytes)
      hash.update(chunk)
      sniffer.feed(chunk)
      await handle.write(chunk)
    }
    await handle.datasync()
    await handle.close()
  } catch (error) {
    await handle.close().catch(() => {})
    await fsp.rm(tempPath, { force: true })
    throw error
  }
  return { tempPath, fileName, size, sha256: hash.digest('hex'), contentType: sniffer.result(fileName) }
}

/** Deletes a staged file that will not be kept. */
export async function discardStaged(file: StagedFile | null | undefined) {
  if (file) await fsp.rm(file.tempPath, { force: true })
}

/** 413 before reading a byte, when the client declares a body the limit cannot fit. */
export function assertDeclaredSize(services: Services, request: Request) {
  const declared = Number(request.headers.get('content-length'))
  const { maxBytes } = attachmentLimits(services)
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) throw new AttachmentTooLargeError(maxBytes)
}

/** The request body, cut off once it passes what an upload of the maximum size can need. */
function limitedBody(body: ReadableStream<Uint8Array>, limit: number, maxBytes: number): ReadableStream<Uint8Array> {
  let seen = 0
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        if (seen > limit) controller.error(new AttachmentTooLargeError(maxBytes))
        else controller.enqueue(chunk)
      },
    }),
  )
}

/**
 * Streams a multipart/form-data upload with one file in the field `file` to a temporary file.
 * Returns null when no file was chosen. Other fields are read and dropped; a malformed body is
 * a 400, an oversized one AttachmentTooLargeError.
 */
export async function receiveUpload(services: Services, request: Request): Promise<StagedFile | null> {
  const { maxBytes } = attachmentLimits(services)
  if (!request.body) throw fieldError('attachments.errors.missing')
  const limited = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: limitedBody(request.body, maxBytes + MULTIPART_OVERHEAD_BYTES, maxBytes),
    duplex: 'half',
  } as RequestInit)
  let staged: StagedFile | null = null
  const handler: UploadHandler = async (part) => {
    if (part.name !== 'file' || typeof part.filename !== 'string') {
      // Not ours: drain it (the body limit above bounds it) and keep nothing.
      for await (const _chunk of part.data) void _chunk
      return undefined
    }
    if (staged) throw fieldError('attachments.errors.oneFile')
    if (part.filename === '') {
      // A browser sends an empty part with an empty file name when nothing was chosen.
      for await (const _chunk of part.data) void _chunk
      return undefined
    }
    staged = await stageStream(services, part.filename, part.data)
    return undefined
  }
  try {
    await unstable_parseMultipartFormData(limited, handler)
  } catch (error) {
    await discardStaged(staged)
    if (error instanceof AttachmentTooLargeError || error instanceof DomainError || isSystemError(error)) throw error
    // What is left is the multipart parser refusing the body ("Could not parse content as
    // FormData", "malformed multipart-form data"): the client's fault, not ours.
    throw fieldError('attachments.errors.malformed')
  }
  return staged
}

const isSystemError = (error: unknown) => error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string'

// ---------------------------------------------------------------------------------------------
// The domain operations

/** The incident if the actor may attach to it: 404 when not visible, 403 when only visible. */
export async function assertMayAttach(acting: ActingContext, incidentId: string) {
  const { row, facts } = await getVisibleIncident(acting, incidentId)
  authorize(acting.actor, { action: 'incident.attach', incident: facts })
  return row
}

/**
 * Keeps a file as evidence of an incident: a staged file (from receiveUpload) or a File (the
 * API, tests), which is staged first under the same limit. Writes the row, the timeline
 * entry and the audit entry in one transaction, and moves the file into place inside it; a
 * file whose transaction does not commit is deleted.
 */
export async function addAttachment(acting: ActingContext, incidentId: string, file: StagedFile | File | null) {
  let staged: StagedFile | null = file instanceof File ? null : file
  let finalPath: string | null = null
  try {
    await assertMayAttach(acting, incidentId)
    if (!file) throw fieldError('attachments.errors.missing')
    staged = file instanceof File ? await stageStream(acting.services, file.name, Readable.fromWeb(file.stream() as never)) : file
    if (staged.size === 0) throw fieldError('attachments.errors.empty')
    const ready = staged
    const storageKey = crypto.randomUUID()
    const target = storagePath(acting.services, storageKey)
    const attachment = await acting.services.db.transaction(async (tx) => {
      const { row, facts } = await getVisibleIncident(acting, incidentId, tx)
      authorize(acting.actor, { action: 'incident.attach', incident: facts })
      const [created] = await tx
        .insert(incidentAttachments)
        .values({
          incidentId: row.id,
          fileName: ready.fileName,
          contentType: ready.contentType,
          size: ready.size,
          sha256: ready.sha256,
          storageKey,
          uploadedBy: acting.actor.userId,
          createdAt: acting.services.now(),
        })
        .returning()
      const details = { attachmentId: created!.id, fileName: ready.fileName, size: ready.size, sha256: ready.sha256, contentType: ready.contentType }
      await appendTimeline(tx, acting, row.id, { kind: 'attachment_added', data: details })
      await auditAs(tx, acting, {
        action: 'incident.attachment_added',
        objectType: 'incident',
        objectId: row.id,
        objectOrganisationId: row.reportingOrganisationId,
        details,
      })
      await fsp.rename(ready.tempPath, target)
      finalPath = target
      return created!
    })
    return publicAttachment(attachment)
  } catch (error) {
    if (finalPath) await fsp.rm(finalPath, { force: true })
    await discardStaged(staged)
    throw error
  }
}

export interface AttachmentListItem {
  id: string
  fileName: string
  contentType: string
  size: number
  sha256: string
  createdAt: Date
  uploaderName: string
  uploaderOrganisation: string
}

function publicAttachment(row: AttachmentRow) {
  return { id: row.id, incidentId: row.incidentId, fileName: row.fileName, contentType: row.contentType, size: row.size, sha256: row.sha256, createdAt: row.createdAt }
}

/** The attachments page: the incident's heading, its files, and whether the actor may add one. */
export async function listAttachments(acting: ActingContext, incidentId: string) {
  const { row, facts } = await getVisibleIncident(acting, incidentId)
  const attachments: AttachmentListItem[] = await acting.services.db
    .select({
      id: incidentAttachments.id,
      fileName: incidentAttachments.fileName,
      contentType: incidentAttachments.contentType,
      size: incidentAttachments.size,
      sha256: incidentAttachments.sha256,
      createdAt: incidentAttachments.createdAt,
      uploaderName: users.name,
      uploaderOrganisation: organisations.shortName,
    })
    .from(incidentAttachments)
    .innerJoin(users, eq(users.id, incidentAttachments.uploadedBy))
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(incidentAttachments.incidentId, row.id))
    .orderBy(asc(incidentAttachments.createdAt), asc(incidentAttachments.id))
  return {
    incident: { id: row.id, reference: row.reference, title: row.title, tlp: row.tlp, status: row.status },
    attachments,
    canAttach: can(acting.actor, { action: 'incident.attach', incident: facts }),
    maxBytes: attachmentLimits(acting.services).maxBytes,
  }
}

/**
 * A download: only of an incident the actor may see, only of a file of THAT incident (404
 * otherwise, whatever the reason), recorded in the audit trail as the sensitive read it is.
 * The file is opened inside the transaction, so a file missing on disk records nothing.
 */
export async function openAttachment(acting: ActingContext, incidentId: string, attachmentId: string) {
  if (!UUID.test(attachmentId)) throw new DomainError('not_found')
  let handle: fsp.FileHandle | null = null
  try {
    const attachment = await acting.services.db.transaction(async (tx) => {
      const { row } = await getVisibleIncident(acting, incidentId, tx)
      const [found] = await tx
        .select()
        .from(incidentAttachments)
        .where(and(eq(incidentAttachments.id, attachmentId), eq(incidentAttachments.incidentId, row.id)))
      if (!found) throw new DomainError('not_found')
      try {
        handle = await fsp.open(storagePath(acting.services, found.storageKey), 'r')
      } catch (error) {
        log(acting.services.env.LOG_LEVEL, 'error', 'attachment file missing', { attachmentId: found.id, code: (error as NodeJS.ErrnoException).code })
        throw new DomainError('not_found')
      }
      await auditAs(tx, acting, {
        action: 'incident.attachment_downloaded',
        objectType: 'incident',
        objectId: row.id,
        objectOrganisationId: row.reportingOrganisationId,
        details: { attachmentId: found.id, fileName: found.fileName, sha256: found.sha256 },
      })
      return found
    })
    const nodeStream = fs.createReadStream('', { fd: handle!, autoClose: true })
    return {
      attachment: publicAttachment(attachment),
      headers: downloadHeaders(attachment),
      body: Readable.toWeb(nodeStream) as unknown as ReadableStream<Uint8Array>,
    }
  } catch (error) {
    await (handle as fsp.FileHandle | null)?.close().catch(() => {})
    throw error
  }
}
