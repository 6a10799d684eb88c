import { and, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { incidents, indicatorCorrelations, indicatorIncidents, indicators, indicatorSightings, organisations } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { validate } from '../lib/forms.ts'
import { getVisibleIncident } from '../incidents/access.server.ts'
import { authorize, can, visibleIncidentsWhere, visibleIndicatorsWhere } from '../policy/policy.server.ts'
import { getVisibleIndicator } from './access.server.ts'
import { auditImport, correlateRows, indicatorValues, previewEntries, saveEntries } from './import-pipeline.server.ts'
import { classify, normalise, parsePaste } from './normalise.ts'
import { IndicatorFormSchema, PasteFormSchema, SightingFormSchema } from './schemas.ts'
import { warninglistsInForce } from './warninglists.server.ts'

// Indicators of compromise (issue 5): share one, or many from a pasted report (preview, then
// save), record sightings, and correlate the same canonical value across organisations. Every
// act validates, asks the policy, and writes its rows, audit entry and events in one transaction.

async function insertIndicator(tx: Executor, values: ReturnType<typeof indicatorValues>) {
  const [row] = await tx.insert(indicators).values(values).onConflictDoNothing().returning()
  return row ?? null
}

/** Shares one indicator. Idempotent on (type, value, source organisation): a repeat returns the existing one. */
export async function createIndicator(acting: ActingContext, input: unknown) {
  authorize(acting.actor, { action: 'indicator.create' })
  const form = validate(IndicatorFormSchema, input)
  const normalised = normalise(form.type, form.value)
  if (!normalised.ok) {
    throw new DomainError('validation', 'errors.validation', { fieldErrors: { value: [`iocs.validation.${normalised.reason}`] } })
  }
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const row = await insertIndicator(tx, indicatorValues(acting, normalised.type, normalised.value, form, now))
    const onLists = (await warninglistsInForce(tx)).matcher.match(normalised.type, normalised.value)
    if (!row) {
      const [existing] = await tx
        .select({ id: indicators.id })
        .from(indicators)
        .where(and(eq(indicators.type, normalised.type), eq(indicators.value, normalised.value), eq(indicators.sourceOrganisationId, acting.actor.organisationId)))
      return { id: existing!.id, created: false, warninglists: onLists }
    }
    await auditAs(tx, acting, {
      action: 'indicator.created',
      objectType: 'indicator',
      objectId: row.id,
      objectOrganisationId: row.sourceOrganisationId,
      details: { type: row.type, tlp: row.tlp, warninglists: onLists },
    })
    await correlateRows(tx, acting, [row])
    return { id: row.id, created: true, warninglists: onLists }
  })
}

// ---------------------------------------------------------------------------------------------
// Bulk paste: preview, then save. The save re-reads the text: a preview is never trusted.

export type { PreviewLine, PreviewStatus } from './import-pipeline.server.ts'

export async function previewPaste(acting: ActingContext, input: unknown) {
  authorize(acting.actor, { action: 'indicator.create' })
  const form = validate(PasteFormSchema, input)
  return previewEntries(acting.services.db, acting, parsePaste(form.text))
}

/** Names of the administrators' warninglists by id, for pages that show preview or indicator warnings. */
export async function warninglistNames(acting: ActingContext): Promise<Record<string, string>> {
  return (await warninglistsInForce(acting.services.db)).names
}

