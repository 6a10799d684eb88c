// Finding incidents: what the list page, the export and the cluster board share between the
// server and the browser (no server code here; the queries live in search.server.ts).

export const INCIDENT_SORTS = ['newest', 'oldest', 'severity', 'detectedAt'] as const
export type IncidentSort = (typeof INCIDENT_SORTS)[number]
export const DEFAULT_SORT: IncidentSort = 'newest'
export const PAGE_SIZE = 25
/** Counting stops here: an exact total over 100k rows would cost more than the page itself. */
export const COUNT_CAP = 1_000
/** The most rows one CSV export carries. */
export const EXPORT_CAP = 50_000

/** The i18n key and count for how long ago something happened: minutes, then hours, then days. */
export function ageOf(since: Date | string | null | undefined, now: Date | string): { key: string; count: number } | null {
  if (!since) return null
  const ms = new Date(now).getTime() - new Date(since).getTime()
  if (Number.isNaN(ms)) return null
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  if (minutes < 60) return { key: 'incidentList.age.minutes', count: minutes }
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return { key: 'incidentList.age.hours', count: hours }
  return { key: 'incidentList.age.days', count: Math.floor(hours / 24) }
}

/** The class of a TLP badge in app.css (`tlp tlp--AMBER+STRICT` matches an escaped selector). */
export const tlpClass = (label: string) => `tlp tlp--${label}`
