// The indicator types and their display form, shared by the server and the pages: no Node
// imports here (normalise.ts, which needs node:url, stays on the server).

export const INDICATOR_TYPES = [
  'ipv4',
  'ipv6',
  'cidr',
  'domain',
  'url',
  'email',
  'md5',
  'sha1',
  'sha256',
  'filename',
  'cve',
] as const
export type IndicatorType = (typeof INDICATOR_TYPES)[number]

/** For display only (never stored): dots bracketed and the scheme made unclickable. */
export function defang(type: IndicatorType, value: string): string {
  switch (type) {
    case 'url':
      return value.replace(/^http/i, 'hxxp').replace(/^ftp/i, 'fxp').replace(/\./g, '[.]')
    case 'domain':
    case 'ipv4':
      return value.replace(/\./g, '[.]')
    case 'email':
      return value.replace('@', '[@]').replace(/\./g, '[.]')
    default:
      return value
  }
}
