import { and, asc, desc, eq, ilike, inArray, ne, or, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import type { Executor } from '../../db/client.ts'
import {
  clusterMembers,
  clusterOfficers,
  clusters,
  organisationHistory,
  organisations,
  provinces,
  users,
} from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { optionalEmail, requiredText, uuidField, validate } from '../lib/forms.ts'
import type { OrganisationKind } from '../policy/actor.ts'
import { authorize } from '../policy/policy.server.ts'
import { currentMembership, currentOfficers, endClusterTiesOn, termStatus, todayFor } from './clusters.server.ts'
import { contactPointsOf } from './contacts.server.ts'
import {
  conflict,
  fieldError,
  isUniqueViolation,
  optionalIdField,
  parseId,
  phoneField,
  slugField,
  sortVietnamese,
  websiteField,
} from './shared.server.ts'

const mergedIntoOrg = alias(organisations, 'merged_into_org')

export const ORGANISATION_KINDS = ['national_cert', 'member'] as const satisfies readonly OrganisationKind[]

export interface OrganisationListFilter {
  q?: string
  kind?: OrganisationKind
  includeInactive?: boolean
  limit?: number
}

const escapeLike = (s: string) => s.replace(/[%_\\]/g, '\\$&')

/** The national CERT first, then members by short name in Vietnamese order. */
const directoryOrder = (o: { kind: OrganisationKind; shortName: string }) => `${o.kind === 'national_cert' ? 0 : 1} ${o.shortName}`

/** The directory shows at most this many rows at once; a search narrows it. */
export const DIRECTORY_PAGE = 500

/** The directory's filter from a query string; unknown kinds are ignored (allowlist). */
export function parseOrganisationListFilter(params: URLSearchParams): OrganisationListFilter {
  const kind = params.get('kind')
  return {
    q: (params.get('q') ?? '').slice(0, 100),
    kind: ORGANISATION_KINDS.find((k) => k === kind),
    includeInactive: params.get('inactive') === 'on',
    limit: DIRECTORY_PAGE,
  }
}

/** The network directory: every signed-in member may see who is in the network. */
export async function listOrganisations(acting: ActingContext, filter: OrganisationListFilter = {}) {
  authorize(acting.actor, { action: 'organisation.view' })
  const db = acting.services.db
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 200), 1), 500)
  const conditions: (SQL | undefined)[] = []
  if (!filter.includeInactive) conditions.push(eq(organisations.active, true))
  if (filter.kind) conditions.push(eq(organisations.kind, filter.kind))
  if (filter.q?.trim()) {
    const q = `%${escapeLike(filter.q.trim())}%`
    conditions.push(
      or(
        ilike(organisations.nameVi, q),
        ilike(organisations.nameEn, q),
        ilike(organisations.shortName, q),
        ilike(organisations.slug, q),
        ilike(provinces.nameVi, q),
        ilike(provinces.nameEn, q),
      ),
    )
  }
  const rows = await db
    .select({
      id: organisations.id,
      slug: organisations.slug,
      kind: organisations.kind,
      nameVi: organisations.nameVi,
      nameEn: organisations.nameEn,
      shortName: organisations.shortName,
      active: organisations.active,
      provinceNameVi: provinces.nameVi,
      provinceNameEn: provinces.nameEn,
    })
    .from(organisations)
    .leftJoin(provinces, eq(provinces.id, organisations.provinceId))
    .where(and(...conditions))
    .orderBy(sql`${organisations.kind} = 'member'`, asc(organisations.shortName))
    .limit(limit)
  const clustersByOrg = await currentClustersOf(
    db,
    rows.map((r) => r.id),
    todayFor(acting),
  )
  return sortVietnamese(rows, directoryOrder).map((r) => ({ ...r, clusters: clustersByOrg.get(r.id) ?? [] }))
}

