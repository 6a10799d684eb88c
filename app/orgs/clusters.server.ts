import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lte, ne, or } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import type { Executor } from '../../db/client.ts'
import { clusterMembers, clusterOfficers, clusters, organisations } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import { emitEvent } from '../notifications/emit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { calendarDate } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { checkbox, optionalText, requiredText, uuidField, validate } from '../lib/forms.ts'
import { authorize } from '../policy/policy.server.ts'
import {
  calendarDateField,
  conflict,
  fieldError,
  isUniqueViolation,
  optionalCalendarDateField,
  parseId,
  slugField,
  sortVietnamese,
} from './shared.server.ts'

// Clusters (Cụm), their member organisations (dated memberships) and their lead and deputy
// (Cụm trưởng / Cụm phó), which rotate yearly and are therefore dated terms. "Today" is the
// calendar date in Asia/Ho_Chi_Minh: a term ends at local midnight, not at UTC midnight.

/** The clusters the actor's organisation belongs to today, with its officer role if any. */
export async function myClusters(acting: ActingContext) {
  authorize(acting.actor, { action: 'cluster.view' })
  const ids = acting.actor.clusterIds
  if (ids.length === 0) return []
  const rows = await acting.services.db
    .select({ id: clusters.id, code: clusters.code, nameVi: clusters.nameVi, nameEn: clusters.nameEn })
    .from(clusters)
    .where(inArray(clusters.id, ids))
  return sortVietnamese(rows, (c) => c.code).map((c) => ({
    ...c,
    officerRole: acting.actor.officerOf.find((o) => o.clusterId === c.id)?.role ?? null,
  }))
}

/** Conditions for rows current on a date: membership and terms are inclusive date ranges. */
export function currentMembership(today: string) {
  return and(lte(clusterMembers.since, today), or(isNull(clusterMembers.until), gte(clusterMembers.until, today)))
}

export function currentOfficers(today: string) {
  return and(lte(clusterOfficers.termStart, today), gte(clusterOfficers.termEnd, today))
}

export function todayFor(acting: ActingContext) {
  return calendarDate(acting.services.now())
}

export function termStatus(term: { termStart: string; termEnd: string }, today: string): 'past' | 'current' | 'future' {
  if (term.termEnd < today) return 'past'
  if (term.termStart > today) return 'future'
  return 'current'
}

export function membershipStatus(m: { since: string; until: string | null }, today: string): 'past' | 'current' | 'future' {
  if (m.until !== null && m.until < today) return 'past'
  if (m.since > today) return 'future'
  return 'current'
}

// ---------------------------------------------------------------------------------------------
// Reading

const leadOrg = alias(organisations, 'lead_org')

/** Every cluster with its lead and deputy for the current term and its number of current members. */
export async function listClusters(acting: ActingContext) {
  authorize(acting.actor, { action: 'cluster.view' })
  const db = acting.services.db
  const today = todayFor(acting)
  const rows = await db
    .select({ id: clusters.id, code: clusters.code, nameVi: clusters.nameVi, nameEn: clusters.nameEn, active: clusters.active, foundedOn: clusters.foundedOn })
    .from(clusters)
    .then((all) => sortVietnamese(all, (c) => `${c.active ? 0 : 1} ${c.code}`))
  const counts = await db
    .select({ clusterId: clusterMembers.clusterId, members: count() })
    .from(clusterMembers)
    .where(currentMembership(today))
    .groupBy(clusterMembers.clusterId)
  const officers = await db
    .select({
      clusterId: clusterOfficers.clusterId,
      role: clusterOfficers.role,
      termEnd: clusterOfficers.termEnd,
      organisationId: leadOrg.id,
      shortName: leadOrg.shortName,
    })
    .from(clusterOfficers)
    .innerJoin(leadOrg, eq(leadOrg.id, clusterOfficers.organisationId))
    .where(currentOfficers(today))
  return {
    today,
    clusters: rows.map((c) => {
      const officer = (role: 'lead' | 'deputy') => {
        const o = officers.find((x) => x.clusterId === c.id && x.role === role)
        return o ? { organisationId: o.organisationId, shortName: o.shortName, termEnd: o.termEnd } : null
      }
      return {
        ...c,
        lead: officer('lead'),
        deputy: officer('deputy'),
        memberCount: Number(counts.find((n) => n.clusterId === c.id)?.members ?? 0),
      }
    }),
  }
}

