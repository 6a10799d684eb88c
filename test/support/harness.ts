import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createRequestHandler, type ServerBuild } from '@remix-run/node'
import type { DatabaseHandle } from '../../db/client.ts'
import { seedNetwork } from '../../db/seed.ts'
import { loadEnv, type Env } from '../../app/env.server.ts'
import type { ActingContext, Services } from '../../app/lib/context.server.ts'
import { calendarDate } from '../../app/lib/dates.ts'
import { loadActor } from '../../app/policy/actor.server.ts'
import { createApp } from '../../app/server/app.ts'
import { createTestDatabase } from './db.ts'
import { createMailer } from '../../app/notifications/mailer.server.ts'
import { createJobQueue, queueOverridesFromEnv, type JobQueueOptions } from '../../workers/queue.ts'
import { startWorkers } from '../../workers/runtime.ts'

export const TEST_ORIGIN = 'http://localhost:3000'

export function testEnv(overrides: Record<string, string> = {}): Env {
  return loadEnv({
    NODE_ENV: 'test',
    APP_ENV: 'test',
    APP_URL: TEST_ORIGIN,
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
    DATA_DIR: '/tmp/csirtnet-test-unused',
    // Deliveries log at info; tests that want to see them can lower this.
    LOG_LEVEL: 'error',
    ...overrides,
  })
}

export interface Harness {
  database: DatabaseHandle
  services: Services
  /** The network as seeded: organisation ids by slug. */
  orgIds: Map<string, string>
  /** Move the clock (session expiry, throttling, terms). */
  setNow(date: Date): void
  acting(userId: string, ip?: string): Promise<ActingContext>
  close(): Promise<void>
}

/** A database of its own with the network seeded (VNCERT/CC, Cluster 1, Cluster 3). */
export async function createHarness(
  opts: { env?: Record<string, string>; worker?: boolean; jobs?: JobQueueOptions } = {},
): Promise<Harness> {
  const database = await createTestDatabase()
  let now: Date | null = null
  const env = testEnv(opts.env)
  // Jobs are always enqueued for real (domain operations send them in their transaction); they
  // are only worked when the test asks for a worker.
  const jobs = await createJobQueue(database, { schedule: false, ...opts.jobs, queueOverrides: { ...queueOverridesFromEnv(env), ...opts.jobs?.queueOverrides } })
  const services: Services = { db: database.db, database, env, now: () => now ?? new Date(), jobs, mailer: createMailer(env) }
  if (opts.worker) await startWorkers(services, { pollingIntervalSeconds: 0.5 })
  const orgIds = await seedNetwork(database.db, calendarDate(services.now()))
  return {
    database,
    services,
    orgIds,
    setNow: (d) => {
      now = d
    },
    async acting(userId, ip = '203.0.113.10') {
      const actor = await loadActor(database.db, userId, services.now())
      if (!actor) throw new Error(`user ${userId} cannot act`)
      return { services, actor, ip }
    },
    async close() {
      await jobs.stop({ graceful: false, timeout: 2000 })
      services.mailer.close()
      await database.close()
    },
  }
}

let buildPromise: Promise<ServerBuild> | undefined
/** The Remix server build (npm test builds it first, see package.json "pretest"). */
export function loadServerBuild(): Promise<ServerBuild> {
  const file = path.resolve('build/server/index.js')
  if (!fs.existsSync(file)) throw new Error('build/server/index.js is missing: run `npm run build` (npm test does it for you)')
  buildPromise ??= import(pathToFileURL(file).href) as Promise<ServerBuild>
  return buildPromise
}

/** The whole HTTP app (Hono + Remix pages) over the harness's database, driven with fetch. */
export async function createTestApp(h: Harness) {
  const build = await loadServerBuild()
  const app = createApp({ services: h.services, remix: createRequestHandler(build, 'production') })
  return {
    app,
    /** A same-origin request, as a browser on the site would send it. */
    request(pathname: string, init: RequestInit & { cookie?: string } = {}) {
      const headers = new Headers(init.headers)
      if (init.cookie) headers.set('cookie', init.cookie)
      // A browser always sends Host; Remix compares it with Origin on actions.
      if (!headers.has('host')) headers.set('host', new URL(TEST_ORIGIN).host)
      if (init.method && init.method !== 'GET' && !headers.has('origin')) headers.set('origin', TEST_ORIGIN)
      return app.request(`${TEST_ORIGIN}${pathname}`, { ...init, headers, redirect: 'manual' })
    },
    /** Submits a form like a browser without JavaScript. */
    postForm(pathname: string, fields: Record<string, string>, cookie?: string) {
      return this.request(pathname, { method: 'POST', body: new URLSearchParams(fields), cookie })
    },
    async signIn(email: string, password: string): Promise<string> {
      const res = await this.postForm('/login', { email, password, redirectTo: '/' })
      const setCookie = res.headers.get('set-cookie')
      if (res.status !== 302 || !setCookie) throw new Error(`sign-in failed for ${email}: ${res.status}`)
      return setCookie.split(';')[0]!
    },
  }
}
export type TestApp = Awaited<ReturnType<typeof createTestApp>>