/** Clusters each organisation belongs to today, with its officer role there for the current term. */
async function currentClustersOf(db: Executor, organisationIds: string[], today: string) {
  const out = new Map<string, { id: string; code: string; nameVi: string; nameEn: string; officerRole: 'lead' | 'deputy' | null }[]>()
  if (organisationIds.length === 0) return out
  const memberships = await db
    .select({
      organisationId: clusterMembers.organisationId,
      id: clusters.id,
      code: clusters.code,
      nameVi: clusters.nameVi,
      nameEn: clusters.nameEn,
    })
    .from(clusterMembers)
    .innerJoin(clusters, eq(clusters.id, clusterMembers.clusterId))
    .where(and(inArray(clusterMembers.organisationId, organisationIds), currentMembership(today)))
    .orderBy(asc(clusters.code))
  const officers = await db
    .select({ organisationId: clusterOfficers.organisationId, clusterId: clusterOfficers.clusterId, role: clusterOfficers.role })
    .from(clusterOfficers)
    .where(and(inArray(clusterOfficers.organisationId, organisationIds), currentOfficers(today)))
  for (const m of sortVietnamese(memberships, (x) => x.code)) {
    const list = out.get(m.organisationId) ?? []
    if (list.some((c) => c.id === m.id)) continue
    const role = officers.find((o) => o.organisationId === m.organisationId && o.clusterId === m.id)?.role ?? null
    list.push({ id: m.id, code: m.code, nameVi: m.nameVi, nameEn: m.nameEn, officerRole: role })
    out.set(m.organisationId, list)
  }
  return out
}

/** Provinces for the organisation form, current ones first; merged provinces stay selectable for history. */
export async function listProvinces(acting: ActingContext) {
  authorize(acting.actor, { action: 'organisation.view' })
  const rows = await acting.services.db
    .select({
      id: provinces.id,
      code: provinces.code,
      nameVi: provinces.nameVi,
      nameEn: provinces.nameEn,
      merged: sql<boolean>`${provinces.mergedIntoId} is not null`,
    })
    .from(provinces)
  return sortVietnamese(rows, (p) => `${p.merged ? 1 : 0} ${p.nameVi}`)
}

/** What the "new organisation" form needs; only those who may create one get it. */
export async function newOrganisationForm(acting: ActingContext) {
  authorize(acting.actor, { action: 'organisation.create' })
  return { provinces: await listProvinces(acting) }
}

/** Active organisations for selects (merge target, cluster membership). */
export async function organisationOptions(acting: ActingContext) {
  authorize(acting.actor, { action: 'organisation.view' })
  const rows = await acting.services.db
    .select({ id: organisations.id, kind: organisations.kind, shortName: organisations.shortName, nameVi: organisations.nameVi, nameEn: organisations.nameEn })
    .from(organisations)
    .where(eq(organisations.active, true))
  return sortVietnamese(rows, directoryOrder)
}

