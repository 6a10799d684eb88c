// A worker in its own process, for tests that kill it mid-job: boots like `npm run worker`
// (or, on PGlite, like the web process's in-process worker) from the environment it is given.
import { loadEnv } from '../../app/env.server.ts'
import { boot, shutdown } from '../../app/server/boot.server.ts'

const { services } = await boot(loadEnv({ ...process.env, RUN_WORKER: 'true', SEED_DEMO: 'false' }))
process.on('SIGTERM', () => {
  shutdown(services).then(
    () => process.exit(0),
    () => process.exit(1),
  )
})
console.log('WORKER READY')
