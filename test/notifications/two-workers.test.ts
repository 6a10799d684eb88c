import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openDatabase, type DatabaseHandle } from '../../db/client.ts'
import { deliveries } from '../../db/schema/index.ts'
import { seedNetwork } from '../../db/seed.ts'
import type { Services } from '../../app/lib/context.server.ts'
import { emitEvent } from '../../app/notifications/emit.server.ts'
import { createMailer } from '../../app/notifications/mailer.server.ts'
import { createJobQueue, queueOverridesFromEnv } from '../../workers/queue.ts'
import { startWorkers } from '../../workers/runtime.ts'
import { createTestDatabase, testDriver } from '../support/db.ts'
import { testEnv } from '../support/harness.ts'
import { makeUser } from '../support/factories.ts'
import { startSmtpSink, type SmtpSink } from '../support/smtp.ts'

// Two workers, each with its own connection pool and pg-boss instance, as two `npm run worker`
// processes would have, race for the same jobs on one PostgreSQL database. (PGlite allows one
// process, so there is no second worker to race with there.)

const onPostgres = testDriver() === 'postgres'
let smtp: SmtpSink
let db: DatabaseHandle
const workers: Services[] = []

async function worker(url: string): Promise<Services> {
  const handle = await openDatabase({ driver: 'postgres', url, poolSize: 4 })
  const env = testEnv({ SMTP_URL: smtp.url, EMAIL_RETRY_DELAY_SECONDS: '1' })
  const jobs = await createJobQueue(handle, { schedule: false, queueOverrides: queueOverridesFromEnv(env) })
  const services: Services = { db: handle.db, database: handle, env, now: () => new Date(), jobs, mailer: createMailer(env) }
  await startWorkers(services, { concurrency: 5, pollingIntervalSeconds: 0.5 })
  return services
}

beforeAll(async () => {
  if (!onPostgres) return
  smtp = await startSmtpSink()
  db = await createTestDatabase()
  workers.push(await worker(db.url!), await worker(db.url!))
})
afterAll(async () => {
  for (const w of workers) {
    await w.jobs.stop({ graceful: true, timeout: 5000 })
    w.mailer.close()
    await w.database.close()
  }
  await db?.close()
  await smtp?.close()
})

describe('two workers on one PostgreSQL database', () => {
  test.skipIf(!onPostgres)('never deliver one message twice, even when every send job is duplicated', async () => {
    const [a] = workers
    const orgIds = await seedNetwork(a!.db, '2026-11-22')
    const people = []
    for (let i = 0; i < 30; i++) people.push(await makeUser(a!.db, orgIds.get('so-tttt-ninh-binh')!, 'responder'))
    for (const p of people) {
      await a!.db.transaction((tx) =>
        emitEvent(tx, a!, { type: 'user.role_changed', objectType: 'user', objectId: p.id, payload: { userId: p.id } }),
      )
    }
    // Duplicate every delivery's send job once fan-out has created them.
    const deadline = Date.now() + 30_000
    let rows: (typeof deliveries.$inferSelect)[] = []
    while (rows.length < 30 && Date.now() < deadline) {
      rows = await a!.db.select().from(deliveries).where(eq(deliveries.eventType, 'user.role_changed'))
      await new Promise((r) => setTimeout(r, 100))
    }
    await a!.db.transaction(async (tx) => {
      for (const r of rows) await a!.jobs.enqueue(tx, 'email.send', { deliveryId: r.id })
    })
    await smtp.waitFor(30, 60_000)
    await new Promise((r) => setTimeout(r, 3000))
    expect(smtp.received).toHaveLength(30)
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(30)
    expect(smtp.received.flatMap((m) => m.to).sort()).toEqual(people.map((p) => p.email).sort())
  }, 120_000)
})