/** Everything the organisation page shows. Unknown or malformed ids are 404. */
export async function getOrganisation(acting: ActingContext, rawId: string) {
  authorize(acting.actor, { action: 'organisation.view' })
  const id = parseId(rawId)
  const db = acting.services.db
  const [org] = await db
    .select({
      id: organisations.id,
      slug: organisations.slug,
      kind: organisations.kind,
      nameVi: organisations.nameVi,
      nameEn: organisations.nameEn,
      shortName: organisations.shortName,
      provinceId: organisations.provinceId,
      provinceNameVi: provinces.nameVi,
      provinceNameEn: provinces.nameEn,
      email: organisations.email,
      phone: organisations.phone,
      website: organisations.website,
      active: organisations.active,
      mergedIntoId: organisations.mergedIntoId,
      createdAt: organisations.createdAt,
      updatedAt: organisations.updatedAt,
    })
    .from(organisations)
    .leftJoin(provinces, eq(provinces.id, organisations.provinceId))
    .where(eq(organisations.id, id))
  if (!org) throw new DomainError('not_found')

  const today = todayFor(acting)
  const [mergedInto] = org.mergedIntoId
    ? await db
        .select({ id: organisations.id, shortName: organisations.shortName, nameVi: organisations.nameVi, nameEn: organisations.nameEn })
        .from(organisations)
        .where(eq(organisations.id, org.mergedIntoId))
    : []
  const mergedFromRows = await db
    .select({ id: organisations.id, shortName: organisations.shortName, nameVi: organisations.nameVi, nameEn: organisations.nameEn })
    .from(organisations)
    .where(eq(organisations.mergedIntoId, id))
  const mergedFrom = sortVietnamese(mergedFromRows, (o) => o.shortName)
  const contacts = await contactPointsOf(db, id)
  const membershipRows = await db
    .select({
      membershipId: clusterMembers.id,
      clusterId: clusters.id,
      code: clusters.code,
      nameVi: clusters.nameVi,
      nameEn: clusters.nameEn,
      since: clusterMembers.since,
      until: clusterMembers.until,
    })
    .from(clusterMembers)
    .innerJoin(clusters, eq(clusters.id, clusterMembers.clusterId))
    .where(and(eq(clusterMembers.organisationId, id), currentMembership(today)))
  const memberships = sortVietnamese(membershipRows, (m) => m.code)
  const terms = await db
    .select({
      id: clusterOfficers.id,
      clusterId: clusters.id,
      clusterNameVi: clusters.nameVi,
      clusterNameEn: clusters.nameEn,
      role: clusterOfficers.role,
      termStart: clusterOfficers.termStart,
      termEnd: clusterOfficers.termEnd,
    })
    .from(clusterOfficers)
    .innerJoin(clusters, eq(clusters.id, clusterOfficers.clusterId))
    .where(eq(clusterOfficers.organisationId, id))
    .orderBy(desc(clusterOfficers.termStart))
  const history = await db
    .select({
      id: organisationHistory.id,
      event: organisationHistory.event,
      previousNameVi: organisationHistory.previousNameVi,
      previousNameEn: organisationHistory.previousNameEn,
      newNameVi: organisationHistory.newNameVi,
      newNameEn: organisationHistory.newNameEn,
      mergedIntoId: organisationHistory.mergedIntoId,
      mergedIntoShortName: mergedIntoOrg.shortName,
      note: organisationHistory.note,
      occurredAt: organisationHistory.occurredAt,
    })
    .from(organisationHistory)
    .leftJoin(mergedIntoOrg, eq(mergedIntoOrg.id, organisationHistory.mergedIntoId))
    .where(eq(organisationHistory.organisationId, id))
    .orderBy(desc(organisationHistory.occurredAt), desc(organisationHistory.id))

  return {
    organisation: { ...org, mergedInto: mergedInto ?? null },
    mergedFrom,
    contacts,
    clusters: memberships.map((m) => {
      const term = terms.find((t) => t.clusterId === m.clusterId && t.termStart <= today && t.termEnd >= today)
      return { ...m, officerRole: term?.role ?? null, termStart: term?.termStart ?? null, termEnd: term?.termEnd ?? null }
    }),
    terms: terms.map((t) => ({ ...t, status: termStatus(t, today) })),
    history: history.map((h) => ({ ...h, absorbed: h.event === 'merged_into' && h.mergedIntoId === id })),
    today,
  }
}

// ---------------------------------------------------------------------------------------------
// Writes (sysadmin): create, edit, deactivate/reactivate, merge.

const organisationDetails = {
  nameVi: requiredText(200),
  nameEn: requiredText(200),
  shortName: requiredText(60),
  provinceId: optionalIdField(),
  email: optionalEmail(),
  phone: phoneField(),
  website: websiteField(),
}

export const CreateOrganisationSchema = z.object({
  slug: slugField(),
  kind: z.enum(ORGANISATION_KINDS, { error: 'validation.required' }),
  ...organisationDetails,
})

export const UpdateOrganisationSchema = z.object(organisationDetails)

export const MergeOrganisationSchema = z.object({ targetId: uuidField() })

async function assertProvinceExists(tx: Executor, provinceId: string | null) {
  if (!provinceId) return
  const [p] = await tx.select({ id: provinces.id }).from(provinces).where(eq(provinces.id, provinceId))
  if (!p) throw fieldError('provinceId', 'validation.invalid')
}

