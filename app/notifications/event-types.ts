// The events that notify people, with how each is delivered unless the recipient (or their
// organisation) chose otherwise. Shared by the server and the preferences page.
export type DeliveryMode = 'immediate' | 'digest' | 'in_app'
export const DELIVERY_MODES: readonly DeliveryMode[] = ['immediate', 'digest', 'in_app']

export interface EventTypeInfo {
  defaultMode: DeliveryMode
  /** Account-security mails (invitation, password reset) always go out at once. */
  configurable: boolean
  /** Incident mails carry the network's [TBSC] subject prefix (Circular 20/2017). */
  incident?: boolean
}

export const EVENT_TYPES = {
  'user.invited': { defaultMode: 'immediate', configurable: false },
  'auth.password_reset_requested': { defaultMode: 'immediate', configurable: false },
  'user.role_changed': { defaultMode: 'immediate', configurable: true },
  'cluster.officer_assigned': { defaultMode: 'immediate', configurable: true },
  'incident.filed': { defaultMode: 'immediate', configurable: true, incident: true },
  'incident.acknowledged': { defaultMode: 'in_app', configurable: true, incident: true },
  'incident.status_changed': { defaultMode: 'digest', configurable: true, incident: true },
  'incident.comment_added': { defaultMode: 'in_app', configurable: true, incident: true },
  'incident.assigned': { defaultMode: 'immediate', configurable: true, incident: true },
  'incident.escalated': { defaultMode: 'immediate', configurable: true, incident: true },
  'incident.triaged': { defaultMode: 'immediate', configurable: true, incident: true },
  'incident.info_requested': { defaultMode: 'immediate', configurable: true, incident: true },
  'incident.coordination_requested': { defaultMode: 'immediate', configurable: true, incident: true },
  'incident.coordination_answered': { defaultMode: 'immediate', configurable: true, incident: true },
  'incident.deadline_approaching': { defaultMode: 'immediate', configurable: true, incident: true },
  'incident.deadline_overdue': { defaultMode: 'immediate', configurable: true, incident: true },
  // A published drill may invite the whole network: a daily digest rather than a mail to everyone.
  'drill.published': { defaultMode: 'digest', configurable: true },
  'drill.registered': { defaultMode: 'immediate', configurable: true },
  'drill.approval_requested': { defaultMode: 'immediate', configurable: true },
  'drill.waitlist_promoted': { defaultMode: 'immediate', configurable: true },
  'drill.cancelled': { defaultMode: 'immediate', configurable: true },
  // A registration cancelled by someone else (an organiser, one's organisation admin).
  'drill.registration_cancelled': { defaultMode: 'immediate', configurable: true },
  // Time or place changed: the registrant's calendar needs the update.
  'drill.rescheduled': { defaultMode: 'immediate', configurable: true },
  // Reminders from the worker (app/drills/reminders.server.ts).
  'drill.registration_closing': { defaultMode: 'digest', configurable: true },
  'drill.starting_soon': { defaultMode: 'immediate', configurable: true },
  // The same indicator held by several organisations: what sharing is for, told at once.
  'indicator.correlated': { defaultMode: 'immediate', configurable: true },
} as const satisfies Record<string, EventTypeInfo>

export type EventType = keyof typeof EVENT_TYPES

export function eventTypeInfo(type: string): EventTypeInfo {
  return (EVENT_TYPES as Record<string, EventTypeInfo>)[type] ?? { defaultMode: 'immediate', configurable: true }
}

export const CONFIGURABLE_EVENT_TYPES = (Object.keys(EVENT_TYPES) as EventType[]).filter((t) => EVENT_TYPES[t].configurable)
