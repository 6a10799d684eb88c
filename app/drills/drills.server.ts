import { and, asc, desc, eq, gte, inArray, isNull, lt, lte, max, min, or, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { clusterMembers, clusters, drillOrganisations, drillRegistrations, drills, drillSessions, organisations, users } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import { localDateTimeToDate } from '../lib/dates.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { calendarDate, DEFAULT_TIME_ZONE } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { validate, type FieldErrors } from '../lib/forms.ts'
import { authorize, can, visibleDrillsWhere } from '../policy/policy.server.ts'
import { emitDrillEvent, getVisibleDrill, lockVisibleDrill } from './access.server.ts'
import {
  DRILL_KINDS,
  DRILL_LEVELS,
  DRILL_ROLES,
  DRILL_STATUSES,
  DRILL_TRANSITIONS,
  EDITABLE_STATUSES,
  nextDrillStatus,
  scenarioConfidentialByDefault,
  type DrillKind,
  type DrillLevel,
  type DrillStatus,
  type DrillTransition,
} from './lifecycle.ts'
import { DrillFormSchema, DrillTransitionSchema, sessionPairs, type DrillFormValues } from './schemas.ts'

// Drills (issue 6): creating one, its life cycle, the detail view and the list. Every act
// validates, asks the policy, and writes the row, the audit entry and the notification event in
// one transaction. Sign-ups and the waitlist are in registrations.server.ts.

const fieldErrors = (errors: FieldErrors) => new DomainError('validation', 'errors.validation', { fieldErrors: errors })

/** Parses the drill form, reading its wall-clock times in `timeZone`; reports every problem at once. */
export function parseDrill(input: unknown, timeZone: string) {
  const values = validate(DrillFormSchema, input)
  const errors: FieldErrors = {}
  const at = (v: string) => localDateTimeToDate(v, timeZone)
  const opensAt = at(values.registrationOpensAt)
  const closesAt = at(values.registrationClosesAt)
  if (!opensAt) errors.registrationOpensAt = ['drills.validation.dateTime']
  if (!closesAt) errors.registrationClosesAt = ['drills.validation.dateTime']
  else if (opensAt && closesAt <= opensAt) errors.registrationClosesAt = ['drills.validation.closesAfterOpens']
  const sessions: { startsAt: Date; endsAt: Date }[] = []
  for (const [s, e] of sessionPairs(values)) {
    const startsAt = at(s)
    const endsAt = at(e)
    if (!startsAt || !endsAt) errors.sessionStarts = ['drills.validation.dateTime']
    else if (endsAt <= startsAt) errors.sessionEnds = ['drills.validation.endsAfterStarts']
    else sessions.push({ startsAt, endsAt })
  }
  sessions.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
  // Registration must close before the drill begins: the organisers need the final list.
  if (closesAt && sessions[0] && closesAt > sessions[0].startsAt) errors.registrationClosesAt ??= ['drills.validation.closesBeforeStart']
  if (Object.keys(errors).length > 0 || !opensAt || !closesAt) throw fieldErrors(errors)
  return { values, opensAt, closesAt, sessions }
}

/** The current members of a cluster (dates in Asia/Ho_Chi_Minh), or null if there is no such active cluster. */
async function currentClusterMembers(db: Executor, clusterId: string, now: Date): Promise<string[] | null> {
  const [cluster] = await db.select({ id: clusters.id }).from(clusters).where(and(eq(clusters.id, clusterId), eq(clusters.active, true)))
  if (!cluster) return null
  const today = calendarDate(now)
  const rows = await db
    .select({ id: clusterMembers.organisationId })
    .from(clusterMembers)
    .where(and(eq(clusterMembers.clusterId, clusterId), lte(clusterMembers.since, today), or(isNull(clusterMembers.until), gte(clusterMembers.until, today))))
  return rows.map((r) => r.id)
}

/**
 * Checks the invitations of a drill form (the cluster exists; a cluster's drill invites only its
 * members; listed organisations exist) and returns the organisations to list, if any.
 */
export async function checkInvitations(tx: Executor, values: DrillFormValues, clusterId: string | null, now: Date): Promise<string[]> {
  if (clusterId) {
    const members = await currentClusterMembers(tx, clusterId, now)
    if (!members) throw fieldErrors({ clusterId: ['validation.invalid'] })
    // A cluster's drill may invite some of its members, never organisations outside it.
    if (values.level === 'cluster' && values.scope === 'list' && !values.organisationIds.every((id) => members.includes(id))) {
      throw fieldErrors({ organisationIds: ['drills.validation.outsideCluster'] })
    }
  }
  if (values.scope !== 'list') return []
  const found = await tx
    .select({ id: organisations.id })
    .from(organisations)
    .where(and(inArray(organisations.id, values.organisationIds), eq(organisations.active, true)))
  if (found.length !== values.organisationIds.length) throw fieldErrors({ organisationIds: ['validation.invalid'] })
  return values.organisationIds
}

export interface DrillOptions {
  /** Zone in which the form's local date-times are read. */
  timeZone?: string
}

/** Creates a drill as a draft, organised by the actor's organisation (policy `drill.create`). */
export async function createDrill(acting: ActingContext, input: unknown, opts: DrillOptions = {}) {
  const { values, opensAt, closesAt, sessions } = parseDrill(input, opts.timeZone ?? DEFAULT_TIME_ZONE)
  // Only the levels that have a cluster keep one; an internal or network-wide drill names none.
  const clusterId = values.level === 'cluster' || values.scope === 'cluster' ? values.clusterId : null
  authorize(acting.actor, { action: 'drill.create', level: values.level, clusterId })
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const listed = await checkInvitations(tx, values, clusterId, now)
    const [row] = await tx
      .insert(drills)
      .values({
        title: values.title,
        kind: values.kind,
        level: values.level,
        description: values.description ?? '',
        scenario: values.scenario ?? '',
        objectives: values.objectives ?? '',
        scenarioConfidential: scenarioConfidentialByDefault(values.kind),
        venue: values.venue,
        onlineUrl: values.onlineUrl,
        tlp: values.tlp,
        organiserOrganisationId: acting.actor.organisationId,
        clusterId,
        scope: values.scope,
        capacity: values.capacity,
        perOrganisationCapacity: values.perOrganisationCapacity,
        rolesOffered: values.rolesOffered,
        registrationOpensAt: opensAt,
        registrationClosesAt: closesAt,
        requiresApproval: values.requiresApproval,
        createdBy: acting.actor.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
    await tx.insert(drillSessions).values(sessions.map((s) => ({ drillId: row!.id, ...s })))
    if (listed.length > 0) await tx.insert(drillOrganisations).values(listed.map((organisationId) => ({ drillId: row!.id, organisationId })))
    await auditAs(tx, acting, {
      action: 'drill.created',
      objectType: 'drill',
      objectId: row!.id,
      objectOrganisationId: row!.organiserOrganisationId,
      details: { level: row!.level, scope: row!.scope, kind: row!.kind, tlp: row!.tlp, capacity: row!.capacity, sessions: sessions.length },
    })
    return { id: row!.id, status: row!.status }
  })
}

/**
 * Moves the drill along its life cycle (app/drills/lifecycle.ts). Not visible → 404; no such
 * step from the current status → 409; not an organiser → 403. Publishing tells the invited
 * organisations; cancelling tells everyone registered and raises the calendar SEQUENCE.
 */
export async function transitionDrill(acting: ActingContext, rawId: unknown, rawTransition: unknown) {
  const transition: DrillTransition = validate(DrillTransitionSchema, rawTransition)
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await lockVisibleDrill(tx, acting, rawId)
    authorize(acting.actor, { action: 'drill.manage', drill: facts })
    const to = nextDrillStatus(row.status, transition)
    if (!to) throw new DomainError('conflict', 'drills.errors.illegalTransition')
    const set: Partial<typeof drills.$inferInsert> = { status: to, updatedAt: now }
    if (transition === 'publish') set.publishedAt = now
    if (transition === 'cancel') {
      set.cancelledAt = now
      set.sequence = row.sequence + 1
    }
    const [updated] = await tx.update(drills).set(set).where(eq(drills.id, row.id)).returning()
    await auditAs(tx, acting, {
      action: 'drill.transitioned',
      objectType: 'drill',
      objectId: row.id,
      objectOrganisationId: row.organiserOrganisationId,
      details: { transition, from: row.status, to },
    })
    if (transition === 'publish') await emitDrillEvent(tx, acting, updated!, 'drill.published', { invitedOrganisations: true })
    if (transition === 'cancel') {
      const registered = await tx
        .select({ userId: drillRegistrations.userId })
        .from(drillRegistrations)
        .where(and(eq(drillRegistrations.drillId, row.id), sql`${drillRegistrations.status} <> 'cancelled'`))
      if (registered.length > 0) await emitDrillEvent(tx, acting, updated!, 'drill.cancelled', { users: registered.map((r) => r.userId) })
    }
    return { id: row.id, from: row.status, to }
  })
}