/** Locks the organisation row for the rest of the transaction, or 404. */
async function lockOrganisation(tx: Executor, id: string) {
  const [row] = await tx.select().from(organisations).where(eq(organisations.id, id)).for('update')
  if (!row) throw new DomainError('not_found')
  return row
}

export async function createOrganisation(acting: ActingContext, input: unknown) {
  authorize(acting.actor, { action: 'organisation.create' })
  const values = validate(CreateOrganisationSchema, input)
  const slugTaken = () => conflict('slug', 'orgs.validation.slugTaken')
  try {
    return await acting.services.db.transaction(async (tx) => {
      await assertProvinceExists(tx, values.provinceId)
      const [existing] = await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.slug, values.slug))
      if (existing) throw slugTaken()
      const [row] = await tx.insert(organisations).values(values).returning({ id: organisations.id })
      const id = row!.id
      await tx.insert(organisationHistory).values({
        organisationId: id,
        event: 'created',
        newNameVi: values.nameVi,
        newNameEn: values.nameEn,
        occurredAt: acting.services.now(),
        recordedBy: acting.actor.userId,
      })
      await auditAs(tx, acting, {
        action: 'organisation.created',
        objectType: 'organisation',
        objectId: id,
        objectOrganisationId: id,
        details: { slug: values.slug, kind: values.kind, nameVi: values.nameVi, nameEn: values.nameEn },
      })
      return { id }
    })
  } catch (error) {
    // Two admins creating the same slug at once: the unique index decides.
    if (isUniqueViolation(error)) throw slugTaken()
    throw error
  }
}

export async function updateOrganisation(acting: ActingContext, rawId: string, input: unknown) {
  const id = parseId(rawId)
  authorize(acting.actor, { action: 'organisation.update', organisationId: id })
  const values = validate(UpdateOrganisationSchema, input)
  return acting.services.db.transaction(async (tx) => {
    const before = await lockOrganisation(tx, id)
    await assertProvinceExists(tx, values.provinceId)
    const changed = (Object.keys(values) as (keyof typeof values)[]).filter((k) => before[k] !== values[k])
    if (changed.length === 0) return { id, changed }
    await tx.update(organisations).set(values).where(eq(organisations.id, id))
    // A new name is history: reports filed under the old name must still say who filed them.
    if (before.nameVi !== values.nameVi || before.nameEn !== values.nameEn) {
      await tx.insert(organisationHistory).values({
        organisationId: id,
        event: 'renamed',
        previousNameVi: before.nameVi,
        previousNameEn: before.nameEn,
        newNameVi: values.nameVi,
        newNameEn: values.nameEn,
        occurredAt: acting.services.now(),
        recordedBy: acting.actor.userId,
      })
    }
    await auditAs(tx, acting, {
      action: 'organisation.updated',
      objectType: 'organisation',
      objectId: id,
      objectOrganisationId: id,
      details: Object.fromEntries(changed.map((k) => [k, { from: before[k], to: values[k] }])),
    })
    return { id, changed }
  })
}

export async function setOrganisationActive(acting: ActingContext, rawId: string, active: boolean) {
  const id = parseId(rawId)
  authorize(acting.actor, { action: 'organisation.update', organisationId: id })
  return acting.services.db.transaction(async (tx) => {
    const before = await lockOrganisation(tx, id)
    if (before.active === active) throw conflict('_form', active ? 'orgs.errors.alreadyActive' : 'orgs.errors.alreadyInactive')
    if (!active && id === acting.actor.organisationId) {
      // Users of an inactive organisation cannot act: this would lock the administrator out.
      throw conflict('_form', 'orgs.errors.ownOrganisation')
    }
    if (active && before.mergedIntoId) throw conflict('_form', 'orgs.errors.mergedCannotReactivate')
    await tx.update(organisations).set({ active }).where(eq(organisations.id, id))
    await tx.insert(organisationHistory).values({
      organisationId: id,
      event: active ? 'reactivated' : 'deactivated',
      occurredAt: acting.services.now(),
      recordedBy: acting.actor.userId,
    })
    await auditAs(tx, acting, {
      action: active ? 'organisation.reactivated' : 'organisation.deactivated',
      objectType: 'organisation',
      objectId: id,
      objectOrganisationId: id,
    })
    return { id, active }
  })
}

