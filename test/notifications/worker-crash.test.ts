import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openDatabase, type DatabaseHandle } from '../../db/client.ts'
import { deliveries } from '../../db/schema/index.ts'
import { seedNetwork } from '../../db/seed.ts'
import { emitEvent } from '../../app/notifications/emit.server.ts'
import { createMailer } from '../../app/notifications/mailer.server.ts'
import type { Services } from '../../app/lib/context.server.ts'
import { createJobQueue, queueOverridesFromEnv } from '../../workers/queue.ts'
import { createTestDatabase, testDriver } from '../support/db.ts'
import { testEnv } from '../support/harness.ts'
import { makeUser } from '../support/factories.ts'
import { startSmtpSink, type SmtpSink } from '../support/smtp.ts'

// Kill -9 a worker while it is handing a message to the SMTP server (before acceptance), start
// a new one, and check every delivery arrives exactly once. On PostgreSQL the worker is its own
// process; on PGlite the worker lives in the one process that owns the data directory, so that
// whole process is killed and restarted on the same directory.

let smtp: SmtpSink
let dataDir: string | null = null
let databaseUrl: string | null = null
let testDb: DatabaseHandle | null = null
const children: ChildProcess[] = []

const COMMON_ENV: Record<string, string> = { DELIVERY_LEASE_SECONDS: '2', EMAIL_RETRY_DELAY_SECONDS: '1', JOB_SUPERVISE_SECONDS: '1', SESSION_SECRET: 'test-secret-test-secret-test-secret-0123', APP_ENV: 'test', NODE_ENV: 'test' }

beforeAll(async () => {
  smtp = await startSmtpSink()
})
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL')
  await smtp.close()
  await testDb?.close()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
})

/** Opens the database the workers will use, runs `fn` against it with a job queue, and closes. */
async function prepare(fn: (services: Services) => Promise<void>) {
  let handle: DatabaseHandle
  if (testDriver() === 'postgres') {
    testDb ??= await createTestDatabase()
    databaseUrl = testDb.url!
    handle = await openDatabase({ driver: 'postgres', url: databaseUrl, poolSize: 2 })
  } else {
    dataDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'csirtnet-crash-'))
    handle = await openDatabase({ driver: 'pglite', dataDir })
  }
  await handle.migrate()
  const env = testEnv({ SMTP_URL: smtp.url, ...COMMON_ENV })
  const jobs = await createJobQueue(handle, { schedule: false, queueOverrides: queueOverridesFromEnv(env) })
  const services: Services = { db: handle.db, database: handle, env, now: () => new Date(), jobs, mailer: createMailer(env) }
  try {
    await fn(services)
  } finally {
    await jobs.stop({ graceful: false })
    await handle.close()
  }
}

function startWorker(): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...COMMON_ENV,
    SMTP_URL: smtp.url,
    APP_URL: 'http://localhost:3000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir! }),
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(child)
    let err = ''
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('WORKER READY')) resolve(child)
    })
    child.stderr!.on('data', (d: Buffer) => (err += d))
    if (process.env.DEBUG_WORKER) { child.stdout!.on('data', (d: Buffer) => process.stdout.write(`[w${child.pid}] ${d}`)); child.stderr!.on('data', (d: Buffer) => process.stdout.write(`[w${child.pid} err] ${d}`)) }
    child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${err.slice(-500)}`)))
  })
}

/** A killed PGlite process leaves its lock until it goes stale: keep trying for a while. */
async function restartWorker(): Promise<ChildProcess> {
  const deadline = Date.now() + 45_000
  for (;;) {
    try {
      return await startWorker()
    } catch (error) {
      if (Date.now() > deadline || !String(error).includes('already open')) throw error
      await new Promise((r) => setTimeout(r, 1000))
    }
  }
}

describe(`a worker killed mid-send (${testDriver()})`, () => {
  test('every delivery arrives exactly once after a restart', async () => {
    const recipients: string[] = []
    await prepare(async (services) => {
      const orgIds = await seedNetwork(services.db, '2026-11-22')
      const orgId = orgIds.get('so-tttt-hai-phong')!
      for (let i = 0; i < 3; i++) {
        const user = await makeUser(services.db, orgId, 'responder')
        recipients.push(user.email)
        await services.db.transaction((tx) =>
          emitEvent(tx, services, { type: 'user.role_changed', objectType: 'user', objectId: user.id, payload: { userId: user.id } }),
        )
      }
    })
    // The SMTP server holds the first message long enough to kill its sender mid-DATA.
    smtp.state.holdMs = 4000
    const first = await startWorker()
    const deadline = Date.now() + 30_000
    while (smtp.state.dataStarted === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(smtp.state.dataStarted).toBeGreaterThan(0)
    first.kill('SIGKILL')
    await new Promise((r) => first.once('exit', r))
    smtp.state.holdMs = 0
    await restartWorker()
    await smtp.waitFor(3, 60_000)
    await new Promise((r) => setTimeout(r, 3000))
    expect(smtp.received.flatMap((m) => m.to).sort()).toEqual([...recipients].sort())
    const ids = smtp.received.map((m) => m.messageId)
    expect(new Set(ids).size).toBe(3)
  }, 120_000)

  test('the deliveries record one successful send each', async () => {
    // A graceful stop (SIGTERM) finishes or releases jobs in flight and frees the data directory.
    const running = children.filter((c) => c.exitCode === null && c.signalCode === null)
    await Promise.all(running.map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')))))
    await prepare(async (services) => {
      const rows = await services.db.select().from(deliveries).where(eq(deliveries.eventType, 'user.role_changed'))
      expect(rows).toHaveLength(3)
      expect(rows.every((r) => r.status === 'sent')).toBe(true)
    })
  }, 60_000)
})
