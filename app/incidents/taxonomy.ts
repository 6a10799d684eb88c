// The ten categories of the national statistics (Form 05, Circular 20/2017), each mapped to the
// ENISA Reference Security Incident Taxonomy (RSIT) used internationally. Shared by server and UI.
export const INCIDENT_CATEGORIES = {
  ddos: { rsit: 'availability/ddos' },
  phishing: { rsit: 'fraud/phishing' },
  malware: { rsit: 'malicious-code/infected-system' },
  intrusion: { rsit: 'intrusions/system-compromise' },
  defacement: { rsit: 'intrusions/application-compromise' },
  ransomware: { rsit: 'malicious-code/infected-system' },
  destruction: { rsit: 'availability/sabotage' },
  eavesdropping: { rsit: 'information-content-security/unauthorised-information-access' },
  combined: { rsit: 'other/other' },
  other: { rsit: 'other/undetermined' },
} as const

export type IncidentCategory = keyof typeof INCIDENT_CATEGORIES
export const INCIDENT_CATEGORY_CODES = Object.keys(INCIDENT_CATEGORIES) as IncidentCategory[]
export const rsitFor = (category: string) => INCIDENT_CATEGORIES[category as IncidentCategory]?.rsit ?? 'other/undetermined'

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]
export const PAP_LABELS = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const
export const DETECTION_METHODS = ['ids', 'logs', 'notified', 'other'] as const
export const NOTIFIED_PARTIES = ['responsible_member', 'isp', 'national_cert'] as const

/**
 * Serious incident (Decision 05/2017): a level 4–5 or critical national system suffers one of
 * the harms below, AND the owner cannot handle it alone.
 */
export const SERIOUS_HARMS = ['interruption', 'secretLeak', 'unrecoverableLoss', 'lossOfControl', 'cascadingHarm'] as const
export function meetsSeriousTest(input: { systemLevel: number | null; criticalNationalSystem?: boolean; harms: Partial<Record<(typeof SERIOUS_HARMS)[number], boolean>>; beyondOwnerCapacity: boolean }): boolean {
  const importantSystem = (input.systemLevel ?? 0) >= 4 || Boolean(input.criticalNationalSystem)
  const harmed = SERIOUS_HARMS.some((h) => input.harms[h])
  return importantSystem && harmed && input.beyondOwnerCapacity
}

/** Folds Vietnamese (and any Latin) diacritics for search: "Mã độc Đà Nẵng" → "ma doc da nang". */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}.@:/_-]+/gu, ' ')
    .trim()
}
