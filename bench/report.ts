// What every scenario shares: reading numeric settings from the environment, progress on
// stderr, and figures on stdout, one per line as `name: value unit`.

export const num = (name: string, fallback: number) => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`)
  return value
}

export const log = (message: string) => process.stderr.write(`bench: ${message}\n`)

export type Unit = 'req/s' | 'emails/s' | 'ms' | 's' | 'MB' | 'ratio' | 'count'

function shown(value: number, unit: Unit): string {
  switch (unit) {
    case 'req/s':
    case 'MB':
    case 'count':
      return String(Math.round(value))
    case 'ratio':
      return value.toFixed(3)
    case 's':
      return value.toFixed(2)
    default:
      return value.toFixed(1)
  }
}

// Written straight to stdout rather than through console.log: the notification worker logs one
// JSON line per delivery through console.log, which the notifications scenario keeps off stdout.
export function figureWriter(prefix: string) {
  return (name: string, value: number, unit: Unit) => {
    process.stdout.write(`${prefix}${name}: ${Number.isFinite(value) ? shown(value, unit) : 'n/a'} ${unit}\n`)
  }
}
export type Figure = ReturnType<typeof figureWriter>

/** The q-quantile (0..1) of unsorted values, nearest rank; NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}