/** Places held and waiting, overall and per organisation. */
export async function registrationCounts(db: Executor, drillId: string) {
  const rows = await db
    .select({ organisationId: drillRegistrations.organisationId, status: drillRegistrations.status, n: sql<number>`count(*)::int` })
    .from(drillRegistrations)
    .where(eq(drillRegistrations.drillId, drillId))
    .groupBy(drillRegistrations.organisationId, drillRegistrations.status)
  const total = (status: string) => rows.filter((r) => r.status === status).reduce((s, r) => s + r.n, 0)
  return { confirmed: total('confirmed'), pendingApproval: total('pending_approval'), waitlisted: total('waitlisted'), byOrganisation: rows }
}

/**
 * The drill page: the drill as the actor may see it (the scenario and objectives only for its
 * organisers until the start, where the kind calls for it), its sessions, the counts, the actor's
 * own registration, and for organisers the registrations.
 */
export async function getDrillDetail(acting: ActingContext, rawId: unknown) {
  const { row, facts } = await getVisibleDrill(acting, rawId)
  const db = acting.services.db
  const now = acting.services.now()
  const manage = can(acting.actor, { action: 'drill.manage', drill: facts })
  const scenarioVisible = can(acting.actor, { action: 'drill.viewScenario', drill: facts, now })
  const sessions = await db.select().from(drillSessions).where(eq(drillSessions.drillId, row.id)).orderBy(asc(drillSessions.startsAt))
  const [mine] = await db
    .select()
    .from(drillRegistrations)
    .where(and(eq(drillRegistrations.drillId, row.id), eq(drillRegistrations.userId, acting.actor.userId), sql`${drillRegistrations.status} <> 'cancelled'`))
  const registrations = manage
    ? await db
        .select({
          id: drillRegistrations.id,
          userName: users.name,
          organisationName: organisations.shortName,
          role: drillRegistrations.role,
          status: drillRegistrations.status,
          position: drillRegistrations.position,
        })
        .from(drillRegistrations)
        .innerJoin(users, eq(users.id, drillRegistrations.userId))
        .innerJoin(organisations, eq(organisations.id, drillRegistrations.organisationId))
        .where(and(eq(drillRegistrations.drillId, row.id), sql`${drillRegistrations.status} <> 'cancelled'`))
        .orderBy(asc(drillRegistrations.position))
    : []
  // An organisation admin approves and cancels their own staff's sign-ups.
  const staffRegistrations =
    acting.actor.role === 'org_admin'
      ? await db
          .select({ id: drillRegistrations.id, userName: users.name, role: drillRegistrations.role, status: drillRegistrations.status })
          .from(drillRegistrations)
          .innerJoin(users, eq(users.id, drillRegistrations.userId))
          .where(
            and(
              eq(drillRegistrations.drillId, row.id),
              eq(drillRegistrations.organisationId, acting.actor.organisationId),
              sql`${drillRegistrations.status} <> 'cancelled'`,
            ),
          )
          .orderBy(asc(drillRegistrations.position))
      : []
  const [organiser] = await db.select({ name: organisations.shortName }).from(organisations).where(eq(organisations.id, row.organiserOrganisationId))
  const { scenario, objectives, ...rest } = row
  return {
    drill: { ...rest, organiserName: organiser?.name ?? '', scenario: scenarioVisible ? scenario : null, objectives: scenarioVisible ? objectives : null },
    sessions,
    counts: await registrationCounts(db, row.id),
    myRegistration: mine ?? null,
    registrations,
    staffRegistrations,
    can: {
      manage,
      edit: manage && EDITABLE_STATUSES.includes(row.status),
      transitions: manage ? (Object.keys(DRILL_TRANSITIONS) as DrillTransition[]).filter((t) => nextDrillStatus(row.status, t) !== null) : [],
      register: DRILL_ROLES.filter((role) => can(acting.actor, { action: 'drill.register', drill: facts, role, now })),
    },
  }
}

