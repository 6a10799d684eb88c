import { spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { openDatabase, type DatabaseHandle } from '../db/client.ts'
import { load as loadFor, signIn as signInWith, status, type LoadOptions } from './http.ts'
import { benchIncidents, type IncidentsOptions } from './incidents.ts'
import { benchIndicators, type IndicatorsOptions } from './indicators.ts'
import { benchNotifications, type NotificationsOptions } from './notifications.ts'
import { figureWriter, log, num, type Figure } from './report.ts'
import { BENCH_MEMBER, BENCH_PASSWORD, BENCH_SYSADMIN, seedScale, type ScaleOptions } from './seed.ts'
import { killAll, ROOT, snapshotBuild, startServer, type RunningServer } from './server.ts'

// `npm run bench`: start-up time, seeding time and throughput/latency of four kinds of request
// (bare Hono, JSON API through domain + policy, a server-rendered page, the audit list over
// 100k rows), then the notification pipeline (events → fan-out → SMTP), then the incident list
// and search at 10k and 100k incidents beside a bare 20-row page (incidents.ts), on embedded
// then lookups, the bulk import and the TAXII feed over 1M indicators (indicators.ts), on embedded
// PGlite and, when BENCH_DATABASE_URL is set, on PostgreSQL too. BENCH_ONLY=http,
// BENCH_ONLY=notifications, BENCH_ONLY=incidents or BENCH_ONLY=indicators runs one scenario
// (comma-separated: several).
// stdout carries only figures, one per line as `name: value unit`; progress goes to stderr.
// Load goes to 127.0.0.1 only, for a bounded time, against a server (or SMTP sink) this script
// started.

const DURATION = num('BENCH_DURATION', 10)
const CONNECTIONS = Math.max(1, Math.trunc(num('BENCH_CONNECTIONS', 50)))
const WARMUP = num('BENCH_WARMUP', 2)
const HTTP_LOAD: LoadOptions = { connections: CONNECTIONS, duration: DURATION, warmup: WARMUP }
const SCALE: ScaleOptions = {
  organisations: num('BENCH_ORGANISATIONS', 64),
  clusters: num('BENCH_CLUSTERS', 11),
  users: num('BENCH_USERS', 2_000),
  auditRows: num('BENCH_AUDIT_ROWS', 100_000),
}
const POSTGRES_URL = process.env.BENCH_DATABASE_URL || undefined
// BENCH_SKIP_PGLITE=1 measures PostgreSQL alone (e.g. to profile one mode).
const SKIP_PGLITE = process.env.BENCH_SKIP_PGLITE === '1'

const SCENARIOS = ['http', 'notifications', 'incidents', 'indicators'] as const
type Scenario = (typeof SCENARIOS)[number]
function selectedScenarios(): Set<Scenario> {
  const raw = process.env.BENCH_ONLY
  if (!raw) return new Set(SCENARIOS)
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n))
  if (unknown.length || !names.length) throw new Error(`BENCH_ONLY takes ${SCENARIOS.join(', ')} (comma-separated), got ${raw}`)
  return new Set(names as Scenario[])
}
const ONLY = selectedScenarios()


// Sized after the targets: 2,000 emails on PostgreSQL (at least 200 emails/s, p95 under
// 2 s), 500 in embedded mode (one process on one connection: events are emitted one at a time).
function notificationOptions(kind: Target['kind']): NotificationsOptions {
  const onPostgres = kind === 'postgres'
  return {
    emails: Math.max(1, Math.trunc(num('BENCH_EMAILS', onPostgres ? 2_000 : 500))),
    emitters: onPostgres ? Math.max(1, Math.trunc(num('BENCH_EMITTERS', 8))) : 1,
    // The embedded server runs startWorkers with its default of 5.
    concurrency: Math.max(1, Math.trunc(num('BENCH_SEND_CONCURRENCY', onPostgres ? 10 : 5))),
    // pg-boss takes nothing shorter than 0.5 s.
    pollingIntervalSeconds: Math.max(0.5, num('BENCH_POLLING_SECONDS', 0.5)),
    workerProcesses: Math.trunc(num('BENCH_WORKER_PROCESSES', 0)),
    timeoutSeconds: num('BENCH_NOTIFY_TIMEOUT', 120),
  }
}

// Register sizes of the incidents scenario, ascending; p99 at each larger one is compared with
// the first. BENCH_INCIDENTS=10000,100000 by default (the two sizes). Its pages cost
// tens to hundreds of milliseconds each on two shared cores: 50 connections would queue
// responses past autocannon's timeout, and the abandoned requests would weigh on the next
// round. 10 connections (BENCH_INCIDENTS_CONNECTIONS) keep both cores busy without that.
function incidentsOptions(): IncidentsOptions {
  const raw = process.env.BENCH_INCIDENTS || '10000,100000'
  const sizes = [...new Set(raw.split(',').map((s) => Number(s.trim())))].sort((a, b) => a - b)
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 100)) throw new Error(`BENCH_INCIDENTS takes sizes of at least 100, comma-separated, got ${raw}`)
  const connections = Math.max(1, Math.trunc(num('BENCH_INCIDENTS_CONNECTIONS', 10)))
  return { sizes, load: { ...HTTP_LOAD, connections, timeout: 30 } }
}
const INCIDENTS = ONLY.has('incidents') ? incidentsOptions() : null