/**
 * Merges `source` into `target` (e.g. a Sở TT&TT into the Sở KH&CN in 2025): the source stays as
 * an inactive, readable record pointing at the target; its people move to the target; its open
 * cluster memberships and officer terms end today, since an inactive body cannot serve a cluster.
 */
export async function mergeOrganisation(acting: ActingContext, rawSourceId: string, input: unknown) {
  const sourceId = parseId(rawSourceId)
  authorize(acting.actor, { action: 'organisation.merge' })
  const { targetId } = validate(MergeOrganisationSchema, input)
  if (targetId === sourceId) throw fieldError('targetId', 'orgs.validation.mergeIntoItself')
  const today = todayFor(acting)
  return acting.services.db.transaction(async (tx) => {
    // Lock in a fixed order so two opposite merges cannot deadlock.
    const [first, second] = [sourceId, targetId].sort()
    const locked = new Map<string, Awaited<ReturnType<typeof lockOrganisation>>>()
    for (const id of [first!, second!]) {
      const [row] = await tx.select().from(organisations).where(eq(organisations.id, id)).for('update')
      if (row) locked.set(id, row)
    }
    const source = locked.get(sourceId)
    if (!source) throw new DomainError('not_found')
    const target = locked.get(targetId)
    if (!target) throw fieldError('targetId', 'validation.invalid')
    if (!source.active) throw conflict('_form', 'orgs.errors.alreadyInactive')
    if (!target.active) throw conflict('targetId', 'orgs.validation.mergeIntoInactive')
    // Roles such as cert_analyst exist only in the national CERT: users could not keep them.
    if (source.kind !== target.kind) throw conflict('targetId', 'orgs.validation.mergeKindMismatch')

    const now = acting.services.now()
    await tx.update(organisations).set({ active: false, mergedIntoId: targetId }).where(eq(organisations.id, sourceId))
    const mergeRow = {
      event: 'merged_into' as const,
      previousNameVi: source.nameVi,
      previousNameEn: source.nameEn,
      newNameVi: target.nameVi,
      newNameEn: target.nameEn,
      mergedIntoId: targetId,
      occurredAt: now,
      recordedBy: acting.actor.userId,
    }
    // The same event on both timelines; on the target's, mergedIntoId is the target itself.
    await tx.insert(organisationHistory).values([
      { ...mergeRow, organisationId: sourceId },
      { ...mergeRow, organisationId: targetId },
    ])
    const moved = await tx
      .update(users)
      .set({ organisationId: targetId })
      .where(eq(users.organisationId, sourceId))
      .returning({ id: users.id })
    const ended = await endClusterTiesOn(tx, sourceId, today)
    const details = {
      sourceId,
      targetId,
      usersMoved: moved.map((u) => u.id),
      membershipsEnded: ended.membershipsEnded,
      termsEnded: ended.termsEnded,
    }
    // Two entries, so that each organisation's admin finds the merge in its own trail.
    await auditAs(tx, acting, { action: 'organisation.merged', objectType: 'organisation', objectId: sourceId, objectOrganisationId: sourceId, details })
    await auditAs(tx, acting, { action: 'organisation.absorbed', objectType: 'organisation', objectId: targetId, objectOrganisationId: targetId, details })
    return details
  })
}

/** Merge targets for a source organisation: active, of the same kind, not itself. */
export async function mergeTargets(acting: ActingContext, source: { id: string; kind: OrganisationKind }) {
  authorize(acting.actor, { action: 'organisation.merge' })
  const rows = await acting.services.db
    .select({ id: organisations.id, shortName: organisations.shortName, nameVi: organisations.nameVi, nameEn: organisations.nameEn })
    .from(organisations)
    .where(and(eq(organisations.active, true), eq(organisations.kind, source.kind), ne(organisations.id, source.id)))
  return sortVietnamese(rows, (o) => o.shortName)
}
