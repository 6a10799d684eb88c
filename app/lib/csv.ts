// CSV for every export (incidents, drill participants). Partner text is untrusted: a cell such
// as =cmd|' /C calc'!A0 must not become a formula in a spreadsheet (OWASP "CSV injection"), so
// such cells get a leading apostrophe. Callers join lines with CRLF (RFC 4180) and prefix a BOM
// so that Excel reads Vietnamese as UTF-8.

const FORMULA_START = /^[=+\-@\t\r]/

/** One quoted CSV field, neutralised against formula injection. */
export function csvCell(value: string | null | undefined): string {
  const text = value ?? ''
  const safe = FORMULA_START.test(text) ? `'${text}` : text
  return `"${safe.replace(/"/g, '""')}"`
}

export function csvLine(cells: (string | null | undefined)[]): string {
  return cells.map(csvCell).join(',')
}

/** An instant as ISO 8601 with the offset of the viewer's zone: 2026-03-04T10:15:00+07:00. */
export function isoInZone(value: Date | null | undefined, timeZone: string): string {
  if (!value) return ''
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(value)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00'
  const wall = Date.UTC(Number(get('year')), Number(get('month')) - 1, Number(get('day')), Number(get('hour')), Number(get('minute')), Number(get('second')))
  const offsetMinutes = Math.round((wall - Math.floor(value.getTime() / 1000) * 1000) / 60_000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offset}`
}

/** A whole CSV document: a BOM, CRLF line ends, a final line break. */
export function csvDocument(lines: string[]): string {
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
