// `npm run db:migrate`: apply committed migrations to DATABASE_URL (or the embedded data directory).
import path from 'node:path'
import { openDatabase } from './client.ts'

const url = process.env.DATABASE_URL
const handle = await openDatabase(
  url ? { driver: 'postgres', url, poolSize: 1 } : { driver: 'pglite', dataDir: path.resolve(process.env.DATA_DIR ?? './data') },
)
try {
  await handle.migrate()
  const readiness = await handle.readiness()
  console.log(readiness.ok ? 'Migrations applied; the database is ready.' : `Not ready: ${readiness.reason}`)
  process.exitCode = readiness.ok ? 0 : 1
} finally {
  await handle.close()
}