export interface DrillListFilter {
  /** Upcoming (not over yet: a drill under way is still upcoming, as is one without sessions) or past (its last session has ended). */
  when?: 'upcoming' | 'past'
  status?: DrillStatus
  kind?: DrillKind
  level?: DrillLevel
  /** Drills whose first session falls in this calendar year (in Asia/Ho_Chi_Minh). */
  year?: number
}

/** Reads the list's filters from a query string; anything unknown is dropped, never an error. */
export function parseDrillListFilter(params: URLSearchParams): Omit<DrillListFilter, 'when'> {
  const pick = <T extends string>(values: readonly T[], raw: string | null) => values.find((v) => v === raw)
  const year = Number(params.get('year'))
  return {
    status: pick(DRILL_STATUSES, params.get('status')),
    kind: pick(DRILL_KINDS, params.get('kind')),
    level: pick(DRILL_LEVELS, params.get('level')),
    year: Number.isInteger(year) && year >= 2000 && year <= 2999 ? year : undefined,
  }
}

/** Drills the actor may see (visibleDrillsWhere), upcoming soonest first or past latest first. */
export async function listDrills(acting: ActingContext, filter: DrillListFilter = {}) {
  const now = acting.services.now()
  const startsAt = min(drillSessions.startsAt)
  const endsAt = max(drillSessions.endsAt)
  const conditions: (SQL | undefined)[] = [visibleDrillsWhere(acting.actor)]
  if (filter.status) conditions.push(eq(drills.status, filter.status))
  if (filter.kind) conditions.push(eq(drills.kind, filter.kind))
  if (filter.level) conditions.push(eq(drills.level, filter.level))
  const when = filter.when ?? 'upcoming'
  const inYear = filter.year
    ? and(
        gte(startsAt, sql`${new Date(`${filter.year}-01-01T00:00:00+07:00`).toISOString()}::timestamptz`),
        lt(startsAt, sql`${new Date(`${filter.year + 1}-01-01T00:00:00+07:00`).toISOString()}::timestamptz`),
      )
    : undefined
  const rows = await acting.services.db
    .select({
      id: drills.id,
      title: drills.title,
      kind: drills.kind,
      level: drills.level,
      status: drills.status,
      tlp: drills.tlp,
      organiserName: organisations.shortName,
      registrationClosesAt: drills.registrationClosesAt,
      startsAt,
    })
    .from(drills)
    .innerJoin(organisations, eq(organisations.id, drills.organiserOrganisationId))
    .leftJoin(drillSessions, eq(drillSessions.drillId, drills.id))
    .where(and(...conditions))
    .groupBy(drills.id, organisations.shortName)
    // An aggregate has no column type for postgres.js to encode a Date with: pass the instant as text.
    .having(
      and(
        when === 'upcoming' ? or(sql`${endsAt} is null`, gte(endsAt, sql`${now.toISOString()}::timestamptz`)) : lt(endsAt, sql`${now.toISOString()}::timestamptz`),
        inYear,
      ),
    )
    .orderBy(when === 'upcoming' ? asc(startsAt) : desc(startsAt), asc(drills.id))
    .limit(200)
  return rows
}

