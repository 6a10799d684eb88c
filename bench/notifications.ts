import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import { and, eq, sql } from 'drizzle-orm'
import { SMTPServer } from 'smtp-server'
import { rowsOf, type DatabaseHandle } from '../db/client.ts'
import { deliveries, users } from '../db/schema/index.ts'
import { seedNetwork } from '../db/seed.ts'
import { loadEnv } from '../app/env.server.ts'
import type { Services } from '../app/lib/context.server.ts'
import { calendarDate } from '../app/lib/dates.ts'
import { emitEvent } from '../app/notifications/emit.server.ts'
import { createMailer } from '../app/notifications/mailer.server.ts'
import { createJobQueue, queueOverridesFromEnv, type JobQueue } from '../workers/queue.ts'
import { startWorkers } from '../workers/runtime.ts'
import { log, quantile, type Figure } from './report.ts'
import { ROOT, serverEnv, track } from './server.ts'

// The notification path under load, end to end with the real parts: N domain events, each
// committed in its own transaction by `emitEvent`, fanned out by the pg-boss worker to one
// recipient each, rendered and sent by nodemailer to an SMTP server in this process, which
// timestamps each acceptance. Latency is commit → SMTP acceptance, per message.
//
// One event per distinct recipient: flood control collapses a fourth email of one kind to one
// person within five minutes into a summary, so N events for one user would measure that.

export interface NotificationsTarget {
  kind: 'pglite' | 'postgres'
  /** Its fresh database; a pool of this size on PostgreSQL (PGlite is one connection). */
  open(poolSize?: number): Promise<DatabaseHandle>
  /** DATABASE_URL or DATA_DIR, APP_ENV, SESSION_SECRET: the mode as the server would run it. */
  env: Record<string, string>
}

export interface NotificationsOptions {
  /** Events, hence recipients, hence emails. */
  emails: number
  /** Concurrent emitting transactions (1 on PGlite: one connection). */
  emitters: number
  /** `email.send` jobs worked at once per worker (startWorkers' concurrency). */
  concurrency: number
  pollingIntervalSeconds: number
  /** 0: the worker runs in this process; n (PostgreSQL only): n worker processes, as `npm run worker`. */
  workerProcesses: number
  timeoutSeconds: number
}

const USER_BATCH = 1_000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const ms = (value: number) => `${Number.isFinite(value) ? Math.round(value) : 'n/a'} ms`

interface Acceptance {
  /** Date.now() when the sink answered 250 to the message's DATA. */
  at: number
  to: string
  messageId: string
}

/**
 * An SMTP server that accepts everything and keeps, per message, only its acceptance time,
 * envelope recipient and Message-ID. Bodies are not parsed: only the header block is scanned,
 * so the sink stays cheap next to the sender it measures.
 */
async function startSink() {
  const accepted: Acceptance[] = []
  const stats = { connections: 0, open: 0, peakOpen: 0 }
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onConnect(_session, callback) {
      stats.connections++
      stats.open++
      stats.peakOpen = Math.max(stats.peakOpen, stats.open)
      callback()
    },
    onClose() {
      stats.open--
    },
    onData(stream, session, callback) {
      let head = ''
      let headComplete = false
      stream.on('data', (chunk: Buffer) => {
        if (headComplete) return
        head += chunk.toString('latin1')
        const end = head.indexOf('\r\n\r\n')
        if (end >= 0 || head.length > 64_000) {
          head = end >= 0 ? head.slice(0, end) : head
          headComplete = true
        }
      })
      stream.on('end', () => {
        accepted.push({
          at: Date.now(),
          to: (session.envelope.rcptTo[0]?.address ?? '').toLowerCase(),
          // A folded header continues on the next line after whitespace, which \s* spans.
          messageId: /^message-id:\s*(<[^>]*>)/im.exec(head)?.[1] ?? '',
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.server.address() as { port: number }
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    stats,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where unavailable. */
function cpuSecondsOf(pid: number): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return NaN
  }
}

async function startWorkerProcess(env: Record<string, string>, timeoutMs = 60_000) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/worker-process.ts'], {
    cwd: ROOT,
    env: serverEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  track(child)
  // Kept for the error message if it dies; the pipes must be drained either way.
  let output = ''
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  void exited.then((code) => {
    exitCode = code
  })
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000)
  }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const started = Date.now()
  while (!output.includes('WORKER READY')) {
    if (exitCode !== undefined) throw new Error(`worker process exited with ${exitCode} before it was ready:\n${output}`)
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL')
      throw new Error(`worker process not ready after ${timeoutMs} ms:\n${output}`)
    }
    await sleep(20)
  }
  return {
    pid: child.pid!,
    async stop() {
      if (exitCode !== undefined) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      const code = await exited
      clearTimeout(timer)
      if (code !== 0) log(`worker process ${child.pid} exited with ${code}\n${output.slice(-2_000)}`)
    },
  }
}
type WorkerProcess = Awaited<ReturnType<typeof startWorkerProcess>>

