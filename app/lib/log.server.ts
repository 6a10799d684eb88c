// Structured logs: one JSON object per line, CR/LF in values can't forge entries (JSON escapes
// them). Never pass passwords, tokens, cookies or mail bodies.
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const
export type LogLevel = keyof typeof LEVELS

export function log(threshold: LogLevel, level: LogLevel, msg: string, fields: Record<string, unknown> = {}) {
  if (LEVELS[level] < LEVELS[threshold]) return
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })
  if (level === 'error' || level === 'warn') console.error(line)
  else console.log(line)
}