// BENCH_INDICATORS indicators are seeded (the 1M by default) and BENCH_IMPORT_LINES
// pasted lines imported (100k). Lookups are index probes of a few milliseconds: the http
// scenario's 50 connections would measure queueing in front of one PGlite connection; 10
// (BENCH_INDICATORS_CONNECTIONS) keep both cores busy.
const INDICATORS: IndicatorsOptions | null = ONLY.has('indicators')
  ? {
      indicators: Math.max(1_000, Math.trunc(num('BENCH_INDICATORS', 1_000_000))),
      importLines: Math.max(1, Math.trunc(num('BENCH_IMPORT_LINES', 100_000))),
      taxiiPages: Math.max(1, Math.trunc(num('BENCH_TAXII_PAGES', 20))),
      load: { ...HTTP_LOAD, connections: Math.max(1, Math.trunc(num('BENCH_INDICATORS_CONNECTIONS', 10))) },
    }
  : null

/** The newest modification time of the files under a directory (ms since the epoch). */
function newestUnder(dir: string): number {
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

function ensureBuild() {
  const server = path.join(ROOT, 'build', 'server', 'index.js')
  if (fs.existsSync(server)) {
    // The pages' server code (routes and the domain modules they import) is what build/ bundled.
    if (newestUnder(path.join(ROOT, 'app')) > fs.statSync(server).mtimeMs) log('build/ is older than app/: these figures measure the last `npm run build`, not the working tree')
    return
  }
  log('build/server/index.js is missing: running npm run build')
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] })
  if (result.status !== 0) throw new Error('npm run build failed')
}

// Cleanups still owed (temporary data directory, benchmark database), run on any exit path.
const cleanups: (() => Promise<void>)[] = []
async function runCleanups() {
  killAll()
  while (cleanups.length) {
    try {
      await cleanups.pop()!()
    } catch (error) {
      log(`cleanup failed: ${String(error)}`)
    }
  }
}
// The private copy of build/ the servers run from (server.ts), removed on every exit path.
let dropSnapshot = () => {}
process.once('SIGINT', () => {
  log('interrupted')
  void runCleanups().finally(() => {
    dropSnapshot()
    process.exit(130)
  })
})

interface Target {
  kind: 'pglite' | 'postgres'
  prefix: string
  /** Server environment for this database mode. */
  env: Record<string, string>
  /** The target's database; a pool of `poolSize` connections on PostgreSQL. */
  open(poolSize?: number): Promise<DatabaseHandle>
  startupFigure: string
}

async function pgliteTarget(): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csirtnet-bench-'))
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
  return {
    kind: 'pglite',
    prefix: '',
    env: { DATA_DIR: dataDir, APP_ENV: 'demo' },
    open: () => openDatabase({ driver: 'pglite', dataDir }),
    startupFigure: 'startup_empty_datadir',
  }
}

