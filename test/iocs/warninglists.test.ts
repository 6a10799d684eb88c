import { describe, expect, test } from 'vitest'
import { normalise, type IndicatorType } from '../../app/iocs/normalise.ts'
import { compileWarninglists, warninglists } from '../../app/iocs/warninglists.ts'

const on = (type: IndicatorType, raw: string) => {
  const n = normalise(type, raw)
  if (!n.ok) throw new Error(`${raw} is not a ${type}`)
  return warninglists.match(type, n.value)
}

describe('the shipped warninglists', () => {
  test.each([
    ['ipv4', '10.20.30.40', ['private-and-reserved']],
    ['ipv4', '192.168.1.1', ['private-and-reserved']],
    ['ipv4', '127.0.0.1', ['private-and-reserved']],
    ['ipv4', '100.64.0.1', ['private-and-reserved']],
    ['ipv4', '203.0.113.7', ['documentation-ranges']],
    ['ipv4', '8.8.8.8', ['public-resolvers']],
    ['ipv6', '::1', ['private-and-reserved']],
    ['ipv6', 'fe80::1', ['private-and-reserved']],
    ['ipv6', 'fd12:3456::1', ['private-and-reserved']],
    ['ipv6', '2001:db8::dead:beef', ['documentation-ranges']],
    ['ipv6', '::ffff:192.168.0.1', ['private-and-reserved']],
    ['ipv6', '2606:4700:4700::1111', ['public-resolvers']],
    ['cidr', '10.1.0.0/16', ['private-and-reserved']],
    ['cidr', '2001:db8:1::/48', ['documentation-ranges']],
    ['domain', 'example.com', ['reserved-names']],
    ['domain', 'www.example.org', ['reserved-names']],
    ['domain', 'printer.localhost', ['reserved-names']],
    ['domain', 'mail.google.com', ['top-domains']],
    ['url', 'https://login.microsoft.com/x', ['top-domains']],
    ['url', 'http://192.168.0.10:8080/admin', ['private-and-reserved']],
    ['url', 'http://[2001:db8::1]/', ['documentation-ranges']],
    ['email', 'someone@example.net', ['reserved-names']],
    ['md5', 'd41d8cd98f00b204e9800998ecf8427e', ['empty-file-hashes']],
    ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', ['empty-file-hashes']],
    ['sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', ['empty-file-hashes']],
  ] as const)('%s %s is on %j', (type, raw, lists) => {
    expect(on(type, raw)).toEqual(lists)
  })

  test.each([
    ['ipv4', '11.0.0.1'],
    ['ipv4', '172.32.0.1'],
    ['ipv4', '8.8.8.9'],
    ['ipv6', '2001:db9::1'],
    ['cidr', '10.0.0.0/7'],
    ['cidr', '0.0.0.0/0'],
    ['domain', 'notexample.com'],
    ['domain', 'google.com.evil.vn'],
    ['domain', 'evil-google.com'],
    ['url', 'http://evil.vn/example.com'],
    ['url', 'http://11.0.0.1/'],
    ['email', 'example.com@evil.vn'],
    ['md5', '0cc175b9c0f1b6a831c399e269772661'],
    ['filename', 'example.com'],
    ['cve', 'CVE-2021-44228'],
  ] as const)('%s %s is on none', (type, raw) => {
    expect(on(type, raw)).toEqual([])
  })

  test('a value on several lists names each of them', () => {
    const matcher = compileWarninglists([
      { id: 'a', match: 'cidr', values: ['8.8.0.0/16'] },
      { id: 'b', match: 'exact', values: ['8.8.8.8'] },
      { id: 'c', match: 'hostname', values: ['evil.vn'] },
    ])
    expect(matcher.match('ipv4', '8.8.8.8')).toEqual(['a', 'b'])
    expect(matcher.match('domain', 'x.evil.vn')).toEqual(['c'])
  })

  test('a broken range in a list is refused when the list is loaded, not silently ignored', () => {
    expect(() => compileWarninglists([{ id: 'bad', match: 'cidr', values: ['10.0.0.0/33'] }])).toThrow(/bad: 10\.0\.0\.0\/33/)
  })
})
