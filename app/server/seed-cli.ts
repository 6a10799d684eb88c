// `npm run db:seed`: the network's reference data (idempotent), plus demo accounts when the
// environment allows them (SEED_DEMO; never in production). Same rules as start-up.
import { openDatabase } from '../../db/client.ts'
import { seedDemoAccounts, seedNetwork } from '../../db/seed.ts'
import { hashPassword } from '../auth/password.server.ts'
import { loadEnv } from '../env.server.ts'
import { calendarDate } from '../lib/dates.ts'

const env = loadEnv()
const handle = await openDatabase(
  env.DATABASE_URL ? { driver: 'postgres', url: env.DATABASE_URL, poolSize: 1 } : { driver: 'pglite', dataDir: env.DATA_DIR },
)
try {
  await handle.migrate()
  const orgIds = await seedNetwork(handle.db, calendarDate(new Date()))
  console.log(`Network seeded: ${orgIds.size} organisations.`)
  if (env.SEED_DEMO) {
    const accounts = await seedDemoAccounts(handle.db, orgIds, hashPassword)
    console.log(`Demo accounts (password ${accounts[0]?.password}): ${accounts.map((a) => a.email).join(', ')}`)
  }
} finally {
  await handle.close()
}
