import os from 'node:os'
import type { DatabaseHandle } from '../db/client.ts'
import { load, settle, signIn, status, type LoadOptions } from './http.ts'
import { log, type Figure } from './report.ts'
import { BENCH_PASSWORD } from './seed.ts'
import { BANK_COUNT, BANK_QUERY, seedIncidentNetwork, seedIncidents, verifySearchText, visibleCount, type IncidentNetwork } from './seed-incidents.ts'
import { startServer, type RunningServer } from './server.ts'

// The incident list and its search under load, at a small and a large register in one run:
// the network and 10k incidents are seeded, the real server is started on them and loaded,
// then the register grows to 100k (the older history behind the same newest incidents) and
// the same requests are measured again. Beside each incident page, in the same round, a bare
// server-rendered page of 20 rows: the http scenario's directory page (/organisations),
// narrowed by its own search to the 20 banks, so it costs what any signed-in Remix page costs
// (session, actor, layout, one small query, 20 rows) and nothing of what incidents cost.
//
// Figures per size (10k, 100k…): req/s and p50/p99 of each request, its ratio to the bare page
// (target ≥ 0.8), then p99 at each larger size over p99 at the first (target ≤ 1.5).

export interface IncidentsTarget {
  kind: 'pglite' | 'postgres'
  env: Record<string, string>
  open(poolSize?: number): Promise<DatabaseHandle>
}

export interface IncidentsOptions {
  /** Register sizes, ascending: seeded one after the other, each measured. */
  sizes: number[]
  load: LoadOptions
}

const TARGET_VS_BARE = 0.8
const TARGET_P99_GROWTH = 1.5

const label = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n))

function loadAverage(kind: string, when: string) {
  const [one, five, fifteen] = os.loadavg().map((l) => l.toFixed(2))
  log(`${kind}: load average ${one}, ${five}, ${fifteen} on ${os.cpus().length} CPUs ${when}`)
}

interface Request {
  /** Figure name after incidents_. */
  name: string
  path: string
  viewer: 'lead' | 'analyst'
}

function requests(network: IncidentNetwork): Request[] {
  // The lead's own working view: open, high-severity incidents of the cluster it coordinates.
  const filter = new URLSearchParams([['status', 'new'], ['status', 'acknowledged'], ['status', 'investigating'], ['severity', 'high'], ['clusterId', network.leadClusterId]])
  return [
    { name: 'list', path: '/incidents', viewer: 'lead' },
    { name: 'search', path: '/incidents?q=ma+doc', viewer: 'lead' },
    { name: 'filter', path: `/incidents?${filter.toString()}`, viewer: 'lead' },
    { name: 'analyst_list', path: '/incidents', viewer: 'analyst' },
    { name: 'analyst_search', path: '/incidents?q=ma+doc', viewer: 'analyst' },
  ]
}

const BARE_PATH = `/organisations?q=${encodeURIComponent(BANK_QUERY)}`

/** Rows of the directory table (all but the header row), and of the incident table. */
const directoryRows = (html: string) => (html.match(/<tr[\s>]/g)?.length ?? 1) - 1
const incidentRows = (html: string) => html.match(/data-incident-id=/g)?.length ?? 0
const shownCount = (html: string) => /data-testid="incident-count"[^>]*>([^<]*)</.exec(html)?.[1]?.trim() ?? '?'

async function checkPages(server: RunningServer, cookies: Record<Request['viewer'], string>, list: Request[]) {
  const bare = await status(server, BARE_PATH, cookies.lead)
  if (bare.status !== 200 || directoryRows(bare.body) !== BANK_COUNT) {
    throw new Error(`${BARE_PATH} answered ${bare.status} with ${directoryRows(bare.body)} rows, not ${BANK_COUNT}`)
  }
  for (const req of list) {
    const page = await status(server, req.path, cookies[req.viewer])
    const rows = incidentRows(page.body)
    // The first page of the whole list is full at any size; a filter may match nothing in a small register.
    if (page.status !== 200 || (req.name.endsWith('list') && rows === 0)) throw new Error(`${req.path} as ${req.viewer} answered ${page.status} with ${rows} rows`)
    log(`  ${req.name}: ${req.path} shows ${rows} rows of "${shownCount(page.body)}"`)
  }
}

interface Measured {
  rps: number
  p50: number
  p99: number
}

