import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { count } from 'drizzle-orm'
import { afterAll, describe, expect, test } from 'vitest'
import { DataDirLockedError, openDatabase } from '../../db/client.ts'
import { DEMO_ACCOUNTS, seedDemoAccounts, seedNetwork } from '../../db/seed.ts'
import { clusterMembers, clusterOfficers, organisations, users } from '../../db/schema/index.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csirtnet-embedded-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

// Opening a fresh data directory and migrating it takes ~4 s on a quiet machine, and this file
// does it on disk twice: give it room on a loaded CI machine rather than fail on time.
const DISK_TIMEOUT_MS = 120_000

describe('embedded database (PGlite in a data directory)', () => {
  test('migrates on first open, seeds idempotently, and keeps data across reopen', async () => {
    const first = await openDatabase({ driver: 'pglite', dataDir: dir })
    await first.migrate()
    expect(await first.readiness()).toEqual({ ok: true })
    const ids = await seedNetwork(first.db, '2026-11-22')
    await seedDemoAccounts(first.db, ids, async () => 'not-a-real-hash')
    await seedNetwork(first.db, '2026-11-22')
    await seedDemoAccounts(first.db, ids, async () => 'not-a-real-hash')
    const counts = async (h: typeof first) => ({
      organisations: (await h.db.select({ n: count() }).from(organisations))[0]!.n,
      members: (await h.db.select({ n: count() }).from(clusterMembers))[0]!.n,
      officers: (await h.db.select({ n: count() }).from(clusterOfficers))[0]!.n,
      users: (await h.db.select({ n: count() }).from(users))[0]!.n,
    })
    const before = await counts(first)
    // VNCERT/CC + nine Cluster 3 members + six Cluster 1 members.
    expect(before).toEqual({ organisations: 16, members: 15, officers: 4, users: DEMO_ACCOUNTS.length })
    await first.close()
    const second = await openDatabase({ driver: 'pglite', dataDir: dir })
    await second.migrate()
    expect(await counts(second)).toEqual(before)
    await second.close()
  }, DISK_TIMEOUT_MS)

  test('a second process opening the same data directory is refused with a clear error', async () => {
    const holder = await openDatabase({ driver: 'pglite', dataDir: dir })
    try {
      // In this process…
      await expect(openDatabase({ driver: 'pglite', dataDir: dir })).rejects.toBeInstanceOf(DataDirLockedError)
      // …and in another one, as `npm start` twice would do.
      const script = `import { openDatabase } from ${JSON.stringify(path.resolve('db/client.ts'))}
        try { await openDatabase({ driver: 'pglite', dataDir: ${JSON.stringify(dir)} }); console.log('OPENED') }
        catch (e) { console.log(e.name + ': ' + e.message) }`
      const out = await new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
        let text = ''
        child.stdout.on('data', (d) => (text += d))
        child.on('close', () => resolve(text))
      })
      expect(out).toContain('DataDirLockedError')
      expect(out).toContain('already open in another CSIRT Net process')
      expect(out).not.toContain('OPENED')
    } finally {
      await holder.close()
    }
  }, DISK_TIMEOUT_MS)
})
