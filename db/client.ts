import fs from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import lockfile from 'proper-lockfile'
import postgres from 'postgres'
import * as schema from './schema/index.ts'

export { schema }

// Both drivers expose the same query builder over one pg-core schema; the PGlite handle is
// typed as the postgres.js one so domain code has a single type to take. Raw `execute()`
// results differ in shape between drivers: use `rowsOf()` when you need them.
export type Database = PostgresJsDatabase<typeof schema>
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0]
export type Executor = Database | Transaction

export const migrationsFolder = path.join(import.meta.dirname, 'migrations')

export type DatabaseConfig =
  | { driver: 'postgres'; url: string; poolSize?: number }
  | { driver: 'pglite'; dataDir: string | null /* null = in memory */; loadDataDir?: Blob }

export interface DatabaseHandle {
  db: Database
  driver: 'postgres' | 'pglite'
  /** Applies committed migrations (idempotent; serialised across processes on PostgreSQL). */
  migrate(): Promise<void>
  /** Reachable and every committed migration applied. */
  readiness(): Promise<{ ok: boolean; reason?: string }>
  close(): Promise<void>
  /** The PGlite instance in embedded mode (tests dump it as a template; the job queue shares it). */
  pglite?: PGlite
  /** The connection URL on PostgreSQL (the job queue opens its own small pool). */
  url?: string
}

export class DataDirLockedError extends Error {
  constructor(dir: string) {
    super(
      `The embedded database in ${dir} is already open in another CSIRT Net process. ` +
        `PGlite allows one process per data directory (two would silently lose writes). ` +
        `Stop the other process, set DATA_DIR to another directory, or set DATABASE_URL to use PostgreSQL.`,
    )
    this.name = 'DataDirLockedError'
  }
}

export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[]
  if (result && typeof result === 'object' && 'rows' in result) return (result as { rows: T[] }).rows
  return []
}

function journalCount(): number {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[]
  }
  return journal.entries.length
}

async function readinessOf(db: Database): Promise<{ ok: boolean; reason?: string }> {
  try {
    const rows = rowsOf<{ n: number | string }>(
      await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
    )
    const applied = Number(rows[0]?.n ?? 0)
    const expected = journalCount()
    if (applied < expected) return { ok: false, reason: `migrations pending: ${applied}/${expected} applied` }
    return { ok: true }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : 'database unreachable' }
  }
}

export async function openDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  if (config.driver === 'postgres') return openPostgres(config.url, config.poolSize ?? 10)
  return openPglite(config.dataDir, config.loadDataDir)
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const client = postgres(url, { max: poolSize, onnotice: () => {} })
  const db = drizzlePostgres(client, { schema, casing: 'snake_case' })
  return {
    db,
    driver: 'postgres',
    url,
    async migrate() {
      // Several web instances and workers may start together: one advisory lock on a
      // dedicated connection makes them apply migrations one after the other.
      const lockClient = postgres(url, { max: 1, onnotice: () => {} })
      try {
        await lockClient`select pg_advisory_lock(774411)`
        await migratePostgres(drizzlePostgres(lockClient, { casing: 'snake_case' }), { migrationsFolder })
        await lockClient`select pg_advisory_unlock(774411)`
      } finally {
        await lockClient.end({ timeout: 5 })
      }
    },
    readiness: () => readinessOf(db),
    close: () => client.end({ timeout: 5 }),
  }
}

async function openPglite(dataDir: string | null, loadDataDir?: Blob): Promise<DatabaseHandle> {
  let release: (() => Promise<void>) | undefined
  // A refresh of the lock can be in flight while we release it; that is not a lost lock.
  let closing = false
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true })
    try {
      // proper-lockfile keeps refreshing the lock; a crashed process's lock goes stale and
      // is taken over, so a kill -9 does not leave the directory locked for good.
      release = await lockfile.lock(dataDir, {
        lockfilePath: path.join(dataDir, 'csirt-net.lock'),
        stale: 15_000,
        update: 5_000,
        retries: 0,
        onCompromised: (err) => {
          if (closing) return
          console.error(`Lost the lock on ${dataDir}: ${err.message}. Stopping to protect the data.`)
          process.exit(1)
        },
      })
    } catch (error) {
      if ((error as { code?: string }).code === 'ELOCKED') throw new DataDirLockedError(dataDir)
      throw error
    }
  }
  const pglite = new PGlite({ dataDir: dataDir ? path.join(dataDir, 'pglite') : undefined, loadDataDir })
  await pglite.waitReady
  const db = drizzlePglite(pglite, { schema, casing: 'snake_case' }) as unknown as Database
  return {
    db,
    driver: 'pglite',
    pglite,
    async migrate() {
      await migratePglite(db as never, { migrationsFolder })
    },
    readiness: () => readinessOf(db),
    async close() {
      await pglite.close()
      closing = true
      await release?.()
    },
  }
}
