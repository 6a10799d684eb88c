import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { serve } from '@hono/node-server'
import { createRequestHandler, type ServerBuild } from '@remix-run/node'
import { EnvError, loadEnv } from '../env.server.ts'
import { DataDirLockedError } from '../../db/client.ts'
import { createApp } from './app.ts'
import { boot, shutdown as stopServices } from './boot.server.ts'
import { printBanner } from './banner.ts'

// Production entry (`npm start` / `npm run serve`): serves build/ with Hono on Node.
async function main() {
  const started = performance.now()
  const env = loadEnv()
  const { services, demoAccounts } = await boot(env)
  const buildDir = path.resolve('build')
  const build = (await import(pathToFileURL(path.join(buildDir, 'server', 'index.js')).href)) as ServerBuild
  const remix = createRequestHandler(build, 'production')
  const app = createApp({ services, remix, serveClientBuild: true, buildDir })
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => {
    printBanner(env, services.database.driver, demoAccounts, performance.now() - started)
  })
  const shutdown = (signal: string) => {
    console.log(JSON.stringify({ level: 'info', msg: 'shutting down', signal }))
    // Stop accepting requests, let the worker finish or release its jobs, then close.
    server.close()
    stopServices(services).then(
      () => process.exit(0),
      () => process.exit(1),
    )
    setTimeout(() => process.exit(1), 20_000).unref()
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

main().catch((error) => {
  if (error instanceof EnvError || error instanceof DataDirLockedError) {
    console.error(`\n${error.message}\n`)
  } else {
    console.error(error)
  }
  process.exit(1)
})
