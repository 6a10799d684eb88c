// A worker process for the notifications scenario on PostgreSQL: boots exactly as
// `npm run worker` does (workers/index.ts) from the environment the benchmark gives it, with the
// benchmark's concurrency and polling interval. Prints WORKER READY once it takes jobs; SIGTERM
// stops it gracefully.
import { loadEnv } from '../app/env.server.ts'
import { boot, shutdown } from '../app/server/boot.server.ts'

const worker = { concurrency: Number(process.env.BENCH_SEND_CONCURRENCY), pollingIntervalSeconds: Number(process.env.BENCH_POLLING_SECONDS) }
const env = loadEnv({ ...process.env, RUN_WORKER: 'true', SEED_DEMO: 'false' })
const { services } = await boot(env, { worker })

let stopping = false
process.on('SIGTERM', () => {
  if (stopping) return
  stopping = true
  shutdown(services).then(
    () => process.exit(0),
    () => process.exit(1),
  )
})
console.log('WORKER READY')
