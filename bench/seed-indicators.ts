import { eq, sql } from 'drizzle-orm'
import { rowsOf, type Database } from '../db/client.ts'
import { apiTokens, clusterMembers, organisations, users } from '../db/schema/index.ts'
import { generateToken, hashToken } from '../app/auth/tokens.server.ts'
import { hashPassword } from '../app/auth/password.server.ts'
import { BENCH_MEMBER, BENCH_PASSWORD } from './seed.ts'

// A million indicators over the benchmark network, written by the database itself
// (generate_series, one statement per 100k rows): building a million rows in Node and shipping
// them would measure the seeding, not the product. Every row is valid as the import path would
// have stored it: canonical value, `network` set exactly for the IP types, a plausible TLP mix.
//
// Row g (0-based) is, by g % 20:
//   0–7   ipv4    45.a.b.c (a, b, c from g: unique)
//   8     cidr    46.a.b.0/24 (a, b from g / 20: unique)
//   9–13  domain  h<g>.d<g % 4999>.bench.vn — so d<k>.bench.vn has ~50 subdomains (4999 is
//                 prime to 20, so every key falls on domain rows as often as on any other)
//   14–17 sha256  64 hex digits of sha256(g)
//   18–19 url     https://u<g>.bench.vn/p/<g>
// TLP by (g / 20) % 10, so every type gets the mix: 0 CLEAR, 1–3 GREEN, 4–8 AMBER, 9 RED; the source organisation cycles over the
// member organisations so every cluster holds indicators of its own and of others.

export const INDICATOR_BATCH = 100_000

export interface Lookups {
  /** An address held as an ipv4 indicator. */
  exact: string
  /** An address inside a network held as a cidr indicator (found as the network that contains it). */
  within: string
  /** A parent domain of held domain indicators (found as their subdomains). */
  subdomain: string
}

/** Values to look up that the seed holds as TLP:CLEAR, so that any token finds them. */
export async function pickLookups(db: Database): Promise<Lookups> {
  const pick = async (type: 'ipv4' | 'cidr' | 'domain') => {
    const [row] = rowsOf<{ value: string }>(
      await db.execute(sql`select value from indicators where type = ${type}::indicator_type and tlp = 'CLEAR' and value like ${type === 'domain' ? 'h%.bench.vn' : '4%'} order by created_at limit 1`),
    )
    if (!row) throw new Error(`the seed holds no TLP:CLEAR ${type} indicator`)
    return row.value
  }
  return {
    exact: await pick('ipv4'),
    within: (await pick('cidr')).replace(/\.0\/24$/, '.77'),
    subdomain: (await pick('domain')).replace(/^[^.]+\./, ''),
  }
}

export interface IndicatorNetwork {
  /** The organisation whose token the scenario uses (a cluster member). */
  organisationId: string
  /** A bearer token with indicators:read and indicators:write for that organisation. */
  token: string
}


/** An org admin at the benchmark member's organisation and a token of theirs (the token a SOC's SIEM would hold). */
export async function seedIndicatorToken(db: Database, now: Date): Promise<IndicatorNetwork> {
  const [member] = await db.select({ organisationId: users.organisationId }).from(users).where(eq(users.email, BENCH_MEMBER))
  if (!member) throw new Error('seedScale must run first: the benchmark member is missing')
  const [inCluster] = await db.select({ id: clusterMembers.clusterId }).from(clusterMembers).where(eq(clusterMembers.organisationId, member.organisationId))
  if (!inCluster) throw new Error('the benchmark member organisation belongs to no cluster')
  const [admin] = await db
    .insert(users)
    .values({
      email: 'bench-org-admin@bench.test',
      name: 'Quản trị đơn vị đo tải',
      organisationId: member.organisationId,
      role: 'org_admin',
      status: 'active',
      passwordHash: await hashPassword(BENCH_PASSWORD),
      passwordChangedAt: now,
    })
    .returning({ id: users.id })
  const token = `csn_${generateToken()}`
  await db.insert(apiTokens).values({
    organisationId: member.organisationId,
    name: 'Benchmark SIEM',
    scopes: ['indicators:read', 'indicators:write'],
    tokenHash: hashToken(token),
    prefix: token.slice(0, 10),
    createdBy: admin!.id,
    createdAt: now,
    expiresAt: new Date(now.getTime() + 30 * 24 * 3600_000),
  })
  return { organisationId: member.organisationId, token }
}

