import { domainToASCII } from 'node:url'
import ipaddr from 'ipaddr.js'
import type { IndicatorType } from './types.ts'

export { defang, INDICATOR_TYPES, type IndicatorType } from './types.ts'

// Indicator normalisation (../shared/domain.md §4): refang on input, store one canonical value per
// (type, value) so that the same indicator from two organisations is recognised as the same, and
// give a stable reason code when a value cannot be an indicator of its type. Pure: no I/O.


export const INVALID_REASONS = [
  'empty',
  'too_long',
  'unrecognised',
  'ipv4_syntax',
  'ipv4_octet_range',
  'ipv6_syntax',
  'ipv6_zone',
  'cidr_syntax',
  'cidr_prefix',
  'domain_syntax',
  'domain_single_label',
  'domain_label_length',
  'domain_length',
  'domain_tld',
  'url_syntax',
  'url_scheme',
  'url_host',
  'email_syntax',
  'email_local_part',
  'hash_characters',
  'hash_length',
  'filename_syntax',
  'cve_syntax',
  // A CSV row whose value is fine but whose sharing cell beside it cannot be read (app/iocs/csv.ts).
  'csv_tlp',
  'csv_confidence',
  'csv_date',
  'csv_tags',
  'csv_description',
] as const
export type InvalidReason = (typeof INVALID_REASONS)[number]

export type Normalised =
  | { ok: true; type: IndicatorType; value: string }
  | { ok: false; type: IndicatorType | null; reason: InvalidReason }

/** Longest value accepted for any type (a URL can be long; nothing legitimate is longer). */
export const MAX_VALUE_LENGTH = 2048

const HASH_LENGTHS = { md5: 32, sha1: 40, sha256: 64 } as const

// ---------------------------------------------------------------------------------------------
// Refang: undo the usual ways reports make indicators unclickable. Bracketed forms may carry
// spaces ("example [.] com", "alice [at] example [dot] com"); bare words ("dot", "at") are left
// alone because free text is full of them.

const REFANG_RULES: ReadonlyArray<[RegExp, string]> = [
  [/\bfxp\b/gi, 'ftp'],
  [/\s*[[({<]\s*:\s*\/\s*\/\s*[\])}>]\s*/g, '://'],
  [/\s*[[({<]\s*(?:\.|dot)\s*[\])}>]\s*/gi, '.'],
  [/\\\./g, '.'],
  [/\s*[[({<]\s*:\s*[\])}>]\s*/g, ':'],
  [/\s*[[({<]\s*\/\s*[\])}>]\s*/g, '/'],
  [/\s*[[({<]\s*(?:@|at)\s*[\])}>]\s*/gi, '@'],
]

export function refang(text: string): string {
  // hxxp → http in the case it was written: "HXXPS" → "HTTPS" (the URL parser lower-cases later).
  let out = text.replace(/\bhxxps?\b/gi, (m) => m.replace(/x/g, 't').replace(/X/g, 'T'))
  for (const [pattern, replacement] of REFANG_RULES) out = out.replace(pattern, replacement)
  return out
}

// ---------------------------------------------------------------------------------------------
// One value of a known type.

const fail = (type: IndicatorType | null, reason: InvalidReason): Normalised => ({ ok: false, type, reason })
const okValue = (type: IndicatorType, value: string): Normalised => ({ ok: true, type, value })

export function normalise(type: IndicatorType, raw: string): Normalised {
  const input = refang(raw).trim()
  if (input === '') return fail(type, 'empty')
  if (input.length > MAX_VALUE_LENGTH) return fail(type, 'too_long')
  switch (type) {
    case 'ipv4':
      return normaliseIpv4(input)
    case 'ipv6':
      return normaliseIpv6(input)
    case 'cidr':
      return normaliseCidr(input)
    case 'domain':
      return normaliseDomain(input)
    case 'url':
      return normaliseUrl(input)
    case 'email':
      return normaliseEmail(input)
    case 'md5':
    case 'sha1':
    case 'sha256':
      return normaliseHash(type, input)
    case 'filename':
      return normaliseFilename(input)
    case 'cve':
      return normaliseCve(input)
  }
}

const IPV4_SHAPE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/**
 * Dotted decimal only. Leading zeros are read as decimal and dropped ("010" is 10): reports write
 * them for alignment; the octal reading of inet_aton would turn a copied indicator into another
 * address.
 */
function normaliseIpv4(input: string): Normalised {
  const m = IPV4_SHAPE.exec(input)
  if (!m) return fail('ipv4', 'ipv4_syntax')
  const octets = m.slice(1, 5).map(Number)
  if (octets.some((o) => o > 255)) return fail('ipv4', 'ipv4_octet_range')
  return okValue('ipv4', octets.join('.'))
}