/** The cluster page: members (current, upcoming, former) and officers by term. Unknown ids are 404. */
export async function getCluster(acting: ActingContext, rawId: string) {
  authorize(acting.actor, { action: 'cluster.view' })
  const id = parseId(rawId)
  const db = acting.services.db
  const [cluster] = await db.select().from(clusters).where(eq(clusters.id, id))
  if (!cluster) throw new DomainError('not_found')
  const today = todayFor(acting)
  const memberRows = await db
    .select({
      id: clusterMembers.id,
      organisationId: organisations.id,
      shortName: organisations.shortName,
      nameVi: organisations.nameVi,
      nameEn: organisations.nameEn,
      active: organisations.active,
      since: clusterMembers.since,
      until: clusterMembers.until,
    })
    .from(clusterMembers)
    .innerJoin(organisations, eq(organisations.id, clusterMembers.organisationId))
    .where(eq(clusterMembers.clusterId, id))
    .orderBy(desc(clusterMembers.since))
    .then((all) => sortVietnamese(all, (m) => m.shortName))
  const termRows = await db
    .select({
      id: clusterOfficers.id,
      organisationId: organisations.id,
      shortName: organisations.shortName,
      nameVi: organisations.nameVi,
      nameEn: organisations.nameEn,
      role: clusterOfficers.role,
      termStart: clusterOfficers.termStart,
      termEnd: clusterOfficers.termEnd,
    })
    .from(clusterOfficers)
    .innerJoin(organisations, eq(organisations.id, clusterOfficers.organisationId))
    .where(eq(clusterOfficers.clusterId, id))
    .orderBy(desc(clusterOfficers.termStart), asc(clusterOfficers.role))
  const members = memberRows.map((m) => ({ ...m, status: membershipStatus(m, today) }))
  const terms = termRows.map((t) => ({ ...t, status: termStatus(t, today) }))
  const currentRole = (organisationId: string) =>
    terms.find((t) => t.organisationId === organisationId && t.status === 'current')?.role ?? null
  return {
    cluster,
    today,
    members: members.filter((m) => m.status === 'current').map((m) => ({ ...m, officerRole: currentRole(m.organisationId) })),
    upcomingMembers: members.filter((m) => m.status === 'future'),
    formerMembers: members.filter((m) => m.status === 'past'),
    terms,
  }
}

// ---------------------------------------------------------------------------------------------
// Writes (cluster.manage: sysadmin or the national CERT's organisation admin)

// Names of the form fields are distinct across the cluster page's forms (one page, one id per field).
export const ClusterSchema = z.object({
  nameVi: requiredText(200),
  nameEn: requiredText(200),
  description: optionalText(2000),
  foundedOn: optionalCalendarDateField(),
})
export const CreateClusterSchema = ClusterSchema.extend({ code: slugField() })
export const UpdateClusterSchema = ClusterSchema.extend({ active: checkbox() })

export const AddMemberSchema = z.object({ memberOrganisationId: uuidField(), since: calendarDateField() })
export const EndMembershipSchema = z.object({ membershipId: uuidField(), until: calendarDateField() })
export const AssignOfficerSchema = z.object({
  officerOrganisationId: uuidField(),
  role: z.enum(['lead', 'deputy'], { error: 'validation.required' }),
  termStart: calendarDateField(),
  termEnd: calendarDateField(),
})
export const EndTermSchema = z.object({ termId: uuidField(), newTermEnd: calendarDateField() })

/** Locks the cluster for the rest of the transaction: membership and term checks then see no concurrent write. */
async function lockCluster(tx: Executor, id: string) {
  const [row] = await tx.select().from(clusters).where(eq(clusters.id, id)).for('update')
  if (!row) throw new DomainError('not_found')
  return row
}

/**
 * Cluster-level entries name the acting organisation as their object organisation: a cluster
 * belongs to no member, and the national CERT that manages the network structure reads them.
 */
const clusterAuditOrg = (acting: ActingContext) => acting.actor.organisationId