/** Indicators [from, to) as described above; returns the seconds spent. */
export async function seedIndicators(db: Database, from: number, to: number, now: Date): Promise<number> {
  const started = performance.now()
  const members = await db
    .select({ id: organisations.id })
    .from(organisations)
    .where(eq(organisations.kind, 'member'))
    .orderBy(organisations.slug)
  // One creator per organisation (created_by is a user of the source organisation, as it would be).
  const creators = rowsOf<{ organisation_id: string; user_id: string }>(
    await db.execute(sql`select distinct on (organisation_id) organisation_id, id as user_id from users order by organisation_id, id`),
  )
  const creatorOf = new Map(creators.map((r) => [r.organisation_id, r.user_id]))
  const sources = members.filter((m) => creatorOf.has(m.id))
  if (sources.length < 2) throw new Error('the benchmark network needs member organisations with users')
  const orgArray = `{${sources.map((s) => s.id).join(',')}}`
  const userArray = `{${sources.map((s) => creatorOf.get(s.id)!).join(',')}}`
  const nowIso = now.toISOString()
  for (let start = from; start < to; start += INDICATOR_BATCH) {
    const end = Math.min(start + INDICATOR_BATCH, to) - 1
    await db.execute(sql`
      with src as (select ${orgArray}::uuid[] as orgs, ${userArray}::uuid[] as creators),
      rows as (
        select g, g % 20 as kind, (g / 20) % 10 as tlp_kind, (g % array_length(src.orgs, 1)) + 1 as k, src.orgs, src.creators,
          (g / 65536) % 256 as a, (g / 256) % 256 as b, g % 256 as c
        from generate_series(${start}::int, ${end}::int) as g, src
      ),
      typed as (
        select rows.*,
          case when kind < 8 then 'ipv4' when kind = 8 then 'cidr' when kind < 14 then 'domain' when kind < 18 then 'sha256' else 'url' end::indicator_type as type,
          case
            when kind < 8 then format('45.%s.%s.%s', a, b, c)
            when kind = 8 then format('46.%s.%s.0/24', (g / 20 / 256) % 256, (g / 20) % 256)
            when kind < 14 then format('h%s.d%s.bench.vn', g, g % 4999)
            when kind < 18 then encode(sha256(convert_to(g::text, 'UTF8')), 'hex')
            else format('https://u%s.bench.vn/p/%s', g, g)
          end as value
        from rows
      )
      insert into indicators (type, value, network, tlp, confidence, first_seen_at, last_seen_at, tags, description, source_organisation_id, created_by, created_at, updated_at)
      select type, value,
        case when type in ('ipv4', 'cidr') then value::inet end,
        (array['CLEAR','GREEN','GREEN','GREEN','AMBER','AMBER','AMBER','AMBER','AMBER','RED'])[tlp_kind + 1]::tlp_label,
        50 + (g % 50),
        ${nowIso}::timestamptz - make_interval(secs => (${to}::int - g) * 30),
        ${nowIso}::timestamptz - make_interval(secs => (${to}::int - g) * 30),
        case when g % 7 = 0 then array['T1566.001'] else '{}'::text[] end,
        '',
        orgs[k], creators[k],
        ${nowIso}::timestamptz - make_interval(secs => (${to}::int - g) * 30),
        ${nowIso}::timestamptz - make_interval(secs => (${to}::int - g) * 30)
      from typed
    `)
  }
  await db.execute(sql`analyze indicators`)
  return (performance.now() - started) / 1000
}

/** `count` fresh lines as an analyst pastes them: defanged URLs and domains, addresses, hashes. */
export function pastedLines(count: number): string {
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    switch (i % 4) {
      case 0:
        lines.push(`hxxps://p${i}[.]paste[.]bench[.]vn/login`)
        break
      case 1:
        lines.push(`p${i}[.]paste-bench[.]vn`)
        break
      case 2:
        lines.push(`47.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
        break
      default:
        lines.push(`${i.toString(16).padStart(8, '0')}${'ab'.repeat(28)}`)
    }
  }
  return lines.join('\n')
}
