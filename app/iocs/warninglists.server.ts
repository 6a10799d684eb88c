import { asc, eq, max, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Executor } from '../../db/client.ts'
import { customWarninglists } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { optionalText, requiredText, validate } from '../lib/forms.ts'
import { authorize, can } from '../policy/policy.server.ts'
import { classify, normalise } from './normalise.ts'
import { builtinWarninglists, compileWarninglists, type Warninglist, type WarninglistMatcher } from './warninglists.ts'

// The warninglists in force: the shipped ones (data) and those administrators added (rows).
// Matching stays synchronous and in memory; the compiled matcher is rebuilt only when the
// custom lists change (their count and latest update are the cache key, one cheap query).

export interface WarninglistsInForce {
  matcher: WarninglistMatcher
  /** Display names of the custom lists by id; shipped lists are named by i18n (iocs.warninglists.<id>). */
  names: Record<string, string>
}

// Per database handle (tests run several in one process); a transaction reads through its own.
const caches = new WeakMap<object, { key: string; value: WarninglistsInForce }>()

export async function warninglistsInForce(db: Executor): Promise<WarninglistsInForce> {
  const [stamp] = await db.select({ n: sql<number>`count(*)::int`, latest: max(customWarninglists.updatedAt) }).from(customWarninglists)
  const key = `${stamp?.n ?? 0}:${stamp?.latest ? new Date(stamp.latest as unknown as string).getTime() : 0}`
  const cached = caches.get(db)
  if (cached?.key === key) return cached.value
  const rows = await db.select().from(customWarninglists).where(eq(customWarninglists.active, true)).orderBy(asc(customWarninglists.createdAt))
  const custom: Warninglist[] = rows.map((r) => ({ id: r.id, match: r.match, values: r.values }))
  const value = { matcher: compileWarninglists([...builtinWarninglists, ...custom]), names: Object.fromEntries(rows.map((r) => [r.id, r.name])) }
  caches.set(db, { key, value })
  return value
}

const MAX_VALUES = 10_000

export const WarninglistFormSchema = z.object({
  name: requiredText(120),
  description: optionalText(2000),
  match: z.enum(['exact', 'cidr', 'hostname'], { error: 'validation.required' }),
  values: z.string({ error: 'validation.required' }).min(1, 'validation.required').max(1_000_000, 'validation.tooLong'),
})

/** One value per line, checked and made canonical for its kind of matching; every bad line is reported. */
function canonicalValues(match: 'exact' | 'cidr' | 'hostname', text: string) {
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  const bad: number[] = []
  const values = new Set<string>()
  lines.forEach((line, i) => {
    const result =
      match === 'cidr'
        ? normalise(line.includes('/') ? 'cidr' : line.includes(':') ? 'ipv6' : 'ipv4', line)
        : match === 'hostname'
          ? // A reserved single label ("internal", "lan") is a valid suffix to warn on.
            /^[a-z0-9-]{1,63}$/i.test(line)
            ? ({ ok: true, type: 'domain', value: line.toLowerCase() } as const)
            : normalise('domain', line)
          : classify(line)
    if (!result.ok) bad.push(i + 1)
    else values.add(match === 'cidr' && !result.value.includes('/') ? `${result.value}/${result.value.includes(':') ? 128 : 32}` : result.value)
  })
  return { values: [...values], bad, count: lines.length }
}

export function mayManageWarninglists(acting: ActingContext): boolean {
  return can(acting.actor, { action: 'warninglist.manage' })
}

export async function listWarninglists(acting: ActingContext) {
  authorize(acting.actor, { action: 'warninglist.manage' })
  const custom = await acting.services.db.select().from(customWarninglists).orderBy(asc(customWarninglists.name))
  return {
    builtin: builtinWarninglists.map((l) => ({ id: l.id, match: l.match, count: l.values.length })),
    custom: custom.map((c) => ({ id: c.id, name: c.name, description: c.description, match: c.match, count: c.values.length, active: c.active, values: c.values.slice(0, 50) })),
  }
}

export async function createWarninglist(acting: ActingContext, input: unknown) {
  authorize(acting.actor, { action: 'warninglist.manage' })
  const form = validate(WarninglistFormSchema, input)
  const { values, bad, count } = canonicalValues(form.match, form.values)
  if (count > MAX_VALUES) throw new DomainError('validation', 'errors.validation', { fieldErrors: { values: ['iocs.warninglistAdmin.tooMany'] } })
  if (bad.length > 0 || values.length === 0) {
    throw new DomainError('validation', 'errors.validation', {
      fieldErrors: { values: [values.length === 0 && bad.length === 0 ? 'validation.required' : 'iocs.warninglistAdmin.badLines'] },
      fieldParams: { values: { lines: bad.slice(0, 20).join(', ') } },
    })
  }
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const [taken] = await tx.select({ id: customWarninglists.id }).from(customWarninglists).where(sql`lower(${customWarninglists.name}) = lower(${form.name})`)
    if (taken) throw new DomainError('validation', 'errors.validation', { fieldErrors: { name: ['iocs.warninglistAdmin.nameTaken'] } })
    const [row] = await tx
      .insert(customWarninglists)
      .values({ name: form.name, description: form.description ?? '', match: form.match, values, createdBy: acting.actor.userId, createdAt: now, updatedAt: now })
      .returning()
    await auditAs(tx, acting, { action: 'warninglist.created', objectType: 'warninglist', objectId: row!.id, details: { name: row!.name, match: row!.match, values: values.length } })
    return { id: row!.id, values: values.length }
  })
}

export async function setWarninglistActive(acting: ActingContext, rawId: unknown, active: boolean) {
  authorize(acting.actor, { action: 'warninglist.manage' })
  const id = z.uuid().safeParse(rawId)
  if (!id.success) throw new DomainError('not_found')
  return acting.services.db.transaction(async (tx) => {
    const [row] = await tx.update(customWarninglists).set({ active, updatedAt: acting.services.now() }).where(eq(customWarninglists.id, id.data)).returning()
    if (!row) throw new DomainError('not_found')
    await auditAs(tx, acting, { action: active ? 'warninglist.activated' : 'warninglist.deactivated', objectType: 'warninglist', objectId: row.id, details: { name: row.name } })
    return { id: row.id, active }
  })
}
