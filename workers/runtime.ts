import type { JobWithMetadata } from 'pg-boss'
import type { Services } from '../app/lib/context.server.ts'
import { drillReminders } from './jobs/drills/reminders.ts'
import { importIndicators } from './jobs/indicators/import.ts'
import { send } from './jobs/email/send.ts'
import { deadlines } from './jobs/incidents/deadlines.ts'
import { cleanup } from './jobs/maintenance/cleanup.ts'
import { digest } from './jobs/notifications/digest.ts'
import { fanout } from './jobs/notifications/fanout.ts'
import type { JobName, JobPayloads } from './registry.ts'

export type JobHandler<N extends JobName> = (services: Services, job: JobWithMetadata<JobPayloads[N]>) => Promise<void>

// The handler of every queue: the registry's other half. A missing entry is a type error.
const HANDLERS: { [N in JobName]: JobHandler<N> } = {
  'notifications.fanout': fanout,
  'email.send': send,
  'notifications.digest': digest,
  'maintenance.cleanup': cleanup,
  'incidents.deadlines': deadlines,
  'drills.reminders': drillReminders,
  'indicators.import': importIndicators,
}

export interface WorkerOptions {
  /** Parallel jobs per queue in this process. */
  concurrency?: number
  pollingIntervalSeconds?: number
}

/**
 * The notification path is fetched in batches: with one job per fetch, every worker slept out the
 * polling interval after each job, which capped a queue at localConcurrency / pollingInterval
 * jobs per second (fan-out: 2 / 0.5 s = 4 events/s; measured by `npm run bench`). A batch's jobs
 * run side by side and each is settled on its own, so one failure retries only that job; while
 * fetches come back full the worker fetches again at once. Scheduled jobs stay one at a time.
 */
const BATCH_SIZE: Partial<Record<JobName, number>> = { 'notifications.fanout': 5, 'email.send': 5 }

/** Starts consuming every queue in this process; `services.jobs.stop()` stops it gracefully. */
export async function startWorkers(services: Services, opts: WorkerOptions = {}) {
  const boss = services.jobs.boss
  for (const name of Object.keys(HANDLERS) as JobName[]) {
    const handler = HANDLERS[name] as JobHandler<JobName>
    const batchSize = BATCH_SIZE[name] ?? 1
    // Jobs in flight at once for this queue in this process.
    const concurrency = name === 'email.send' ? (opts.concurrency ?? 5) : name === 'notifications.fanout' ? 10 : 2
    // includeMetadata gives retryCount and retryLimit, which tell a handler its last attempt.
    await boss.work<JobPayloads[JobName]>(
      name,
      {
        includeMetadata: true,
        batchSize,
        perJobResults: true,
        burstWhenBatchFull: batchSize > 1,
        localConcurrency: Math.max(1, Math.ceil(concurrency / batchSize)),
        pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 0.5,
      },
      async (jobs) => {
        const outcomes = await Promise.allSettled(jobs.map((job) => handler(services, job as JobWithMetadata<JobPayloads[JobName]>)))
        return jobs.map((job, i) => {
          const outcome = outcomes[i]!
          if (outcome.status === 'fulfilled') return { id: job.id, status: 'completed' as const }
          const reason = outcome.reason as unknown
          // A failed job is retried with its queue's backoff, exactly as a thrown one was.
          return { id: job.id, status: 'failed' as const, output: { message: reason instanceof Error ? reason.message : String(reason) } }
        })
      },
    )
  }
}