async function postgresTarget(serverUrl: string): Promise<Target> {
  const name = `csirtnet_bench_${crypto.randomBytes(5).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  cleanups.push(async () => {
    const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} })
    await cleanup.unsafe(`drop database if exists ${name} with (force)`)
    await cleanup.end()
  })
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    kind: 'postgres',
    prefix: 'pg_',
    // Production mode, as PostgreSQL is deployed: secure cookies, HSTS, no demo accounts.
    env: { DATABASE_URL: url.toString(), APP_ENV: 'production', SESSION_SECRET: crypto.randomBytes(32).toString('base64url') },
    open: (poolSize = 4) => openDatabase({ driver: 'postgres', url: url.toString(), poolSize }),
    startupFigure: 'startup_empty_database',
  }
}

const signIn = (server: RunningServer, email: string) => signInWith(server, email, BENCH_PASSWORD)
const load = (server: RunningServer, pathname: string, cookie?: string) => loadFor(server, pathname, HTTP_LOAD, cookie)

async function benchTarget(target: Target) {
  const figure: Figure = figureWriter(target.prefix)
  log(`${target.kind}: start-up on an empty database`)
  const first = await startServer(target.env)
  figure(target.startupFigure, first.readyAfterMs / 1000, 's')
  await first.stop()

  log(`${target.kind}: seeding ${SCALE.organisations} organisations, ${SCALE.clusters} clusters, ${SCALE.users} users, ${SCALE.auditRows} audit entries`)
  // Embedded mode allows one process per data directory: seed with the server stopped, then
  // close the handle so the server can take the lock.
  const handle = await target.open()
  const timings = await seedScale(handle.db, SCALE)
  await handle.close()
  figure('seed_network', timings.networkSeconds, 's')
  figure(`seed_audit_${Math.round(SCALE.auditRows / 1000)}k`, timings.auditSeconds, 's')

  const server = await startServer(target.env)
  cleanups.push(() => server.stop())
  figure('startup_seeded', server.readyAfterMs / 1000, 's')
  const idle = server.memory()
  if (idle) figure('server_rss_idle', idle.rss / 2 ** 20, 'MB')

  const member = await signIn(server, BENCH_MEMBER)
  const sysadmin = await signIn(server, BENCH_SYSADMIN)

  const api = await status(server, '/api/v1/organisations?limit=20', member)
  const apiRows = api.status === 200 ? (JSON.parse(api.body) as { organisations: unknown[] }).organisations.length : 0
  if (apiRows !== 20) throw new Error(`/api/v1/organisations?limit=20 answered ${api.status} with ${apiRows} rows`)

  // The organisation list page is being built alongside; until it exists the home page
  // stands in for "a server-rendered page" and the figures are named after what was measured.
  let page = { name: 'page_orgs', path: '/organisations' }
  if ((await status(server, page.path, member)).status !== 200) {
    log('/organisations is not available yet: measuring the home page / instead (figures named page_home)')
    page = { name: 'page_home', path: '/' }
    const home = await status(server, '/', member)
    if (home.status !== 200) throw new Error(`/ answered ${home.status}`)
  }
  const auditAvailable = (await status(server, '/admin/audit', sysadmin)).status === 200
  if (!auditAvailable) log('/admin/audit does not answer 200 for a sysadmin yet: skipping the audit figures')

  const runs: { name: string; path: string; cookie?: string }[] = [
    { name: 'healthz', path: '/healthz' },
    { name: 'api_orgs20', path: '/api/v1/organisations?limit=20', cookie: member },
    { name: page.name, path: page.path, cookie: member },
    ...(auditAvailable ? [{ name: 'page_audit', path: '/admin/audit', cookie: sysadmin }] : []),
  ]
  const rps = new Map<string, number>()
  for (const run of runs) {
    log(`${target.kind}: ${run.path} for ${DURATION} s with ${CONNECTIONS} connections`)
    const result = await load(server, run.path, run.cookie)
    rps.set(run.name, result.requests.average)
    figure(`${run.name}_rps`, result.requests.average, 'req/s')
    figure(`${run.name}_p50`, result.latency.p50, 'ms')
    figure(`${run.name}_p99`, result.latency.p99, 'ms')
  }
  const ratio = (a: string, b: string) => (rps.get(a) ?? NaN) / (rps.get(b) ?? NaN)
  figure('api_vs_healthz_rps_ratio', ratio('api_orgs20', 'healthz'), 'ratio')
  figure('page_vs_api_rps_ratio', ratio(page.name, 'api_orgs20'), 'ratio')
  if (auditAvailable) figure('audit_vs_page_rps_ratio', ratio('page_audit', page.name), 'ratio')

  const after = server.memory()
  if (after) {
    figure('server_rss', after.rss / 2 ** 20, 'MB')
    figure('server_rss_peak', after.peak / 2 ** 20, 'MB')
  }
  await server.stop()
}

async function runScenarios(makeTarget: () => Promise<Target>) {
  if (ONLY.has('http')) {
    await benchTarget(await makeTarget())
    await runCleanups()
  }
  if (ONLY.has('notifications')) {
    // A fresh database of its own, so the HTTP scenario's rows and jobs do not weigh on it.
    const target = await makeTarget()
    await benchNotifications(target, figureWriter(target.prefix), notificationOptions(target.kind))
    await runCleanups()
  }
  if (INCIDENTS) {
    const target = await makeTarget()
    await benchIncidents(target, figureWriter(target.prefix), INCIDENTS)
    await runCleanups()
  }
  if (INDICATORS) {
    const target = await makeTarget()
    await benchIndicators(target, figureWriter(target.prefix), INDICATORS)
    await runCleanups()
  }
}

async function main() {
  if (ONLY.has('http') || ONLY.has('incidents') || ONLY.has('indicators')) {
    ensureBuild()
    dropSnapshot = snapshotBuild()
    log(`duration ${DURATION} s, ${CONNECTIONS} connections, warm-up ${WARMUP} s; node ${process.version}, ${os.cpus().length} CPUs`)
  } else {
    log(`only ${[...ONLY].join(', ')}; node ${process.version}, ${os.cpus().length} CPUs`)
  }
  if (!SKIP_PGLITE) await runScenarios(pgliteTarget)
  if (POSTGRES_URL) {
    await runScenarios(() => postgresTarget(POSTGRES_URL))
  } else {
    log('BENCH_DATABASE_URL is not set: PostgreSQL skipped')
  }
}

main().then(
  () => {
    dropSnapshot()
    process.exit(0)
  },
  async (error) => {
    console.error(error)
    await runCleanups()
    dropSnapshot()
    process.exit(1)
  },
)
