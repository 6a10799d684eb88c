import { sql } from 'drizzle-orm'
import { PgBoss, fromDrizzle, fromPglite, type QueueOptions, type SendOptions } from 'pg-boss'
import type { DatabaseHandle, Executor } from '../db/client.ts'
import { QUEUES, SCHEDULES, type JobName, type JobPayloads } from './registry.ts'

// pg-boss (pinned 12.35.0, see docs/decisions/007-job-queue.md) over the same database as the
// app. Jobs are sent through the caller's Drizzle transaction, so they commit or roll back with
// the domain change that caused them.
export interface JobQueue {
  boss: PgBoss
  enqueue<N extends JobName>(tx: Executor, name: N, data: JobPayloads[N], options?: SendOptions): Promise<string | null>
  stop(options?: { graceful?: boolean; timeout?: number }): Promise<void>
}

/** Queue options that operators tune through the environment (see README). */
export function queueOverridesFromEnv(env: { DELIVERY_LEASE_SECONDS: number; EMAIL_RETRY_DELAY_SECONDS: number; EMAIL_RETRY_LIMIT: number }) {
  return {
    'email.send': {
      // Just past the delivery's lease: a job whose worker died is retried once the lease has
      // lapsed, and the re-run can claim the delivery.
      expireInSeconds: env.DELIVERY_LEASE_SECONDS + 10,
      retryDelay: env.EMAIL_RETRY_DELAY_SECONDS,
      retryLimit: env.EMAIL_RETRY_LIMIT,
    },
  } satisfies Partial<Record<JobName, QueueOptions>>
}

export interface JobQueueOptions {
  /** Override queue options (tests use short retry delays). */
  queueOverrides?: Partial<Record<JobName, QueueOptions>>
  /** Register cron schedules (once per installation is enough; repeated calls upsert). */
  schedule?: boolean
  /** How often pg-boss looks for jobs whose worker died (expired active jobs). Its job-expiry
   *  pass is also gated by the monitor interval, so both are set to this. */
  superviseIntervalSeconds?: number
}

export async function createJobQueue(handle: DatabaseHandle, opts: JobQueueOptions = {}): Promise<JobQueue> {
  const boss =
    handle.driver === 'pglite'
      ? new PgBoss({ db: fromPglite(handle.pglite!), backend: 'pglite', schema: 'pgboss', superviseIntervalSeconds: opts.superviseIntervalSeconds ?? 30, monitorIntervalSeconds: opts.superviseIntervalSeconds ?? 30 })
      : new PgBoss({ connectionString: handle.url!, schema: 'pgboss', max: 4, application_name: 'csirtnet-jobs', superviseIntervalSeconds: opts.superviseIntervalSeconds ?? 30, monitorIntervalSeconds: opts.superviseIntervalSeconds ?? 30 })
  boss.on('error', (error) => console.error(JSON.stringify({ level: 'error', msg: 'job queue error', error: String(error) })))
  await boss.start()
  for (const [name, options] of Object.entries(QUEUES) as [JobName, QueueOptions][]) {
    const merged = { ...options, ...opts.queueOverrides?.[name] }
    const existing = await boss.getQueue(name)
    if (existing) await boss.updateQueue(name, merged)
    else await boss.createQueue(name, merged)
  }
  // pg-boss fills its queue cache at start(), before these queues exist; a cache miss during a
  // send looks the queue up over its own connection, which on PGlite (one connection) waits
  // forever behind the sending transaction. Fill the cache now, outside any transaction.
  for (const name of Object.keys(QUEUES)) await boss.findJobs(name, { id: '00000000-0000-0000-0000-000000000000' })
  if (opts.schedule !== false) {
    for (const s of SCHEDULES) await boss.schedule(s.name, s.cron, {}, { tz: 'Asia/Ho_Chi_Minh' })
  }
  return {
    boss,
    enqueue(tx, name, data, options = {}) {
      return boss.send(name, data, { ...options, db: fromDrizzle(tx as never, sql as never) })
    },
    stop: (o = {}) => boss.stop({ graceful: o.graceful ?? true, timeout: o.timeout ?? 15_000, close: true }),
  }
}
