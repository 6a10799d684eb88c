// `npm run worker`: a dedicated worker process (PostgreSQL only: PGlite is one process, so in
// embedded mode the worker runs inside the web server). Run as many as you like; pg-boss hands
// each job to one of them, and deliveries are claimed by update, so nothing is sent twice.
import { EnvError, loadEnv } from '../app/env.server.ts'
import { boot, shutdown } from '../app/server/boot.server.ts'

try {
  const env = loadEnv({ ...process.env, RUN_WORKER: 'true', SEED_DEMO: 'false' })
  if (!env.DATABASE_URL) {
    console.error('\nnpm run worker needs DATABASE_URL (PostgreSQL). In embedded mode the web process runs the worker itself.\n')
    process.exit(1)
  }
  const { services } = await boot(env)
  console.log(JSON.stringify({ level: 'info', msg: 'worker started', pid: process.pid }))
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(JSON.stringify({ level: 'info', msg: 'worker stopping', signal }))
    shutdown(services).then(
      () => process.exit(0),
      () => process.exit(1),
    )
    setTimeout(() => process.exit(1), 20_000).unref()
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
} catch (error) {
  console.error(error instanceof EnvError ? `\n${error.message}\n` : error)
  process.exit(1)
}
