// What a file really is, from its bytes: the type a partner declares (and the extension it
// chose) is never trusted. Fed chunk by chunk while an upload streams to disk, so nothing is
// buffered beyond the first few kilobytes. Covers what incident evidence usually is: reports
// and screenshots, archives of logs and samples, packet captures, Windows event logs, text
// and JSON exports; markup and executables are recognised so that they are never served as
// what they claim to be (see attachments.server.ts for how each type is served).

/** Bytes kept from the start of the file: enough for every signature below and for spotting markup. */
const HEAD_BYTES = 8192

export const SNIFFED_TYPES = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  gzip: 'application/gzip',
  sevenZip: 'application/x-7z-compressed',
  pcap: 'application/vnd.tcpdump.pcap',
  pcapng: 'application/x-pcapng',
  evtx: 'application/x-ms-evtx',
  pe: 'application/x-msdownload',
  elf: 'application/x-elf',
  machO: 'application/x-mach-binary',
  text: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  script: 'text/x-script',
  html: 'text/html',
  svg: 'image/svg+xml',
  xml: 'application/xml',
  unknown: 'application/octet-stream',
} as const

export type SniffedType = (typeof SNIFFED_TYPES)[keyof typeof SNIFFED_TYPES]

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0))

// Magic numbers at offset 0 (file(1) / the WHATWG MIME Sniffing Standard, §6 and §7).
const SIGNATURES: { bytes: number[]; type: SniffedType }[] = [
  { bytes: ascii('%PDF-'), type: SNIFFED_TYPES.pdf },
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], type: SNIFFED_TYPES.png },
  { bytes: [0xff, 0xd8, 0xff], type: SNIFFED_TYPES.jpeg },
  { bytes: ascii('GIF87a'), type: SNIFFED_TYPES.gif },
  { bytes: ascii('GIF89a'), type: SNIFFED_TYPES.gif },
  { bytes: [0x1f, 0x8b], type: SNIFFED_TYPES.gzip },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], type: SNIFFED_TYPES.sevenZip },
  // libpcap, both byte orders, microsecond and nanosecond variants
  { bytes: [0xa1, 0xb2, 0xc3, 0xd4], type: SNIFFED_TYPES.pcap },
  { bytes: [0xd4, 0xc3, 0xb2, 0xa1], type: SNIFFED_TYPES.pcap },
  { bytes: [0xa1, 0xb2, 0x3c, 0x4d], type: SNIFFED_TYPES.pcap },
  { bytes: [0x4d, 0x3c, 0xb2, 0xa1], type: SNIFFED_TYPES.pcap },
  // pcapng Section Header Block
  { bytes: [0x0a, 0x0d, 0x0d, 0x0a], type: SNIFFED_TYPES.pcapng },
  // Windows XML Event Log
  { bytes: [...ascii('ElfFile'), 0x00], type: SNIFFED_TYPES.evtx },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], type: SNIFFED_TYPES.elf },
  { bytes: [0xfe, 0xed, 0xfa, 0xce], type: SNIFFED_TYPES.machO },
  { bytes: [0xfe, 0xed, 0xfa, 0xcf], type: SNIFFED_TYPES.machO },
  { bytes: [0xce, 0xfa, 0xed, 0xfe], type: SNIFFED_TYPES.machO },
  { bytes: [0xcf, 0xfa, 0xed, 0xfe], type: SNIFFED_TYPES.machO },
  // DOS/PE executables (.exe, .dll, .scr, .sys)
  { bytes: ascii('MZ'), type: SNIFFED_TYPES.pe },
]

const ZIP_SIGNATURES = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06], // empty archive
  [0x50, 0x4b, 0x07, 0x08], // spanned archive
]

function startsWith(head: Uint8Array, bytes: readonly number[]) {
  if (head.length < bytes.length) return false
  return bytes.every((b, i) => head[i] === b)
}

function latin1(bytes: Uint8Array) {
  let out = ''
  for (const b of bytes) out += String.fromCharCode(b)
  return out
}

const WHITESPACE = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x20])

/**
 * Streams a file's bytes through `feed`, then `result(fileName)` names its type. Text is
 * recognised only if the WHOLE file is valid UTF-8 without NUL bytes, which is why this sees
 * every chunk rather than the head alone.
 */