/** Saves what the preview showed as valid or warninglisted (a warning never blocks). */
export async function savePaste(acting: ActingContext, input: unknown) {
  authorize(acting.actor, { action: 'indicator.create' })
  const form = validate(PasteFormSchema, input)
  return acting.services.db.transaction(async (tx) => {
    const { lines, created, counts } = await saveEntries(tx, acting, parsePaste(form.text), form)
    await auditImport(tx, acting, counts, { source: 'paste', tlp: form.tlp })
    return { ...counts, ids: created.map((r) => r.id), lines }
  })
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function listIndicators(acting: ActingContext, opts: { limit?: number } = {}) {
  return acting.services.db
    .select({
      id: indicators.id,
      type: indicators.type,
      value: indicators.value,
      tlp: indicators.tlp,
      pap: indicators.pap,
      confidence: indicators.confidence,
      sourceOrganisationId: indicators.sourceOrganisationId,
      organisationName: organisations.shortName,
      createdAt: indicators.createdAt,
    })
    .from(indicators)
    .innerJoin(organisations, eq(organisations.id, indicators.sourceOrganisationId))
    .where(visibleIndicatorsWhere(acting.actor))
    .orderBy(desc(indicators.createdAt), desc(indicators.id))
    .limit(Math.min(opts.limit ?? 50, 200))
}

/**
 * The other organisations' indicators of the same value that this actor may see. Correlations
 * with indicators they may not see are left out entirely: neither the item nor the count shows.
 */
export async function relatedIndicators(acting: ActingContext, id: string, db: Executor = acting.services.db) {
  // Asking about an indicator one may not see is a 404 like every other door, not an empty answer
  // that would confirm the correlations of an invisible indicator.
  await getVisibleIndicator(acting, id, db)
  const pairs = await db
    .select({ a: indicatorCorrelations.indicatorId, b: indicatorCorrelations.relatedIndicatorId })
    .from(indicatorCorrelations)
    .where(sql`${indicatorCorrelations.indicatorId} = ${id} or ${indicatorCorrelations.relatedIndicatorId} = ${id}`)
  const otherIds = pairs.map((p) => (p.a === id ? p.b : p.a))
  if (otherIds.length === 0) return []
  return db
    .select({
      id: indicators.id,
      type: indicators.type,
      value: indicators.value,
      tlp: indicators.tlp,
      sourceOrganisationId: indicators.sourceOrganisationId,
      organisationName: organisations.shortName,
      createdAt: indicators.createdAt,
    })
    .from(indicators)
    .innerJoin(organisations, eq(organisations.id, indicators.sourceOrganisationId))
    .where(and(inArray(indicators.id, otherIds), visibleIndicatorsWhere(acting.actor)))
    .orderBy(indicators.createdAt)
}

/** Whether the actor may share indicators (the list's "share" and "paste" links). */
export function mayShareIndicators(acting: ActingContext): boolean {
  return can(acting.actor, { action: 'indicator.create' })
}

export async function getIndicator(acting: ActingContext, id: string) {
  const { row, facts } = await getVisibleIndicator(acting, id)
  const db = acting.services.db
  const [source] = await db.select({ name: organisations.shortName }).from(organisations).where(eq(organisations.id, row.sourceOrganisationId))
  const related = await relatedIndicators(acting, id)
  const sightings = await db
    .select({
      id: indicatorSightings.id,
      organisationId: indicatorSightings.organisationId,
      organisationName: organisations.shortName,
      seenAt: indicatorSightings.seenAt,
      count: indicatorSightings.count,
      note: indicatorSightings.note,
    })
    .from(indicatorSightings)
    .innerJoin(organisations, eq(organisations.id, indicatorSightings.organisationId))
    .where(eq(indicatorSightings.indicatorId, id))
    .orderBy(desc(indicatorSightings.seenAt))
  // Linked incidents the viewer may see; the others are not mentioned.
  const linkedIncidents = await db
    .select({ id: incidents.id, reference: incidents.reference, status: incidents.status, tlp: incidents.tlp })
    .from(indicatorIncidents)
    .innerJoin(incidents, eq(incidents.id, indicatorIncidents.incidentId))
    .where(and(eq(indicatorIncidents.indicatorId, id), visibleIncidentsWhere(acting.actor)))
    .orderBy(incidents.reference)
  return {
    indicator: row,
    sourceOrganisationName: source?.name ?? '',
    maySight: can(acting.actor, { action: 'indicator.sight', indicator: facts }),
    linkedIncidents,
    warninglists: (await warninglistsInForce(db)).matcher.match(row.type, row.value),
    warninglistNames: (await warninglistsInForce(db)).names,
    related,
    /** "Seen by N organisations", counting only holders the viewer may see. */
    seenByOrganisations: new Set([row.sourceOrganisationId, ...related.map((r) => r.sourceOrganisationId)]).size,
    sightings,
  }
}

// ---------------------------------------------------------------------------------------------
// Lookups: "have we seen this?" — the exact value, an address inside a shared network (and the
// addresses inside a network), a domain and its subdomains. Only indicators the actor may see.

export type LookupMatch = 'exact' | 'within' | 'contains' | 'subdomain'

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

export async function lookupIndicators(acting: ActingContext, query: string, opts: { limit?: number } = {}) {
  const parsed = classify(query)
  if (!parsed.ok) return { query: null, reason: parsed.reason, matches: [] }
  const { type, value } = parsed
  const conditions: SQL[] = [and(eq(indicators.type, type), eq(indicators.value, value)) as SQL]
  if (type === 'ipv4' || type === 'ipv6' || type === 'cidr') {
    // GiST inet_ops (indicators_network_idx) answers both containment directions.
    conditions.push(sql`${indicators.network} >>= ${value}::inet`)
    if (type === 'cidr') conditions.push(sql`${indicators.network} <<= ${value}::inet`)
  }
  if (type === 'domain') {
    // Matches indicators_domain_reversed_idx: reverse(value) starts with the reversed ".domain".
    const reversedSuffix = `${escapeLike([...`.${value}`].reverse().join(''))}%`
    conditions.push(and(eq(indicators.type, 'domain'), sql`reverse(${indicators.value}) like ${reversedSuffix}`) as SQL)
  }
  const rows = await acting.services.db
    .select({
      id: indicators.id,
      type: indicators.type,
      value: indicators.value,
      tlp: indicators.tlp,
      sourceOrganisationId: indicators.sourceOrganisationId,
    })
    .from(indicators)
    .where(and(or(...conditions), visibleIndicatorsWhere(acting.actor)))
    .orderBy(indicators.type, indicators.value, indicators.id)
    .limit(Math.min(opts.limit ?? 100, 500))
  const matchOf = (r: (typeof rows)[number]): LookupMatch => {
    if (r.type === type && r.value === value) return 'exact'
    if (r.type === 'domain') return 'subdomain'
    // An address is within a listed network; a listed network either contains the query or lies inside it.
    return r.type === 'cidr' && (type !== 'cidr' || Number(r.value.split('/')[1]) < Number(value.split('/')[1])) ? 'contains' : 'within'
  }
  return { query: { type, value }, reason: null, matches: rows.map((r) => ({ ...r, match: matchOf(r) })) }
}

// ---------------------------------------------------------------------------------------------
// Sightings: "we saw this too". Visible with the indicator; they move its first and last seen.

export async function addSighting(acting: ActingContext, indicatorId: string, input: unknown) {
  const form = validate(SightingFormSchema, input)
  const now = acting.services.now()
  const seenAt = form.seenAt ?? now
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await getVisibleIndicator(acting, indicatorId, tx)
    authorize(acting.actor, { action: 'indicator.sight', indicator: facts })
    const [sighting] = await tx
      .insert(indicatorSightings)
      .values({ indicatorId, organisationId: acting.actor.organisationId, reportedBy: acting.actor.userId, seenAt, count: form.count, note: form.note, createdAt: now })
      .returning()
    await tx
      .update(indicators)
      .set({
        firstSeenAt: sql`least(${indicators.firstSeenAt}, ${seenAt.toISOString()}::timestamptz)`,
        lastSeenAt: sql`greatest(${indicators.lastSeenAt}, ${seenAt.toISOString()}::timestamptz)`,
        updatedAt: now,
      })
      .where(eq(indicators.id, indicatorId))
    await auditAs(tx, acting, {
      action: 'indicator.sighted',
      objectType: 'indicator',
      objectId: indicatorId,
      objectOrganisationId: row.sourceOrganisationId,
      details: { sightingId: sighting!.id, count: form.count },
    })
    return { id: sighting!.id }
  })
}