async function seedRecipients(db: Services['db'], count: number, orgIds: string[]) {
  const run = crypto.randomBytes(3).toString('hex')
  const rows: { id: string; email: string; organisationId: string }[] = []
  for (let start = 0; start < count; start += USER_BATCH) {
    const values = []
    for (let i = start; i < Math.min(start + USER_BATCH, count); i++) {
      values.push({
        email: `notify-${run}-${String(i + 1).padStart(5, '0')}@bench.test`,
        name: `Người nhận đo tải ${i + 1}`,
        organisationId: orgIds[i % orgIds.length]!,
        role: 'responder' as const,
        status: 'active' as const,
      })
    }
    rows.push(...(await db.insert(users).values(values).returning({ id: users.id, email: users.email, organisationId: users.organisationId })))
  }
  return rows
}

/** Wait in queue (created → started) and handler time (started → completed) per queue, from pg-boss's own rows. */
async function jobTimings(db: Services['db']) {
  const rows = rowsOf<{ name: string; n: number; wait50: number; wait95: number; run50: number; run95: number }>(
    await db.execute(sql`
      select name, count(*)::int as n,
        percentile_cont(0.5) within group (order by extract(epoch from started_on - created_on)) * 1000 as wait50,
        percentile_cont(0.95) within group (order by extract(epoch from started_on - created_on)) * 1000 as wait95,
        percentile_cont(0.5) within group (order by extract(epoch from completed_on - started_on)) * 1000 as run50,
        percentile_cont(0.95) within group (order by extract(epoch from completed_on - started_on)) * 1000 as run95
      from pgboss.job
      where state = 'completed' and name in ('notifications.fanout', 'email.send')
      group by name order by name desc`),
  )
  return rows.map((r) => ({ ...r, wait50: Number(r.wait50), wait95: Number(r.wait95), run50: Number(r.run50), run95: Number(r.run95) }))
}

