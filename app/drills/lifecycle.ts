// The drill vocabulary and life cycle (issue 6), shared by the server, the policy and the UI. Who
// may take each step is the policy's business (app/policy/policy.server.ts, `drill.*`); this file
// says which steps exist.
export const DRILL_KINDS = ['tabletop', 'live_fire', 'ctf', 'training'] as const
export type DrillKind = (typeof DRILL_KINDS)[number]
export const DRILL_LEVELS = ['organisation', 'cluster', 'national', 'international'] as const
export type DrillLevel = (typeof DRILL_LEVELS)[number]
export const DRILL_SCOPES = ['organisation', 'cluster', 'network', 'list'] as const
export type DrillScope = (typeof DRILL_SCOPES)[number]
export const DRILL_ROLES = ['participant', 'observer', 'red_team', 'blue_team', 'controller', 'evaluator'] as const
export type DrillRole = (typeof DRILL_ROLES)[number]
export const DRILL_STATUSES = ['draft', 'published', 'registration_closed', 'in_progress', 'completed', 'cancelled'] as const
export type DrillStatus = (typeof DRILL_STATUSES)[number]
export type RegistrationStatus = 'confirmed' | 'waitlisted' | 'pending_approval' | 'cancelled'

export type DrillTransition = 'publish' | 'close_registration' | 'start' | 'complete' | 'cancel'

export const DRILL_TRANSITIONS: Record<DrillTransition, { from: readonly DrillStatus[]; to: DrillStatus }> = {
  publish: { from: ['draft'], to: 'published' },
  close_registration: { from: ['published'], to: 'registration_closed' },
  start: { from: ['published', 'registration_closed'], to: 'in_progress' },
  complete: { from: ['in_progress'], to: 'completed' },
  cancel: { from: ['draft', 'published', 'registration_closed', 'in_progress'], to: 'cancelled' },
}

export function nextDrillStatus(from: DrillStatus, transition: DrillTransition): DrillStatus | null {
  const t = DRILL_TRANSITIONS[transition]
  return t.from.includes(from) ? t.to : null
}

/** Registrations that hold a place: counted against the capacity (a pending approval keeps its
 *  seat, otherwise approving it could overfill the drill). */
export const PLACE_HOLDING: readonly RegistrationStatus[] = ['confirmed', 'pending_approval']

/** The organisers may edit the drill until it starts (app/drills/editing.server.ts). */
export const EDITABLE_STATUSES: readonly DrillStatus[] = ['draft', 'published', 'registration_closed']

/** Registrations may change (sign up, cancel, promote) until the drill starts. */
export const REGISTRATIONS_OPEN_TO_CHANGE: readonly DrillStatus[] = ['published', 'registration_closed']

/** Attendance, observations and the after-action report are taken from the start on. */
export const AFTER_ACTION_OPEN: readonly DrillStatus[] = ['in_progress', 'completed']

export const ATTENDANCE = ['attended', 'absent'] as const
export type Attendance = (typeof ATTENDANCE)[number]
export const OBJECTIVE_RESULTS = ['met', 'partly', 'not_met'] as const
export type ObjectiveResult = (typeof OBJECTIVE_RESULTS)[number]

/** The drill's objectives as a list: one per line (or per "; "), as organisers write them. */
export function objectiveList(objectives: string | null | undefined): string[] {
  return (objectives ?? '')
    .split(/\r?\n|;\s+/)
    .map((o) => o.trim().replace(/[.;]$/, ''))
    .filter((o) => o !== '')
    .slice(0, 50)
}

/** Kinds whose scenario is an exercise secret until the start; a training course's is not. */
export const scenarioConfidentialByDefault = (kind: DrillKind) => kind !== 'training'
