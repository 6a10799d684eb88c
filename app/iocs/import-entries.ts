import type { Normalised } from './normalise.ts'
import type { SharingSchema } from './schemas.ts'
import type { z } from 'zod'

// What every import source (a pasted report, a CSV file, a STIX 2.1 bundle) turns its input into
// before the one import path (import.server.ts) previews and saves it: an entry per candidate
// indicator, with the place in the input it came from so the preview can point at it.

/** Why an entry of a file is not an indicator at all (shown as "skipped", not "invalid"). */
export const SKIP_REASONS = [
  // A STIX object other than an indicator (identity, marking-definition, relationship …).
  'stix_not_indicator',
  // An indicator whose pattern is not one simple comparison of a supported object path.
  'stix_pattern_unsupported',
  // An indicator whose pattern_type is not "stix".
  'stix_pattern_type',
  // A CSV row without a value.
  'csv_no_value',
  // A CSV row whose type column names no indicator type we know.
  'csv_unknown_type',
] as const
export type SkipReason = (typeof SKIP_REASONS)[number]

type Sharing = z.infer<typeof SharingSchema>

/** Per-entry sharing read from the file (a CSV column, a STIX object's confidence); the form's otherwise. */
export type EntryOverrides = Partial<Pick<Sharing, 'tlp' | 'confidence' | 'firstSeenAt' | 'lastSeenAt' | 'validUntil' | 'description' | 'tags'>>

export type ImportEntry =
  | { line: number; raw: string; result: Normalised; overrides?: EntryOverrides }
  | { line: number; raw: string; skipped: SkipReason }