export async function benchNotifications(target: NotificationsTarget, figure: Figure, opts: NotificationsOptions) {
  const { kind } = target
  const onPostgres = kind === 'postgres'
  const workerProcesses = onPostgres ? opts.workerProcesses : 0
  if (!onPostgres && opts.workerProcesses > 0) log(`${kind}: embedded mode is one process: the worker runs in this process`)
  const [load1] = os.loadavg()
  if (load1! > os.cpus().length / 2) log(`${kind}: load average ${load1!.toFixed(1)} on ${os.cpus().length} CPUs before the run: other work on this machine skews the figures`)

  const sink = await startSink()
  const sessionSecret = target.env.SESSION_SECRET ?? crypto.randomBytes(32).toString('base64url')
  const appUrl = 'https://csirt.bench.test'
  // Deliveries log at info; warn keeps them out, as for the server under test (server.ts).
  const env = loadEnv({ NODE_ENV: 'production', ...target.env, SESSION_SECRET: sessionSecret, SEED_DEMO: 'false', SMTP_URL: sink.url, APP_URL: appUrl, LOG_LEVEL: 'warn' })
  const jobOptions = { schedule: false, superviseIntervalSeconds: env.JOB_SUPERVISE_SECONDS, queueOverrides: queueOverridesFromEnv(env) }

  // This process stands for the web process that emits. The worker is either in it too (always
  // so in embedded mode: one process, one connection) or in processes of its own.
  const inProcess = workerProcesses === 0
  const db = await target.open(opts.emitters)
  const opened: DatabaseHandle[] = [db]
  const queues: JobQueue[] = []
  const workers: WorkerProcess[] = []
  const mailer = createMailer(env)
  const stdoutLog = console.log
  let suppressed = 0
  try {
    await db.migrate()
    const seedStarted = performance.now()
    const orgIds = [...(await seedNetwork(db.db, calendarDate(new Date()))).values()]
    const recipients = await seedRecipients(db.db, opts.emails, orgIds)
    await db.db.execute(sql`analyze`)
    log(`${kind}: seeded ${recipients.length} active recipients in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`)

    const jobs = await createJobQueue(db, jobOptions)
    queues.push(jobs)
    const emitServices: Services = { db: db.db, database: db, env, now: () => new Date(), jobs, mailer }
    const workerOptions = { concurrency: opts.concurrency, pollingIntervalSeconds: opts.pollingIntervalSeconds }
    const workerKind = `startWorkers (concurrency ${opts.concurrency}, polling ${opts.pollingIntervalSeconds} s), createMailer`
    if (inProcess) {
      if (onPostgres) {
        // As a web process and an `npm run worker` process would be: a pool and a pg-boss each.
        const workerDb = await target.open(env.DATABASE_POOL_SIZE)
        opened.push(workerDb)
        const workerJobs = await createJobQueue(workerDb, jobOptions)
        queues.push(workerJobs)
        const workerServices: Services = { db: workerDb.db, database: workerDb, env, now: () => new Date(), jobs: workerJobs, mailer }
        await startWorkers(workerServices, workerOptions)
      } else {
        await startWorkers(emitServices, workerOptions)
      }
      log(`${kind}: worker IN THIS PROCESS: ${workerKind}`)
    } else {
      const workerEnv = {
        ...target.env,
        SESSION_SECRET: sessionSecret,
        SMTP_URL: sink.url,
        APP_URL: appUrl,
        MIGRATE_ON_START: 'false',
        BENCH_SEND_CONCURRENCY: String(opts.concurrency),
        BENCH_POLLING_SECONDS: String(opts.pollingIntervalSeconds),
      }
      for (let i = 0; i < workerProcesses; i++) workers.push(await startWorkerProcess(workerEnv))
      log(`${kind}: worker in ${workerProcesses} SEPARATE PROCESS${workerProcesses === 1 ? '' : 'ES'} (bench/worker-process.ts, booted as npm run worker): ${workerKind}`)
    }
    // stdout carries figures only; anything the worker prints through console.log stays off it.
    console.log = () => {
      suppressed++
    }
    log(`${kind}: ${opts.emails} events from ${opts.emitters} emitter${opts.emitters === 1 ? '' : 's'}; SMTP sink on ${sink.url}`)

    const started = Date.now()
    const deadline = started + opts.timeoutSeconds * 1000
    const cpuBefore = { self: process.cpuUsage(), workers: workers.map((w) => cpuSecondsOf(w.pid)) }
    const commitAt = new Map<string, number>()
    const progress = setInterval(() => {
      log(`${kind}: +${((Date.now() - started) / 1000).toFixed(0)} s: ${commitAt.size} committed, ${sink.accepted.length} accepted by SMTP`)
    }, 5_000)
    let timedOut = false
    try {
      let next = 0
      const emitter = async () => {
        while (next < recipients.length && Date.now() < deadline) {
          const recipient = recipients[next++]!
          await emitServices.db.transaction((tx) =>
            emitEvent(tx, emitServices, {
              type: 'user.role_changed',
              objectType: 'user',
              objectId: recipient.id,
              organisationId: recipient.organisationId,
              payload: { userId: recipient.id, role: 'responder', link: '/account' },
            }),
          )
          commitAt.set(recipient.email, Date.now())
        }
      }
      await Promise.all(Array.from({ length: opts.emitters }, emitter))
      const emitSeconds = (Date.now() - started) / 1000
      log(`${kind}: ${commitAt.size} events committed in ${emitSeconds.toFixed(2)} s (${Math.round(commitAt.size / emitSeconds)} events/s)`)
      while (sink.accepted.length < commitAt.size && Date.now() < deadline) await sleep(20)
      timedOut = sink.accepted.length < recipients.length
      if (timedOut) {
        log(`${kind}: GAVE UP after ${opts.timeoutSeconds} s: ${sink.accepted.length} of ${recipients.length} emails accepted by then; ` +
          'the figures below cover those and the few the worker finished while stopping')
      }
    } finally {
      clearInterval(progress)
    }
    const selfCpu = process.cpuUsage(cpuBefore.self)
    const cpu = {
      self: (selfCpu.user + selfCpu.system) / 1e6,
      workers: workers.reduce((sum, w, i) => sum + cpuSecondsOf(w.pid) - cpuBefore.workers[i]!, 0),
    }
    // A duplicate would come from a retried send; give one a moment to show up.
    if (!timedOut) await sleep(1_000)
    // Stopped before the figures so that nothing more arrives while they are computed.
    for (const w of workers) await w.stop()
    // Graceful: jobs in flight finish (a send takes well under a second) rather than fail.
    for (const q of queues) await q.stop({ graceful: true, timeout: 5_000 })

    const accepted = [...sink.accepted]
    const firstCommit = Math.min(...commitAt.values())
    const lastAccept = Math.max(...accepted.map((a) => a.at))
    const messageIds = new Set(accepted.map((a) => a.messageId))
    const reached = new Set(accepted.map((a) => a.to))
    const strangers = accepted.filter((a) => !commitAt.has(a.to)).length
    const delivered = messageIds.size
    // Two copies of one message, or two messages to one recipient of one event.
    const duplicates = accepted.length - Math.min(messageIds.size, reached.size)
    const latencies = accepted.flatMap((a) => (commitAt.has(a.to) ? [a.at - commitAt.get(a.to)!] : []))

    figure('notifications_emails_per_s', delivered / ((lastAccept - firstCommit) / 1000), 'emails/s')
    figure('notifications_p50_commit_to_smtp', quantile(latencies, 0.5), 'ms')
    figure('notifications_p95_commit_to_smtp', quantile(latencies, 0.95), 'ms')
    figure('notifications_delivered', delivered, 'count')
    figure('notifications_duplicates', duplicates, 'count')
    if (delivered !== recipients.length) log(`${kind}: NOT CLEAN: ${delivered} distinct messages for ${recipients.length} events`)
    if (duplicates > 0) log(`${kind}: NOT CLEAN: ${duplicates} duplicate messages (${accepted.length} accepted, ${messageIds.size} Message-IDs, ${reached.size} recipients)`)
    if (strangers > 0) log(`${kind}: NOT CLEAN: ${strangers} messages to addresses no event was emitted for`)

    // Where the time goes: commit → fan-out (the deliveries row) → SMTP acceptance, pg-boss's own
    // record of how long each job waited in its queue and how long its handler ran, and CPU.
    const rows = await db.db
      .select({ to: deliveries.toAddress, createdAt: deliveries.createdAt, status: deliveries.status })
      .from(deliveries)
      .where(and(eq(deliveries.kind, 'event'), eq(deliveries.eventType, 'user.role_changed')))
    const fannedOut = new Map(rows.map((r) => [r.to, r.createdAt.getTime()]))
    const toFanout = [...fannedOut].flatMap(([to, at]) => (commitAt.has(to) ? [at - commitAt.get(to)!] : []))
    const fanoutToSmtp = accepted.flatMap((a) => (fannedOut.has(a.to) ? [a.at - fannedOut.get(a.to)!] : []))
    const lastFanout = Math.max(...fannedOut.values())
    const byStatus = new Map<string, number>()
    for (const r of rows) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1)
    log(`${kind}: profile: ${rows.length} deliveries fanned out (${[...byStatus].map(([s, n]) => `${n} ${s}`).join(', ')}), ` +
      `${Math.round(rows.length / ((lastFanout - firstCommit) / 1000))} events/s through fan-out`)
    log(`${kind}: profile: commit → fan-out p50 ${ms(quantile(toFanout, 0.5))}, p95 ${ms(quantile(toFanout, 0.95))}; ` +
      `fan-out → SMTP acceptance p50 ${ms(quantile(fanoutToSmtp, 0.5))}, p95 ${ms(quantile(fanoutToSmtp, 0.95))}`)
    for (const t of await jobTimings(db.db)) {
      log(`${kind}: profile: ${t.name}: ${t.n} jobs; waited in queue p50 ${ms(t.wait50)}, p95 ${ms(t.wait95)}; handler p50 ${ms(t.run50)}, p95 ${ms(t.run95)}`)
    }
    const perEmail = (seconds: number) => `${((seconds * 1000) / Math.max(delivered, 1)).toFixed(1)} ms`
    log(`${kind}: profile: CPU per email (whole run, idle polling included): ${perEmail(cpu.self)} in this process (emitters, SMTP sink${inProcess ? ', worker' : ''})` +
      `${inProcess ? '' : `, ${perEmail(cpu.workers)} in the worker processes`}; PostgreSQL's own not counted`)
    log(`${kind}: profile: SMTP: ${sink.stats.connections} connections, at most ${sink.stats.peakOpen} at once${suppressed ? `; ${suppressed} lines kept off stdout` : ''}`)
  } finally {
    console.log = stdoutLog
    for (const w of workers) await w.stop().catch(() => {})
    for (const q of queues.reverse()) await q.stop({ graceful: false, timeout: 2_000 }).catch(() => {})
    mailer.close()
    for (const handle of opened.reverse()) await handle.close().catch(() => {})
    await sink.close()
  }
}