/** RFC 5952: lower case, leading zeros dropped, the longest run of zero groups as "::". */
function normaliseIpv6(input: string): Normalised {
  const bare = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input
  if (bare.includes('%')) return fail('ipv6', 'ipv6_zone')
  if (!bare.includes(':') || !ipaddr.IPv6.isValid(bare)) return fail('ipv6', 'ipv6_syntax')
  return okValue('ipv6', ipv6Canonical(ipaddr.IPv6.parse(bare)))
}

function ipv6Canonical(addr: ipaddr.IPv6): string {
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (addr.isIPv4MappedAddress()) return `::ffff:${addr.toIPv4Address().toString()}`
  return addr.toRFC5952String()
}

/** A network in canonical form: the network address (host bits cleared) and the prefix length. */
function normaliseCidr(input: string): Normalised {
  const slash = input.indexOf('/')
  if (slash < 0 || slash !== input.lastIndexOf('/')) return fail('cidr', 'cidr_syntax')
  const address = input.slice(0, slash)
  const prefixText = input.slice(slash + 1)
  if (!/^\d{1,3}$/.test(prefixText)) return fail('cidr', 'cidr_prefix')
  const prefix = Number(prefixText)
  const v4 = normaliseIpv4(address)
  if (v4.ok) {
    if (prefix > 32) return fail('cidr', 'cidr_prefix')
    return okValue('cidr', `${ipaddr.IPv4.networkAddressFromCIDR(`${v4.value}/${prefix}`).toString()}/${prefix}`)
  }
  const v6 = normaliseIpv6(address)
  if (v6.ok) {
    if (prefix > 128) return fail('cidr', 'cidr_prefix')
    const network = ipaddr.IPv6.networkAddressFromCIDR(`${v6.value}/${prefix}`)
    return okValue('cidr', `${ipv6Canonical(network)}/${prefix}`)
  }
  return fail('cidr', 'cidr_syntax')
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/

/** Lower case, no trailing dot, IDN as punycode (UTS #46 through WHATWG's domainToASCII). */
function normaliseDomain(input: string): Normalised {
  const trimmed = input.endsWith('.') ? input.slice(0, -1) : input
  if (trimmed === '' || /[\s/:@]/.test(trimmed)) return fail('domain', 'domain_syntax')
  // domainToASCII refuses labels over 63 octets as a whole-name failure; check them first so the
  // reason says which rule was broken.
  const labelsIn = trimmed.split('.')
  if (labelsIn.some((l) => l.length > 63)) return fail('domain', 'domain_label_length')
  const ascii = domainToASCII(trimmed)
  if (ascii === '') return fail('domain', 'domain_syntax')
  const labels = ascii.split('.')
  if (labels.length < 2) return fail('domain', 'domain_single_label')
  if (labels.some((l) => l.length > 63)) return fail('domain', 'domain_label_length')
  if (ascii.length > 253) return fail('domain', 'domain_length')
  if (!labels.every((l) => LABEL.test(l))) return fail('domain', 'domain_syntax')
  if (!TLD.test(labels[labels.length - 1]!)) return fail('domain', 'domain_tld')
  return okValue('domain', ascii)
}

const URL_SCHEMES = new Set(['http:', 'https:', 'ftp:', 'ws:', 'wss:'])

/**
 * WHATWG URL serialisation: scheme and host lower case, IDN host as punycode, IPv6 host compressed,
 * the scheme's default port dropped. Only schemes with a host the network can act on.
 */
function normaliseUrl(input: string): Normalised {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) return fail('url', 'url_syntax')
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return fail('url', 'url_syntax')
  }
  if (!URL_SCHEMES.has(url.protocol)) return fail('url', 'url_scheme')
  if (url.hostname === '') return fail('url', 'url_host')
  return okValue('url', url.href)
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/

/**
 * The domain is normalised like a domain; the local part keeps its case, because RFC 5321 §2.4
 * lets the receiving host tell "Alice" from "alice".
 */
function normaliseEmail(input: string): Normalised {
  const at = input.lastIndexOf('@')
  if (at <= 0 || at === input.length - 1) return fail('email', 'email_syntax')
  const local = input.slice(0, at)
  if (local.length > 64 || !LOCAL_PART.test(local)) return fail('email', 'email_local_part')
  const domain = normaliseDomain(input.slice(at + 1))
  if (!domain.ok) return fail('email', 'email_syntax')
  return okValue('email', `${local}@${domain.value}`)
}

function normaliseHash(type: keyof typeof HASH_LENGTHS, input: string): Normalised {
  if (!/^[0-9a-f]+$/i.test(input)) return fail(type, 'hash_characters')
  if (input.length !== HASH_LENGTHS[type]) return fail(type, 'hash_length')
  return okValue(type, input.toLowerCase())
}

/** A bare name, not a path: what a file was called when it arrived (case kept). */
function normaliseFilename(input: string): Normalised {
  if (input.length > 255 || /[/\\\u0000-\u001f\u007f]/.test(input) || input === '.' || input === '..') {
    return fail('filename', 'filename_syntax')
  }
  return okValue('filename', input.normalize('NFC'))
}

