import crypto from 'node:crypto'
import fs from 'node:fs'
import postgres from 'postgres'
import { openDatabase, type DatabaseHandle } from '../../db/client.ts'

/**
 * A database of its own for one test file: a copy of the migrated PGlite template, or a
 * fresh PostgreSQL database created on TEST_DATABASE_URL's server and dropped afterwards.
 */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  const url = process.env.TEST_DATABASE_URL
  if (url) {
    const name = `csirtnet_test_${crypto.randomBytes(6).toString('hex')}`
    const admin = postgres(url, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    await admin.end()
    const dbUrl = new URL(url)
    dbUrl.pathname = `/${name}`
    const handle = await openDatabase({ driver: 'postgres', url: dbUrl.toString(), poolSize: 5 })
    await handle.migrate()
    const close = handle.close
    handle.close = async () => {
      await close()
      const cleanup = postgres(url, { max: 1, onnotice: () => {} })
      await cleanup.unsafe(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    }
    return handle
  }
  const template = process.env.CSIRTNET_TEST_TEMPLATE
  const loadDataDir = template ? new Blob([fs.readFileSync(template)]) : undefined
  const handle = await openDatabase({ driver: 'pglite', dataDir: null, loadDataDir })
  if (!template) await handle.migrate()
  return handle
}

export const testDriver = () => (process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite')