export async function benchIncidents(target: IncidentsTarget, figure: Figure, opts: IncidentsOptions) {
  const { kind } = target
  const now = new Date()
  const total = opts.sizes[opts.sizes.length - 1]!
  loadAverage(kind, 'at the start of the incidents scenario')

  // Embedded mode allows one process per data directory: seed with the server stopped.
  let handle: DatabaseHandle | null = await target.open()
  await handle.migrate()
  const networkStarted = performance.now()
  const network = await seedIncidentNetwork(handle.db, now)
  await verifySearchText(handle.db, network, now)
  figure('incidents_seed_network', (performance.now() - networkStarted) / 1000, 's')
  log(`${kind}: ${network.orgs.length} organisations, search text checked against createIncident`)

  const list = requests(network)
  const results = new Map<string, Map<number, Measured>>()
  const keep = (name: string, size: number, m: Measured) => {
    if (!results.has(name)) results.set(name, new Map())
    results.get(name)!.set(size, m)
  }
  let seeded = 0
  try {
    for (const size of opts.sizes) {
      const tag = label(size)
      handle ??= await target.open()
      log(`${kind}: seeding incidents ${seeded}..${size - 1}`)
      const seconds = await seedIncidents(handle.db, network, { total, now }, seeded, size)
      figure(`incidents_seed_${tag}`, seconds, 's')
      log(`${kind}: ${size - seeded} incidents in ${seconds.toFixed(1)} s (${Math.round((size - seeded) / seconds)}/s); ` +
        `visible to the lead ${await visibleCount(handle.db, network.viewers.lead.userId, now)}, to the analyst ${await visibleCount(handle.db, network.viewers.analyst.userId, now)}`)
      seeded = size
      await handle.close()
      handle = null

      // SEED_DEMO=false: demo content must not mix into the register being measured.
      const server = await startServer({ ...target.env, SEED_DEMO: 'false' })
      try {
        figure(`incidents_startup_${tag}`, server.readyAfterMs / 1000, 's')
        const cookies = {
          lead: await signIn(server, network.viewers.lead.email, BENCH_PASSWORD),
          analyst: await signIn(server, network.viewers.analyst.email, BENCH_PASSWORD),
        }
        await checkPages(server, cookies, list)
        loadAverage(kind, `before the ${tag} round`)

        const run = async (name: string, path: string, cookie: string): Promise<Measured> => {
          const waited = await settle(server)
          log(`${kind} ${tag}: ${name} ${path} for ${opts.load.duration} s with ${opts.load.connections} connections` +
            (waited > 1.5 ? ` (after ${waited.toFixed(1)} s for the server to go idle)` : ''))
          const r = await load(server, path, opts.load, cookie)
          return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 }
        }
        // The bare page opens and closes the round, so that load from elsewhere on the machine
        // weighs on the denominator as it did on the pages between.
        const bareBefore = await run('bare', BARE_PATH, cookies.lead)
        const measured = new Map<string, Measured>()
        for (const req of list) measured.set(req.name, await run(req.name, req.path, cookies[req.viewer]))
        const bareAfter = await run('bare', BARE_PATH, cookies.lead)
        log(`${kind} ${tag}: bare page ${Math.round(bareBefore.rps)} req/s before, ${Math.round(bareAfter.rps)} after`)
        const bare: Measured = { rps: (bareBefore.rps + bareAfter.rps) / 2, p50: (bareBefore.p50 + bareAfter.p50) / 2, p99: (bareBefore.p99 + bareAfter.p99) / 2 }

        for (const [name, m] of [['bare', bare] as const, ...measured]) {
          keep(name, size, m)
          figure(`incidents_${name}_${tag}`, m.rps, 'req/s')
          figure(`incidents_${name}_${tag}_p50`, m.p50, 'ms')
          figure(`incidents_${name}_${tag}_p99`, m.p99, 'ms')
        }
        for (const [name, m] of measured) {
          const ratio = m.rps / bare.rps
          figure(`incidents_${name}_vs_bare_ratio_${tag}`, ratio, 'ratio')
          if (ratio < TARGET_VS_BARE) log(`${kind} ${tag}: ${name} at ${ratio.toFixed(2)} of the bare page: below the ${TARGET_VS_BARE} target`)
        }
        loadAverage(kind, `after the ${tag} round`)
      } finally {
        await server.stop()
      }
    }
  } finally {
    await handle?.close().catch(() => {})
  }

  const [first, ...larger] = opts.sizes
  for (const size of larger) {
    for (const [name, bySize] of results) {
      const growth = bySize.get(size)!.p99 / bySize.get(first!)!.p99
      figure(`incidents_${name}_p99_${label(size)}_vs_${label(first!)}`, growth, 'ratio')
      if (name !== 'bare' && growth > TARGET_P99_GROWTH) log(`${kind}: ${name} p99 grew ${growth.toFixed(2)}× from ${label(first!)} to ${label(size)}: above the ${TARGET_P99_GROWTH}× target`)
    }
  }
}