// ---------------------------------------------------------------------------------------------
// Links to incidents. Each side shows the other only where the viewer may see it.

export async function linkIncident(acting: ActingContext, indicatorId: string, incidentId: string) {
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const indicator = await getVisibleIndicator(acting, indicatorId, tx)
    const incident = await getVisibleIncident(acting, incidentId, tx)
    authorize(acting.actor, { action: 'indicator.linkIncident', indicator: indicator.facts, incident: incident.facts })
    const [row] = await tx
      .insert(indicatorIncidents)
      .values({ indicatorId, incidentId, linkedBy: acting.actor.userId, createdAt: now })
      .onConflictDoNothing()
      .returning()
    if (!row) return { linked: false }
    await auditAs(tx, acting, {
      action: 'indicator.linked',
      objectType: 'indicator',
      objectId: indicatorId,
      objectOrganisationId: indicator.row.sourceOrganisationId,
      details: { incidentId, reference: incident.row.reference },
    })
    return { linked: true }
  })
}

/** The indicators linked to an incident that the viewer may see (the incident itself must be visible). */
export async function indicatorsOfIncident(acting: ActingContext, incidentId: string) {
  await getVisibleIncident(acting, incidentId)
  return acting.services.db
    .select({ id: indicators.id, type: indicators.type, value: indicators.value, tlp: indicators.tlp, sourceOrganisationId: indicators.sourceOrganisationId })
    .from(indicatorIncidents)
    .innerJoin(indicators, eq(indicators.id, indicatorIncidents.indicatorId))
    .where(and(eq(indicatorIncidents.incidentId, incidentId), visibleIndicatorsWhere(acting.actor)))
    .orderBy(indicators.type, indicators.value)
}