/** The levels the actor may organise a drill at, with the clusters each may be for. */
export async function newDrillForm(acting: ActingContext) {
  const db = acting.services.db
  const allClusters = await db
    .select({ id: clusters.id, nameVi: clusters.nameVi, nameEn: clusters.nameEn })
    .from(clusters)
    .where(eq(clusters.active, true))
    .orderBy(asc(clusters.code))
  const levels = DRILL_LEVELS.filter((level) =>
    level === 'cluster'
      ? allClusters.some((c) => can(acting.actor, { action: 'drill.create', level, clusterId: c.id }))
      : can(acting.actor, { action: 'drill.create', level, clusterId: null }),
  )
  if (levels.length === 0) throw new DomainError('forbidden')
  const organisationOptions = await db
    .select({ id: organisations.id, name: organisations.shortName })
    .from(organisations)
    .where(eq(organisations.active, true))
    .orderBy(asc(organisations.shortName))
  // A cluster lead picks among its own clusters; the national CERT may invite any cluster.
  const clusterOptions = allClusters.filter(
    (c) => can(acting.actor, { action: 'drill.create', level: 'cluster', clusterId: c.id }) || levels.includes('national'),
  )
  return { levels, clusterOptions, organisationOptions }
}

/** Whether the actor may organise a drill at any level (the list page's "new drill" link). */
export function mayCreateDrills(acting: ActingContext): boolean {
  const actor = acting.actor
  return (
    actor.officerOf.some((o) => can(actor, { action: 'drill.create', level: 'cluster', clusterId: o.clusterId })) ||
    (['organisation', 'national', 'international'] as const).some((level) => can(actor, { action: 'drill.create', level, clusterId: null }))
  )
}