export class ContentSniffer {
  private head = new Uint8Array(HEAD_BYTES)
  private headLength = 0
  private decoder = new TextDecoder('utf-8', { fatal: true })
  private text = true
  private lastNonSpace = -1

  feed(chunk: Uint8Array) {
    if (this.headLength < HEAD_BYTES) {
      const take = Math.min(chunk.length, HEAD_BYTES - this.headLength)
      this.head.set(chunk.subarray(0, take), this.headLength)
      this.headLength += take
    }
    if (!this.text) return
    if (chunk.includes(0)) {
      this.text = false
      return
    }
    try {
      this.decoder.decode(chunk, { stream: true })
    } catch {
      this.text = false
      return
    }
    for (let i = chunk.length - 1; i >= 0; i--) {
      if (!WHITESPACE.has(chunk[i]!)) {
        this.lastNonSpace = chunk[i]!
        break
      }
    }
  }

  result(fileName: string): SniffedType {
    const head = this.head.subarray(0, this.headLength)
    if (ZIP_SIGNATURES.some((s) => startsWith(head, s))) return this.zipFlavour(head, fileName)
    for (const { bytes, type } of SIGNATURES) if (startsWith(head, bytes)) return type
    if (this.text) {
      try {
        this.decoder.decode() // a multi-byte sequence cut off at the end is not text
      } catch {
        this.text = false
      }
    }
    if (!this.text || head.length === 0) return SNIFFED_TYPES.unknown
    return this.textFlavour(head, fileName)
  }

  // Office Open XML files are ZIP packages whose first entry is [Content_Types].xml; the
  // parts' folder names (word/, xl/, ppt/) tell which application wrote them.
  private zipFlavour(head: Uint8Array, fileName: string): SniffedType {
    const names = latin1(head)
    if (!names.includes('[Content_Types].xml')) return SNIFFED_TYPES.zip
    const ext = extensionOf(fileName)
    if (names.includes('word/') || ext === 'docx') return SNIFFED_TYPES.docx
    if (names.includes('xl/') || ext === 'xlsx') return SNIFFED_TYPES.xlsx
    if (names.includes('ppt/') || ext === 'pptx') return SNIFFED_TYPES.pptx
    return SNIFFED_TYPES.zip
  }

  private textFlavour(head: Uint8Array, fileName: string): SniffedType {
    let text = new TextDecoder('utf-8').decode(head)
    if (text.startsWith('\ufeff')) text = text.slice(1)
    const trimmed = text.trimStart()
    const lower = trimmed.slice(0, 1024).toLowerCase()
    if (lower.startsWith('<')) {
      // Markup, the stored-XSS vector of file uploads: a phishing kit's page or an SVG with
      // script is still evidence, but is recognised here so that it is never served as such.
      if (/^<svg[\s>]/.test(lower) || (lower.startsWith('<?xml') && /<svg[\s>]/.test(trimmed.toLowerCase()))) return SNIFFED_TYPES.svg
      if (/^<(!doctype\s+html|html|head|body|script|iframe|meta|title|div|a\s|p[\s>]|!--)/.test(lower)) return SNIFFED_TYPES.html
      if (lower.startsWith('<?xml')) return SNIFFED_TYPES.xml
      if (/<(html|script|iframe|svg)[\s>]/.test(lower)) return SNIFFED_TYPES.html
    }
    if (trimmed.startsWith('#!')) return SNIFFED_TYPES.script
    const first = trimmed.charCodeAt(0)
    if ((first === 0x7b && this.lastNonSpace === 0x7d) || (first === 0x5b && this.lastNonSpace === 0x5d)) return SNIFFED_TYPES.json
    if (extensionOf(fileName) === 'csv') return SNIFFED_TYPES.csv
    return SNIFFED_TYPES.text
  }
}

function extensionOf(fileName: string) {
  const dot = fileName.lastIndexOf('.')
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : ''
}

/** Sniffs a whole buffer at once (tests, small files). */
export function sniffBytes(bytes: Uint8Array, fileName = ''): SniffedType {
  const sniffer = new ContentSniffer()
  sniffer.feed(bytes)
  return sniffer.result(fileName)
}
