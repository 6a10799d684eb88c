import { describe, expect, test } from 'vitest'
import {
  classify,
  defang,
  normalise,
  parsePaste,
  refang,
  type IndicatorType,
  type InvalidReason,
} from '../../app/iocs/normalise.ts'

// ../shared/domain.md §4: one canonical value per (type, value), refanged on input.

type Valid = [IndicatorType, string, string]
type Invalid = [IndicatorType, string, InvalidReason]

const valid: Valid[] = [
  ['ipv4', '203.0.113.7', '203.0.113.7'],
  ['ipv4', '192.168.001.010', '192.168.1.10'],
  ['ipv4', '0.0.0.0', '0.0.0.0'],
  ['ipv4', ' 198.51.100.1 ', '198.51.100.1'],
  ['ipv4', '198[.]51[.]100[.]1', '198.51.100.1'],
  ['ipv6', '2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
  ['ipv6', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['ipv6', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ['ipv6', '2001:DB8::0:1', '2001:db8::1'],
  ['ipv6', '0:0:0:0:0:0:0:1', '::1'],
  ['ipv6', '::', '::'],
  ['ipv6', '[2001:db8::1]', '2001:db8::1'],
  ['ipv6', '::FFFF:192.0.2.1', '::ffff:192.0.2.1'],
  ['ipv6', '2001[:]db8[:][:]1', '2001:db8::1'],
  ['cidr', '10.1.2.3/8', '10.0.0.0/8'],
  ['cidr', '192.168.1.0/24', '192.168.1.0/24'],
  ['cidr', '203.0.113.9/32', '203.0.113.9/32'],
  ['cidr', '0.0.0.0/0', '0.0.0.0/0'],
  ['cidr', '2001:DB8::1/32', '2001:db8::/32'],
  ['cidr', '2001:db8:0:0:0:0:0:0/128', '2001:db8::/128'],
  ['domain', 'Evil.Example.COM', 'evil.example.com'],
  ['domain', 'evil.example.com.', 'evil.example.com'],
  ['domain', 'evil[.]example(.)com', 'evil.example.com'],
  ['domain', 'evil[dot]example{.}vn', 'evil.example.vn'],
  ['domain', 'münchen.de', 'xn--mnchen-3ya.de'],
  ['domain', 'Bücher.Example', 'xn--bcher-kva.example'],
  ['domain', 'bộcôngan.vn', 'xn--bcngan-jxa6332d.vn'],
  ['domain', 'xn--mnchen-3ya.de', 'xn--mnchen-3ya.de'],
  ['domain', '_dmarc.example.com', '_dmarc.example.com'],
  ['url', 'HTTP://Example.COM:80/Path?q=1', 'http://example.com/Path?q=1'],
  ['url', 'https://example.com:443/', 'https://example.com/'],
  ['url', 'https://example.com:8443/a', 'https://example.com:8443/a'],
  ['url', 'http://example.com:443/', 'http://example.com:443/'],
  ['url', 'ftp://files.example.com:21/x', 'ftp://files.example.com/x'],
  ['url', 'hxxps://evil[.]com:443/a', 'https://evil.com/a'],
  ['url', 'hXXp[://]evil[.]com/gate.php', 'http://evil.com/gate.php'],
  ['url', 'http://example.com', 'http://example.com/'],
  ['url', 'http://bücher.de/x', 'http://xn--bcher-kva.de/x'],
  ['url', 'http://[2001:DB8:0::1]:80/', 'http://[2001:db8::1]/'],
  ['url', 'http://198.51.100.1:8080/a', 'http://198.51.100.1:8080/a'],
  ['email', 'alice@Example.COM', 'alice@example.com'],
  ['email', 'Alice[at]Example[dot]COM', 'Alice@example.com'],
  ['email', 'bob (at) evil (dot) vn', 'bob@evil.vn'],
  ['email', 'x+tag@münchen.de', 'x+tag@xn--mnchen-3ya.de'],
  ['md5', 'D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['sha1', 'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  [
    'sha256',
    'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ],
  ['filename', 'Invoice 2026.pdf.exe', 'Invoice 2026.pdf.exe'],
  ['filename', 'Hóa đơn.docm', 'Hóa đơn.docm'],
  ['cve', 'cve-2021-44228', 'CVE-2021-44228'],
  ['cve', 'CVE-2024-1234567', 'CVE-2024-1234567'],
]

const invalid: Invalid[] = [
  ['ipv4', '', 'empty'],
  ['ipv4', '   ', 'empty'],
  ['ipv4', '256.1.1.1', 'ipv4_octet_range'],
  ['ipv4', '1.2.3', 'ipv4_syntax'],
  ['ipv4', '1.2.3.4.5', 'ipv4_syntax'],
  ['ipv4', '0x7f.0.0.1', 'ipv4_syntax'],
  ['ipv4', '2001:db8::1', 'ipv4_syntax'],
  ['ipv6', '2001:db8::1::1', 'ipv6_syntax'],
  ['ipv6', '2001:db8:g::1', 'ipv6_syntax'],
  ['ipv6', '1:2:3:4:5:6:7:8:9', 'ipv6_syntax'],
  ['ipv6', '203.0.113.7', 'ipv6_syntax'],
  ['ipv6', 'fe80::1%eth0', 'ipv6_zone'],
  ['cidr', '10.0.0.0/33', 'cidr_prefix'],
  ['cidr', '2001:db8::/129', 'cidr_prefix'],
  ['cidr', '10.0.0.0/-1', 'cidr_prefix'],
  ['cidr', '10.0.0.0/', 'cidr_prefix'],
  ['cidr', '10.0.0.0', 'cidr_syntax'],
  ['cidr', '10.0.0.0/8/8', 'cidr_syntax'],
  ['cidr', 'example.com/24', 'cidr_syntax'],
  ['domain', 'localhost', 'domain_single_label'],
  ['domain', `${'a'.repeat(64)}.com`, 'domain_label_length'],
  ['domain', `${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.com`, 'domain_length'],
  ['domain', 'evil..com', 'domain_syntax'],
  ['domain', '-evil.com', 'domain_syntax'],
  ['domain', 'evil.com/path', 'domain_syntax'],
  ['domain', 'alice@evil.com', 'domain_syntax'],
  ['domain', '1.2.3.4', 'domain_tld'],
  ['domain', 'evil.c', 'domain_tld'],
  ['url', 'evil.com/path', 'url_syntax'],
  ['url', 'javascript:alert(1)', 'url_syntax'],
  ['url', 'http://exa mple.com/', 'url_syntax'],
  ['url', 'http://[::1/', 'url_syntax'],
  ['url', 'file:///etc/passwd', 'url_scheme'],
  ['url', 'smb://host/share', 'url_scheme'],
  ['email', 'alice@', 'email_syntax'],
  ['email', '@example.com', 'email_syntax'],
  ['email', 'alice@localhost', 'email_syntax'],
  ['email', 'al..ice@example.com', 'email_local_part'],
  ['email', `${'a'.repeat(65)}@example.com`, 'email_local_part'],
  ['md5', 'd41d8cd98f00b204e9800998ecf8427', 'hash_length'],
  ['md5', 'd41d8cd98f00b204e9800998ecf8427e0', 'hash_length'],
  ['md5', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'hash_length'],
  ['sha1', 'd41d8cd98f00b204e9800998ecf8427e', 'hash_length'],
  ['sha256', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'hash_length'],
  ['sha256', 'zz', 'hash_characters'],
  ['md5', 'd41d8cd98f00b204e9800998ecf8427g', 'hash_characters'],
  ['filename', 'C:\\Users\\x\\evil.exe', 'filename_syntax'],
  ['filename', '/tmp/evil.sh', 'filename_syntax'],
  ['filename', 'evil\u0000.exe', 'filename_syntax'],
  ['filename', 'a'.repeat(256), 'filename_syntax'],
  ['cve', 'CVE-21-1', 'cve_syntax'],
  ['cve', 'CVE-2021-123', 'cve_syntax'],
  ['cve', 'CVE-1990-1234', 'cve_syntax'],
  ['cve', 'CAN-2021-1234', 'cve_syntax'],
  ['url', `http://example.com/${'a'.repeat(2100)}`, 'too_long'],
]

describe('normalise', () => {
  test.each(valid)('%s %j is stored as %j', (type, input, expected) => {
    expect(normalise(type, input)).toEqual({ ok: true, type, value: expected })
  })
  test.each(invalid)('%s %j is refused: %s', (type, input, reason) => {
    expect(normalise(type, input)).toEqual({ ok: false, type, reason })
  })
  test('canonical values are fixed points: normalising again changes nothing', () => {
    for (const [type, , expected] of valid) expect(normalise(type, expected)).toEqual({ ok: true, type, value: expected })
  })
})

describe('refang and defang', () => {
  test.each([
    ['hxxp://evil.com', 'http://evil.com'],
    ['HXXPS://evil.com', 'HTTPS://evil.com'],
    ['fxp://evil.com', 'ftp://evil.com'],
    ['evil[.]com', 'evil.com'],
    ['evil(.)com', 'evil.com'],
    ['evil{.}com', 'evil.com'],
    ['evil [.] com', 'evil.com'],
    ['evil[dot]com', 'evil.com'],
    ['evil(DOT)com', 'evil.com'],
    ['evil\\.com', 'evil.com'],
    ['http[:]//evil.com', 'http://evil.com'],
    ['http[://]evil.com', 'http://evil.com'],
    ['alice[at]evil.com', 'alice@evil.com'],
    ['alice[@]evil.com', 'alice@evil.com'],
    ['alice (at) evil.com', 'alice@evil.com'],
    ['meet me at the station', 'meet me at the station'],
    ['a dot on the map', 'a dot on the map'],
  ])('%j → %j', (input, expected) => {
    expect(refang(input)).toBe(expected)
  })

  test.each([
    ['url', 'https://evil.example.com/a.php', 'hxxps://evil[.]example[.]com/a[.]php'],
    ['domain', 'evil.example.com', 'evil[.]example[.]com'],
    ['ipv4', '203.0.113.7', '203[.]0[.]113[.]7'],
    ['email', 'alice@evil.vn', 'alice[@]evil[.]vn'],
    ['md5', 'd41d8cd98f00b204e9800998ecf8427e', 'd41d8cd98f00b204e9800998ecf8427e'],
  ] as const)('defang %s %s for display, and refang undoes it', (type, value, shown) => {
    expect(defang(type, value)).toBe(shown)
    expect(normalise(type, defang(type, value))).toEqual({ ok: true, type, value })
  })
})

describe('classify guesses the type of one token', () => {
  test.each([
    ['203.0.113.7', 'ipv4', '203.0.113.7'],
    ['2001:DB8::1', 'ipv6', '2001:db8::1'],
    ['10.1.0.0/16', 'cidr', '10.1.0.0/16'],
    ['2001:db8::/48', 'cidr', '2001:db8::/48'],
    ['evil[.]vn', 'domain', 'evil.vn'],
    ['hxxp://evil[.]vn/a', 'url', 'http://evil.vn/a'],
    ['alice[at]evil[.]vn', 'email', 'alice@evil.vn'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'md5', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['payload.exe', 'filename', 'payload.exe'],
    ['cve-2024-3094', 'cve', 'CVE-2024-3094'],
  ] as const)('%s is a %s', (token, type, value) => {
    expect(classify(token)).toEqual({ ok: true, type, value })
  })

  test.each([
    ['999.1.1.1', 'ipv4', 'ipv4_octet_range'],
    ['d41d8cd98f00b204e9800998ecf8427', null, 'hash_length'],
    ['nonsense', null, 'unrecognised'],
    ['', null, 'empty'],
  ] as const)('%j is invalid (%s, %s)', (token, type, reason) => {
    expect(classify(token)).toEqual({ ok: false, type, reason })
  })
})

describe('parsePaste extracts indicators from free text', () => {
  const report = [
    'Indicators seen: evil[.]com, 10.0.0.1 and hxxp://bad(.)vn/a.php.',
    'd41d8cd98f00b204e9800998ecf8427e',
    '',
    '999.1.1.1',
    'Mr. Smith wrote e.g. in the U.S. report (see CVE-2024-3094).',
    '2001:db8::',
    'nonsense',
    'Contact: alice [at] evil [dot] vn;',
  ].join('\r\n')

  test('each line: its indicators, or the reason it holds none', () => {
    const entries = parsePaste(report).map((e) => [e.line, e.result])
    expect(entries).toEqual([
      [1, { ok: true, type: 'domain', value: 'evil.com' }],
      [1, { ok: true, type: 'ipv4', value: '10.0.0.1' }],
      [1, { ok: true, type: 'url', value: 'http://bad.vn/a.php' }],
      [2, { ok: true, type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' }],
      [4, { ok: false, type: 'ipv4', reason: 'ipv4_octet_range' }],
      [5, { ok: true, type: 'cve', value: 'CVE-2024-3094' }],
      [6, { ok: true, type: 'ipv6', value: '2001:db8::' }],
      [7, { ok: false, type: null, reason: 'unrecognised' }],
      [8, { ok: true, type: 'email', value: 'alice@evil.vn' }],
    ])
  })

  test('entries keep the text as pasted, for the preview', () => {
    const [first] = parsePaste('  evil[.]com  ')
    expect(first).toEqual({ line: 1, raw: 'evil[.]com', result: { ok: true, type: 'domain', value: 'evil.com' } })
  })

  test('prose with no indicator yields nothing', () => {
    expect(parsePaste('Nothing to see here, thanks.\n\n')).toEqual([])
  })
})
