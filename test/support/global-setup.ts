import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDatabase } from '../../db/client.ts'
import { createJobQueue } from '../../workers/queue.ts'

// Migrating a fresh PGlite (and installing pg-boss's schema) costs seconds; do it once, dump the
// data directory, and let every test file start from a copy. PostgreSQL runs need no template.
export default async function setup() {
  if (process.env.TEST_DATABASE_URL) return
  const handle = await openDatabase({ driver: 'pglite', dataDir: null })
  await handle.migrate()
  const jobs = await createJobQueue(handle, { schedule: false })
  await jobs.stop({ graceful: false })
  const dump = await handle.pglite!.dumpDataDir('none')
  const file = path.join(os.tmpdir(), `csirtnet-test-template-${process.pid}.tar`)
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()))
  await handle.close()
  process.env.CSIRTNET_TEST_TEMPLATE = file
  return () => fs.rmSync(file, { force: true })
}