export async function createCluster(acting: ActingContext, input: unknown) {
  authorize(acting.actor, { action: 'cluster.manage' })
  const values = validate(CreateClusterSchema, input)
  const codeTaken = () => conflict('code', 'orgs.validation.codeTaken')
  try {
    return await acting.services.db.transaction(async (tx) => {
      const [existing] = await tx.select({ id: clusters.id }).from(clusters).where(eq(clusters.code, values.code))
      if (existing) throw codeTaken()
      const [row] = await tx.insert(clusters).values(values).returning({ id: clusters.id })
      await auditAs(tx, acting, {
        action: 'cluster.created',
        objectType: 'cluster',
        objectId: row!.id,
        objectOrganisationId: clusterAuditOrg(acting),
        details: values,
      })
      return { id: row!.id }
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw codeTaken()
    throw error
  }
}

export async function updateCluster(acting: ActingContext, rawId: string, input: unknown) {
  authorize(acting.actor, { action: 'cluster.manage' })
  const id = parseId(rawId)
  const values = validate(UpdateClusterSchema, input)
  return acting.services.db.transaction(async (tx) => {
    const before = await lockCluster(tx, id)
    const changed = (Object.keys(values) as (keyof typeof values)[]).filter((k) => before[k] !== values[k])
    if (changed.length === 0) return { id }
    await tx.update(clusters).set(values).where(eq(clusters.id, id))
    await auditAs(tx, acting, {
      action: 'cluster.updated',
      objectType: 'cluster',
      objectId: id,
      objectOrganisationId: clusterAuditOrg(acting),
      details: Object.fromEntries(changed.map((k) => [k, { from: before[k], to: values[k] }])),
    })
    return { id }
  })
}

export async function addClusterMember(acting: ActingContext, rawClusterId: string, input: unknown) {
  authorize(acting.actor, { action: 'cluster.manage' })
  const clusterId = parseId(rawClusterId)
  const { memberOrganisationId: organisationId, since } = validate(AddMemberSchema, input)
  return acting.services.db.transaction(async (tx) => {
    await lockCluster(tx, clusterId)
    const [org] = await tx.select({ active: organisations.active }).from(organisations).where(eq(organisations.id, organisationId))
    if (!org) throw fieldError('memberOrganisationId', 'validation.invalid')
    if (!org.active) throw conflict('memberOrganisationId', 'orgs.validation.organisationInactive')
    // Membership periods of one organisation in one cluster never overlap: a new one starts
    // after the last one ended.
    const [overlapping] = await tx
      .select({ id: clusterMembers.id })
      .from(clusterMembers)
      .where(
        and(
          eq(clusterMembers.clusterId, clusterId),
          eq(clusterMembers.organisationId, organisationId),
          or(isNull(clusterMembers.until), gte(clusterMembers.until, since)),
        ),
      )
    if (overlapping) throw conflict('memberOrganisationId', 'orgs.validation.alreadyMember')
    const [row] = await tx.insert(clusterMembers).values({ clusterId, organisationId, since }).returning({ id: clusterMembers.id })
    await auditAs(tx, acting, {
      action: 'cluster.member_added',
      objectType: 'cluster_member',
      objectId: row!.id,
      objectOrganisationId: organisationId,
      details: { clusterId, since },
    })
    return { id: row!.id }
  })
}

/**
 * Ends a membership on `until` (inclusive). The organisation's officer terms in the cluster that
 * fall in the rest of that membership end with it: only a member can lead or deputise a cluster.
 */
export async function endClusterMembership(acting: ActingContext, rawClusterId: string, input: unknown) {
  authorize(acting.actor, { action: 'cluster.manage' })
  const clusterId = parseId(rawClusterId)
  const { membershipId, until } = validate(EndMembershipSchema, input)
  return acting.services.db.transaction(async (tx) => {
    await lockCluster(tx, clusterId)
    const [membership] = await tx
      .select()
      .from(clusterMembers)
      .where(and(eq(clusterMembers.id, membershipId), eq(clusterMembers.clusterId, clusterId)))
    if (!membership) throw fieldError('membershipId', 'validation.invalid')
    if (membership.until !== null && membership.until <= until) throw conflict('membershipId', 'orgs.validation.membershipAlreadyEnded')
    if (until < membership.since) throw fieldError('until', 'orgs.validation.untilBeforeSince')
    await tx.update(clusterMembers).set({ until }).where(eq(clusterMembers.id, membershipId))
    const termsEnded = await cutOfficerTerms(tx, {
      organisationId: membership.organisationId,
      clusterId,
      until,
      within: membership.until,
    })
    await auditAs(tx, acting, {
      action: 'cluster.member_ended',
      objectType: 'cluster_member',
      objectId: membershipId,
      objectOrganisationId: membership.organisationId,
      details: { clusterId, since: membership.since, previousUntil: membership.until, until, termsEnded },
    })
    return { id: membershipId, termsEnded }
  })
}

/**
 * Names a lead or deputy for a term. The organisation must be a member of the cluster today;
 * one role has one holder at a time; one organisation does not hold both roles at once.
 */
export async function assignClusterOfficer(acting: ActingContext, rawClusterId: string, input: unknown) {
  authorize(acting.actor, { action: 'cluster.manage' })
  const clusterId = parseId(rawClusterId)
  const { officerOrganisationId: organisationId, role, termStart, termEnd } = validate(AssignOfficerSchema, input)
  if (termEnd < termStart) throw fieldError('termEnd', 'orgs.validation.termOrder')
  const today = todayFor(acting)
  return acting.services.db.transaction(async (tx) => {
    await lockCluster(tx, clusterId)
    const [member] = await tx
      .select({ id: clusterMembers.id })
      .from(clusterMembers)
      .innerJoin(organisations, eq(organisations.id, clusterMembers.organisationId))
      .where(
        and(
          eq(clusterMembers.clusterId, clusterId),
          eq(clusterMembers.organisationId, organisationId),
          eq(organisations.active, true),
          currentMembership(today),
        ),
      )
    if (!member) throw fieldError('officerOrganisationId', 'orgs.validation.notCurrentMember')
    const overlaps = and(lte(clusterOfficers.termStart, termEnd), gte(clusterOfficers.termEnd, termStart))
    const [sameRole] = await tx
      .select({ termStart: clusterOfficers.termStart, termEnd: clusterOfficers.termEnd })
      .from(clusterOfficers)
      .where(and(eq(clusterOfficers.clusterId, clusterId), eq(clusterOfficers.role, role), overlaps))
    if (sameRole) throw conflict('termStart', 'orgs.validation.termOverlap')
    const [otherRole] = await tx
      .select({ id: clusterOfficers.id })
      .from(clusterOfficers)
      .where(
        and(
          eq(clusterOfficers.clusterId, clusterId),
          eq(clusterOfficers.organisationId, organisationId),
          ne(clusterOfficers.role, role),
          overlaps,
        ),
      )
    if (otherRole) throw conflict('officerOrganisationId', 'orgs.validation.bothRoles')
    const [row] = await tx
      .insert(clusterOfficers)
      .values({ clusterId, organisationId, role, termStart, termEnd })
      .returning({ id: clusterOfficers.id })
    await auditAs(tx, acting, {
      action: 'cluster.officer_assigned',
      objectType: 'cluster_officer',
      objectId: row!.id,
      objectOrganisationId: organisationId,
      details: { clusterId, role, termStart, termEnd },
    })
    const [cluster] = await tx.select({ nameVi: clusters.nameVi }).from(clusters).where(eq(clusters.id, clusterId))
    await emitEvent(tx, acting.services, {
      type: 'cluster.officer_assigned',
      objectType: 'cluster',
      objectId: clusterId,
      organisationId,
      actorUserId: acting.actor.userId,
      payload: { organisationId, officerRole: role, clusterName: cluster?.nameVi ?? '', termStart, termEnd, link: `/clusters/${clusterId}` },
    })
    return { id: row!.id }
  })
}

/** Ends a term early (a lead steps down). The new end may not precede the start or extend the term. */
export async function endClusterOfficerTerm(acting: ActingContext, rawClusterId: string, input: unknown) {
  authorize(acting.actor, { action: 'cluster.manage' })
  const clusterId = parseId(rawClusterId)
  const { termId, newTermEnd } = validate(EndTermSchema, input)
  return acting.services.db.transaction(async (tx) => {
    await lockCluster(tx, clusterId)
    const [term] = await tx
      .select()
      .from(clusterOfficers)
      .where(and(eq(clusterOfficers.id, termId), eq(clusterOfficers.clusterId, clusterId)))
    if (!term) throw fieldError('termId', 'validation.invalid')
    if (newTermEnd < term.termStart) throw fieldError('newTermEnd', 'orgs.validation.termOrder')
    if (newTermEnd >= term.termEnd) throw fieldError('newTermEnd', 'orgs.validation.termNotShortened')
    await tx.update(clusterOfficers).set({ termEnd: newTermEnd }).where(eq(clusterOfficers.id, termId))
    await auditAs(tx, acting, {
      action: 'cluster.officer_term_ended',
      objectType: 'cluster_officer',
      objectId: termId,
      objectOrganisationId: term.organisationId,
      details: { clusterId, role: term.role, termStart: term.termStart, previousTermEnd: term.termEnd, termEnd: newTermEnd },
    })
    return { id: termId }
  })
}

/** Withdraws a term that has not started yet (a nomination made in error). Past terms are history. */
export async function removeClusterOfficerTerm(acting: ActingContext, rawClusterId: string, rawTermId: unknown) {
  authorize(acting.actor, { action: 'cluster.manage' })
  const clusterId = parseId(rawClusterId)
  const termId = parseId(rawTermId)
  const today = todayFor(acting)
  return acting.services.db.transaction(async (tx) => {
    await lockCluster(tx, clusterId)
    const [term] = await tx
      .select()
      .from(clusterOfficers)
      .where(and(eq(clusterOfficers.id, termId), eq(clusterOfficers.clusterId, clusterId)))
    if (!term) throw new DomainError('not_found')
    if (term.termStart <= today) throw conflict('_form', 'orgs.validation.termAlreadyStarted')
    await tx.delete(clusterOfficers).where(eq(clusterOfficers.id, termId))
    await auditAs(tx, acting, {
      action: 'cluster.officer_term_removed',
      objectType: 'cluster_officer',
      objectId: termId,
      objectOrganisationId: term.organisationId,
      details: { clusterId, role: term.role, termStart: term.termStart, termEnd: term.termEnd },
    })
    return { id: termId }
  })
}

/**
 * Officer terms of an organisation that reach past `until` end on it; terms that would only
 * start after it are removed (the check constraint forbids an end before the start). `within`
 * bounds the cut to terms starting no later than that date (the rest of one membership); null
 * means no bound.
 */
async function cutOfficerTerms(
  tx: Executor,
  scope: { organisationId: string; clusterId?: string; until: string; within: string | null },
): Promise<string[]> {
  const base = and(
    eq(clusterOfficers.organisationId, scope.organisationId),
    scope.clusterId ? eq(clusterOfficers.clusterId, scope.clusterId) : undefined,
    scope.within ? lte(clusterOfficers.termStart, scope.within) : undefined,
  )
  const ended = await tx
    .update(clusterOfficers)
    .set({ termEnd: scope.until })
    .where(and(base, lte(clusterOfficers.termStart, scope.until), gt(clusterOfficers.termEnd, scope.until)))
    .returning({ id: clusterOfficers.id })
  const removed = await tx
    .delete(clusterOfficers)
    .where(and(base, gt(clusterOfficers.termStart, scope.until)))
    .returning({ id: clusterOfficers.id })
  return [...ended, ...removed].map((t) => t.id)
}

/**
 * Ends all of an organisation's cluster ties on `until` (inclusive), as when it is merged away:
 * memberships and terms reaching past that day are cut to it, ones that would start later are
 * removed.
 */
export async function endClusterTiesOn(tx: Executor, organisationId: string, until: string) {
  const scope = eq(clusterMembers.organisationId, organisationId)
  const membershipsEnded = await tx
    .update(clusterMembers)
    .set({ until })
    .where(and(scope, lte(clusterMembers.since, until), or(isNull(clusterMembers.until), gt(clusterMembers.until, until))))
    .returning({ id: clusterMembers.id })
  const membershipsRemoved = await tx
    .delete(clusterMembers)
    .where(and(scope, gt(clusterMembers.since, until)))
    .returning({ id: clusterMembers.id })
  const termsEnded = await cutOfficerTerms(tx, { organisationId, until, within: null })
  return { membershipsEnded: [...membershipsEnded, ...membershipsRemoved].map((m) => m.id), termsEnded }
}
