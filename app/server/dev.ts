import http from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { createRequestHandler, type ServerBuild } from '@remix-run/node'
import { createServer as createViteServer } from 'vite'
import { loadEnv } from '../env.server.ts'
import { createApp } from './app.ts'
import { boot } from './boot.server.ts'
import { printBanner } from './banner.ts'

// `npm run dev`: one Node server, Vite in middleware mode (HMR) in front of the same Hono app.
const started = performance.now()
process.env.APP_ENV ??= 'development'
process.env.NODE_ENV ??= 'development'
const env = loadEnv()
const { services, demoAccounts } = await boot(env)
const vite = await createViteServer({ server: { middlewareMode: true }, appType: 'custom' })
const remix = createRequestHandler(
  () => vite.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>,
  'development',
)
const listener = getRequestListener(createApp({ services, remix }).fetch)
http
  .createServer((req, res) => vite.middlewares(req, res, () => listener(req, res)))
  .listen({ port: env.PORT, host: env.HOST }, () => printBanner(env, services.database.driver, demoAccounts, performance.now() - started))
