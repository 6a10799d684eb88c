import { openDatabase, type DatabaseHandle } from '../../db/client.ts'
import { seedDemoAccounts, seedNetwork, type DemoAccount } from '../../db/seed.ts'
import { hashPassword } from '../auth/password.server.ts'
import { loadEnv, type Env } from '../env.server.ts'
import { calendarDate } from '../lib/dates.ts'
import { createMailer } from '../notifications/mailer.server.ts'
import { createJobQueue, queueOverridesFromEnv, type JobQueueOptions } from '../../workers/queue.ts'
import { startWorkers, type WorkerOptions } from '../../workers/runtime.ts'
import { seedDemoDrills } from '../drills/demo.server.ts'
import { seedDemoIncidents } from '../incidents/demo.server.ts'
import { seedDemoIndicators } from '../iocs/demo.server.ts'
import { seedDemoNotifications } from './demo.server.ts'
import type { Services } from '../lib/context.server.ts'

export interface Booted {
  services: Services
  demoAccounts: DemoAccount[]
}

/** Opens the database (PostgreSQL if DATABASE_URL is set, embedded PGlite otherwise), migrates, seeds. */
export async function boot(
  env: Env = loadEnv(),
  opts: { database?: DatabaseHandle; jobs?: JobQueueOptions; worker?: WorkerOptions } = {},
): Promise<Booted> {
  const database =
    opts.database ??
    (await openDatabase(
      env.DATABASE_URL
        ? { driver: 'postgres', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
        : { driver: 'pglite', dataDir: env.DATA_DIR },
    ))
  // Embedded mode always migrates (nothing else could); on PostgreSQL it can be left to
  // `npm run db:migrate` in a deploy step.
  if (env.MIGRATE_ON_START || database.driver === 'pglite') await database.migrate()
  const jobs = await createJobQueue(database, { superviseIntervalSeconds: env.JOB_SUPERVISE_SECONDS, ...opts.jobs, queueOverrides: { ...queueOverridesFromEnv(env), ...opts.jobs?.queueOverrides } })
  const services: Services = { db: database.db, database, env, now: () => new Date(), jobs, mailer: createMailer(env) }
  const orgIds = await seedNetwork(database.db, calendarDate(services.now()))
  const demoAccounts = env.SEED_DEMO ? await seedDemoAccounts(database.db, orgIds, hashPassword) : []
  // Before the worker starts: the demo incidents' notifications then wait in the queue instead
  // of being fanned out and rendered while the seed still runs, which on PGlite (one
  // connection) doubled the seed's time and so the start-up's.
  if (env.SEED_DEMO) {
    await seedDemoIncidents(services, orgIds)
    await seedDemoDrills(services)
    await seedDemoIndicators(services)
  }
  // PGlite is one process: its worker can only live here. On PostgreSQL web instances may leave
  // the work to dedicated `npm run worker` processes (RUN_WORKER=false).
  if (env.RUN_WORKER || database.driver === 'pglite') await startWorkers(services, opts.worker)
  if (env.SEED_DEMO) await seedDemoNotifications(services, orgIds)
  return { services, demoAccounts }
}

/** Stops taking jobs (finishing or releasing those in flight), then closes mail and database. */
export async function shutdown(services: Services) {
  await services.jobs.stop({ graceful: true, timeout: 10_000 })
  services.mailer.close()
  await services.database.close()
}
