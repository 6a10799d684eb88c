import { and, eq, gt, inArray, isNotNull, isNull, lte, ne, notExists, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { coordinationRequests, incidentReminders, incidents } from '../../db/schema/index.ts'
import type { Services } from '../lib/context.server.ts'
import { emitEvent } from '../notifications/emit.server.ts'
import type { IncidentAudience } from '../notifications/recipients.server.ts'
import { incidentEvent } from './escalation.server.ts'
import { ACKNOWLEDGEMENT_DEADLINE_HOURS, CLOSURE_REPORT_DEADLINE_DAYS, NOTIFICATION_DEADLINE_DAYS, OPEN_STATUSES, type IncidentStatus } from './lifecycle.ts'

// The deadlines of Circular 20/2017/TT-BTTTT and the reminders the worker sends for them:
// - notification within 5 days of detection (a draft not yet submitted is late after that);
// - acknowledgement of a received report at once (the product allows 24 h);
// - closure report (Form 04) within 5 days of the end of the response;
// - a coordination request (Form 06) answered by its due date.
// A deadline is outstanding only while the incident waits for it (notification while a draft,
// acknowledgement while new, closure report while resolved): the same rules as the lists'
// overdue filter (search.server.ts, overdueConditions). Each reminder goes out once:
// incident_reminders holds (incident, key) and the event is only emitted when this run
// inserted the row, in the same transaction.

const HOUR = 3600 * 1000
const DAY = 24 * HOUR
/** "Approaching" means due within this window. */
const APPROACHING_WINDOW_MS = 24 * HOUR

export type DeadlineKind = 'notification' | 'acknowledgement' | 'closure'

const ago = (now: Date, ms: number) => new Date(now.getTime() - ms)

// ---------------------------------------------------------------------------------------------
// Reminders

interface Candidate {
  id: string
  reference: string
  title: string
  tlp: (typeof incidents.$inferSelect)['tlp']
  reportingOrganisationId: string
  createdBy: string
  assignedUserId: string | null
}

const candidateColumns = {
  id: incidents.id,
  reference: incidents.reference,
  title: incidents.title,
  tlp: incidents.tlp,
  reportingOrganisationId: incidents.reportingOrganisationId,
  createdBy: incidents.createdBy,
  assignedUserId: incidents.assignedUserId,
}

const notReminded = (key: string) =>
  notExists(
    sql`(select 1 from ${incidentReminders} where ${incidentReminders.incidentId} = ${incidents.id} and ${incidentReminders.key} = ${key})`,
  )

/** Cap per deadline and run: a backlog is worked off over the next runs, never in one long job. */
const BATCH = 500

interface Rule {
  kind: DeadlineKind
  statuses: readonly IncidentStatus[]
  /** The column the deadline counts from, and the condition that it is still unmet. */
  from: typeof incidents.detectedAt | typeof incidents.submittedAt | typeof incidents.resolvedAt
  unmet: SQL
  periodMs: number
  approaching: boolean
  audience: (c: Candidate) => IncidentAudience
}

const owners = (c: Candidate, extra: IncidentAudience = {}): IncidentAudience => ({
  organisations: [{ id: c.reportingOrganisationId }],
  users: [...new Set([c.createdBy, c.assignedUserId].filter((v): v is string => Boolean(v)))],
  ...extra,
})

const RULES: Rule[] = [
  {
    kind: 'notification',
    // Submitting is notifying: only a draft can still miss it.
    statuses: ['draft'],
    from: incidents.detectedAt,
    unmet: isNull(incidents.submittedAt),
    periodMs: NOTIFICATION_DEADLINE_DAYS * DAY,
    approaching: true,
    audience: (c) => owners(c),
  },
  {
    kind: 'acknowledgement',
    statuses: ['new'],
    from: incidents.submittedAt,
    unmet: isNull(incidents.acknowledgedAt),
    periodMs: ACKNOWLEDGEMENT_DEADLINE_HOURS * HOUR,
    approaching: false,
    // The receivers who should acknowledge: the owner's staff and the cluster's lead and deputy.
    audience: (c) => owners(c, { clusterCoordinatorsOf: c.reportingOrganisationId }),
  },
  {
    kind: 'closure',
    statuses: ['resolved'],
    from: incidents.resolvedAt,
    unmet: isNull(incidents.closureSubmittedAt),
    periodMs: CLOSURE_REPORT_DEADLINE_DAYS * DAY,
    approaching: true,
    audience: (c) => owners(c),
  },
]

export interface ReminderRun {
  /** `<incident reference> <key>` for each reminder sent by this run. */
  sent: string[]
}

/**
 * Sends the reminders due at `services.now()`: each deadline approaching (within 24 h) or
 * overdue, and each coordination request past its due date, once. Safe to run concurrently
 * and repeatedly (the worker's schedule, a retried job): the reminder row is the claim.
 */
export async function runDeadlineReminders(services: Services): Promise<ReminderRun> {
  const now = services.now()
  const sent: string[] = []
  const db = services.db

  for (const rule of RULES) {
    const dueBefore = (at: Date) => lte(rule.from, ago(at, rule.periodMs))
    const base = and(inArray(incidents.status, [...rule.statuses]), isNotNull(rule.from), rule.unmet)
    const overdueKey = `${rule.kind}:overdue`
    const overdue = await db
      .select(candidateColumns)
      .from(incidents)
      .where(and(base, dueBefore(now), notReminded(overdueKey)))
      .limit(BATCH)
    for (const c of overdue) if (await remind(services, c, overdueKey, 'incident.deadline_overdue', rule.audience(c), rule.kind)) sent.push(`${c.reference} ${overdueKey}`)
    if (!rule.approaching) continue
    // Due within the window and not yet due; an incident found already overdue skips this stage.
    const approachingKey = `${rule.kind}:approaching`
    const approaching = await db
      .select(candidateColumns)
      .from(incidents)
      .where(
        and(
          base,
          dueBefore(new Date(now.getTime() + APPROACHING_WINDOW_MS)),
          gt(rule.from, ago(now, rule.periodMs)),
          notReminded(approachingKey),
        ),
      )
      .limit(BATCH)
    for (const c of approaching) if (await remind(services, c, approachingKey, 'incident.deadline_approaching', rule.audience(c), rule.kind)) sent.push(`${c.reference} ${approachingKey}`)
  }

  // Coordination requests past due and unanswered, on incidents still being worked.
  const requests = await db
    .select({ ...candidateColumns, requestId: coordinationRequests.id, recipientId: coordinationRequests.organisationId, dueAt: coordinationRequests.dueAt })
    .from(coordinationRequests)
    .innerJoin(incidents, eq(incidents.id, coordinationRequests.incidentId))
    .where(
      and(
        ne(coordinationRequests.status, 'answered'),
        lte(coordinationRequests.dueAt, now),
        inArray(incidents.status, [...OPEN_STATUSES, 'resolved']),
        notExists(
          sql`(select 1 from ${incidentReminders} where ${incidentReminders.incidentId} = ${incidents.id} and ${incidentReminders.key} = 'coordination:' || ${coordinationRequests.id}::text || ':overdue')`,
        ),
      ),
    )
    .limit(BATCH)
  for (const r of requests) {
    const key = `coordination:${r.requestId}:overdue`
    const audience: IncidentAudience = { organisations: [{ id: r.recipientId }] }
    if (await remind(services, r, key, 'incident.deadline_overdue', audience, 'coordination', `/coordination/${r.requestId}`)) sent.push(`${r.reference} ${key}`)
  }
  return { sent }
}

/** Claims the reminder and emits its event in one transaction; false if already sent. */
async function remind(
  services: Services,
  c: Candidate,
  key: string,
  type: 'incident.deadline_approaching' | 'incident.deadline_overdue',
  audience: IncidentAudience,
  deadline: DeadlineKind | 'coordination',
  link?: string,
): Promise<boolean> {
  return services.db.transaction(async (tx: Executor) => {
    const claimed = await tx
      .insert(incidentReminders)
      .values({ incidentId: c.id, key, sentAt: services.now() })
      .onConflictDoNothing()
      .returning({ key: incidentReminders.key })
    if (claimed.length === 0) return false
    await emitEvent(tx, services, incidentEvent(null, c, type, audience, { deadline, ...(link ? { link } : {}) }))
    return true
  })
}
