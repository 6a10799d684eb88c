// The incident life cycle as an explicit state machine. Who may take each step is the policy's
// business (app/policy/policy.server.ts, `incident.transition`); this file says which steps exist.
export const INCIDENT_STATUSES = ['draft', 'new', 'acknowledged', 'investigating', 'contained', 'resolved', 'closed'] as const
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number]

export type Transition = 'submit' | 'acknowledge' | 'investigate' | 'contain' | 'resolve' | 'close' | 'reopen'

export const TRANSITIONS: Record<Transition, { from: readonly IncidentStatus[]; to: IncidentStatus }> = {
  submit: { from: ['draft'], to: 'new' },
  acknowledge: { from: ['new'], to: 'acknowledged' },
  investigate: { from: ['new', 'acknowledged'], to: 'investigating' },
  contain: { from: ['investigating'], to: 'contained' },
  resolve: { from: ['investigating', 'contained'], to: 'resolved' },
  // Closing also needs the closure report (Form 04); the domain module checks it.
  close: { from: ['resolved'], to: 'closed' },
  reopen: { from: ['resolved', 'closed'], to: 'investigating' },
}

export function nextStatus(from: IncidentStatus, transition: Transition): IncidentStatus | null {
  const t = TRANSITIONS[transition]
  return t.from.includes(from) ? t.to : null
}

export function availableTransitions(from: IncidentStatus): Transition[] {
  return (Object.keys(TRANSITIONS) as Transition[]).filter((t) => TRANSITIONS[t].from.includes(from))
}

export const OPEN_STATUSES: readonly IncidentStatus[] = ['new', 'acknowledged', 'investigating', 'contained']

// Circular 20/2017: notify within 5 days of detection; closure report within 5 days of the end
// of the response; receivers acknowledge at once (the product sets 24 h).
export const NOTIFICATION_DEADLINE_DAYS = 5
export const CLOSURE_REPORT_DEADLINE_DAYS = 5
export const ACKNOWLEDGEMENT_DEADLINE_HOURS = 24
