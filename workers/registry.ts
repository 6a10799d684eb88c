import type { QueueOptions } from 'pg-boss'

// The typed registry of every job: its queue options and the shape of its payload. Payloads
// carry ids only; a handler re-reads the rows and does one small idempotent thing.
export interface JobPayloads {
  /** Fan a domain event out to its recipients (in-app rows, email deliveries). */
  'notifications.fanout': { eventId: string }
  /** Send one email delivery (event, flood-control summary or digest). */
  'email.send': { deliveryId: string }
  /** Daily: gather each user's digest deliveries into one email. */
  'notifications.digest': Record<string, never>
  /** Hourly: wipe sealed secrets of settled events, drop expired sessions. */
  'maintenance.cleanup': Record<string, never>
  /** Every 15 minutes: remind of Circular 20/2017 deadlines and overdue coordination requests. */
  'incidents.deadlines': Record<string, never>
  /** Every 15 minutes: drill registration closing soon, 7 days and 1 day before the start. */
  'drills.reminders': Record<string, never>
  /** Save a confirmed import of indicators, a chunk per transaction (app/iocs/imports.server.ts). */
  'indicators.import': { importId: string }
}
export type JobName = keyof JobPayloads

/** Retries back off exponentially: retryDelay · 2^n seconds, capped by retryDelayMax. */
export const QUEUES: Record<JobName, QueueOptions> = {
  'notifications.fanout': { retryLimit: 10, retryDelay: 2, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 120 },
  // The delivery's lease (60 s) is shorter than the job's expiry, so a job re-run after its
  // worker died can claim the delivery again.
  'email.send': { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 900, expireInSeconds: 90 },
  'notifications.digest': { retryLimit: 5, retryDelay: 60, retryBackoff: true, expireInSeconds: 600 },
  'maintenance.cleanup': { retryLimit: 2, retryDelay: 60, expireInSeconds: 600 },
  // Each reminder row is its own claim, so an overlapping or retried run sends nothing twice.
  'incidents.deadlines': { retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 600 },
  'drills.reminders': { retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 600 },
  // A run resumes after the last committed chunk, so a retry repeats nothing; 200,000 entries
  // take well under the expiry.
  'indicators.import': { retryLimit: 5, retryDelay: 10, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 1800 },
}

/** Cron schedules, in Asia/Ho_Chi_Minh. */
export const SCHEDULES: { name: JobName; cron: string }[] = [
  { name: 'notifications.digest', cron: '0 7 * * *' },
  { name: 'maintenance.cleanup', cron: '17 * * * *' },
  { name: 'incidents.deadlines', cron: '*/15 * * * *' },
  { name: 'drills.reminders', cron: '7-59/15 * * * *' },
]