/** CVE-YYYY-NNNN with four or more digits of sequence (the 2014 syntax change). */
function normaliseCve(input: string): Normalised {
  const m = /^CVE-(\d{4})-(\d{4,19})$/i.exec(input)
  if (!m || Number(m[1]) < 1999) return fail('cve', 'cve_syntax')
  return okValue('cve', input.toUpperCase())
}

// ---------------------------------------------------------------------------------------------
// Guessing the type of one token (a pasted line, a word of a report).

/** Extensions that make a dotted word a file name rather than a domain. */
const FILE_EXTENSIONS = new Set([
  'exe', 'dll', 'scr', 'sys', 'bat', 'cmd', 'ps1', 'vbs', 'vbe', 'jse', 'wsf', 'hta', 'lnk', 'msi', 'jar',
  'apk', 'elf', 'bin', 'iso', 'img', 'zip', 'rar', '7z', 'gz', 'tgz', 'doc', 'docx', 'docm', 'xls',
  'xlsx', 'xlsm', 'ppt', 'pptx', 'pptm', 'pdf', 'rtf', 'one', 'chm', 'sh', 'py', 'php', 'aspx', 'jsp',
])

export function detectType(token: string): IndicatorType | null {
  const t = token.trim()
  if (/^CVE-\d/i.test(t)) return 'cve'
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) return 'url'
  if (/^[0-9a-f]{32}$/i.test(t)) return 'md5'
  if (/^[0-9a-f]{40}$/i.test(t)) return 'sha1'
  if (/^[0-9a-f]{64}$/i.test(t)) return 'sha256'
  if (/^[0-9a-f:.[\]]+\/\d+$/i.test(t) && /[.:]/.test(t)) return 'cidr'
  if (/^\d+\.\d+\.\d+\.\d+$/.test(t)) return 'ipv4'
  if (/^\[?[0-9a-f:.]*:[0-9a-f:.]*:[0-9a-f:.]*(?:%[\w.-]+)?\]?$/i.test(t)) return 'ipv6'
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(t)) return 'email'
  const dotted = /^[^\s/\\:@]+\.([\p{L}\p{N}]+)\.?$/u.exec(t)
  if (dotted) {
    if (FILE_EXTENSIONS.has(dotted[1]!.toLowerCase())) return 'filename'
    if (/^[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+\.?$/u.test(t) && /\.\p{L}[\p{L}\p{N}-]+\.?$/u.test(t)) return 'domain'
  }
  return null
}

/** A whole token: guessed, then normalised; a long hex run of no hash length says so. */
export function classify(token: string): Normalised {
  const t = refang(token).trim()
  if (t === '') return fail(null, 'empty')
  const type = detectType(t)
  if (type) return normalise(type, t)
  if (/^[0-9a-f]{24,}$/i.test(t) && /\d/.test(t)) return fail(null, 'hash_length')
  return fail(null, 'unrecognised')
}

// ---------------------------------------------------------------------------------------------
// Bulk paste: one entry per line that holds something. A line that is a single token is taken as
// an indicator (and reported invalid with its reason if it is not one); a line of prose yields
// the indicators found in it, and the tokens that look like one but are broken.

export interface PasteEntry {
  line: number
  raw: string
  result: Normalised
}

/** Punctuation prose puts around an indicator. Brackets stay: after refang they are an IPv6 literal's. */
const LEADING = /^[("'“‘<{]+/
const TRAILING = /[)"'”’>},;.!?]+$/

export function parsePaste(text: string): PasteEntry[] {
  const entries: PasteEntry[] = []
  const lines = text.split(/\r\n|\r|\n/)
  lines.forEach((rawLine, index) => {
    const line = refang(rawLine).trim()
    if (line === '') return
    const tokens = line.split(/\s+/)
    if (tokens.length === 1) {
      entries.push({ line: index + 1, raw: rawLine.trim(), result: classify(stripProse(line)) })
      return
    }
    for (const token of tokens) {
      const candidate = stripProse(token)
      const type = detectType(candidate)
      if (type === null) continue
      const result = classify(candidate)
      // Prose is full of dotted words ("e.g.", "U.S."): a failed domain or file-name guess there is
      // not an indicator at all, while a broken address, hash or URL is worth pointing out.
      if (!result.ok && (type === 'domain' || type === 'filename')) continue
      entries.push({ line: index + 1, raw: token, result })
    }
  })
  return entries
}

function stripProse(token: string): string {
  const t = token.replace(LEADING, '').replace(TRAILING, '')
  // "2001:db8::" ends in colons; "Indicators:" is a sentence.
  return t.endsWith(':') && !normaliseIpv6(t).ok ? t.replace(/:+$/, '') : t
}
