import type { Database, DatabaseHandle } from '../../db/client.ts'
import type { Env } from '../env.server.ts'
import type { Actor } from '../policy/actor.ts'
import type { JobQueue } from '../../workers/queue.ts'
import type { Mailer } from '../notifications/mailer.server.ts'

/** Long-lived things a request may use. Built once at start-up. */
export interface Services {
  db: Database
  database: DatabaseHandle
  env: Env
  /** Injected so tests can move time (session expiry, throttling, cluster terms). */
  now: () => Date
  /** pg-boss; `enqueue(tx, …)` sends a job inside the caller's transaction. */
  jobs: JobQueue
  mailer: Mailer
}

/** A signed-in actor acting through this request. Domain operations take this first. */
export interface ActingContext {
  services: Services
  actor: Actor
  ip: string | null
}

/** Before sign-in (login, accepting an invitation). */
export interface AnonymousContext {
  services: Services
  ip: string | null
  userAgent: string | null
}
