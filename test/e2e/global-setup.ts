import { spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import type { TestProject } from 'vitest/node'
import { startSmtpSink } from '../support/smtp.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the server under test listens, e.g. http://localhost:41234 (no trailing slash). */
    baseUrl: string
    /** 'pglite' or 'postgres': which database the server runs on. */
    e2eDriver: string
    /** Where the SMTP sink the server sends to writes each accepted message (.eml). */
    mailDir: string
  }
}

// A fresh embedded database migrates and seeds the demo (~10 s quiet); far longer on a loaded machine.
const READY_TIMEOUT_MS = 180_000
const STOP_TIMEOUT_MS = 15_000
// Enough of the server's output to explain a failed start without flooding the report.
const LOG_LIMIT = 64 * 1024

/**
 * Starts the production server as a child process on a free port, exactly as `npm run serve`
 * does, with a database nobody else uses; stops it and removes that database afterwards.
 */
export default async function setup(project: TestProject) {
  const root = path.resolve(import.meta.dirname, '..', '..')
  if (!fs.existsSync(path.join(root, 'build', 'server', 'index.js'))) {
    throw new Error('build/ is missing: run `npm run test:e2e`, which builds before the journeys.')
  }
  const port = await freePort()
  const baseUrl = `http://localhost:${port}`
  const cleanups: (() => Promise<void>)[] = []

  // The server sends real mail over SMTP to a sink here; the journeys read what arrived.
  const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csirtnet-e2e-mail-'))
  const smtp = await startSmtpSink({ saveTo: mailDir })
  cleanups.push(async () => {
    await smtp.close()
    fs.rmSync(mailDir, { recursive: true, force: true })
  })

  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of ['DATABASE_URL', 'DATA_DIR', 'SEED_DEMO', 'SMTP_URL', 'TRUST_PROXY', 'HOST']) delete env[name]
  Object.assign(env, {
    NODE_ENV: 'production',
    APP_ENV: 'demo',
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: baseUrl,
    LOG_LEVEL: 'warn',
    SMTP_URL: smtp.url,
  })

  const postgresUrl = process.env.E2E_DATABASE_URL
  if (postgresUrl) {
    const name = `csirtnet_e2e_${crypto.randomBytes(6).toString('hex')}`
    await adminQuery(postgresUrl, `create database ${name}`)
    cleanups.push(() => adminQuery(postgresUrl, `drop database if exists ${name} with (force)`))
    const url = new URL(postgresUrl)
    url.pathname = `/${name}`
    env.DATABASE_URL = url.toString()
    env.SESSION_SECRET = crypto.randomBytes(32).toString('base64url')
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csirtnet-e2e-'))
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    env.DATA_DIR = dataDir
  }

  let log = ''
  const server = spawn(process.execPath, ['--import', 'tsx', 'app/server/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-LOG_LIMIT)
  }
  server.stdout!.on('data', keep)
  server.stderr!.on('data', keep)
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)))

  const stop = async () => {
    await stopServer(server, exited)
    for (const cleanup of cleanups.reverse()) await cleanup()
  }

  try {
    await waitUntilReady(baseUrl, exited, () => log)
  } catch (error) {
    await stop()
    throw error
  }

  project.provide('baseUrl', baseUrl)
  project.provide('e2eDriver', postgresUrl ? 'postgres' : 'pglite')
  project.provide('mailDir', mailDir)
  return stop
}

async function waitUntilReady(baseUrl: string, exited: Promise<number | null>, log: () => string) {
  let code: number | null | undefined
  void exited.then((c) => {
    code = c
  })
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (code !== undefined) {
      throw new Error(`The server exited with code ${code} before it was ready. Its output:\n${log()}`)
    }
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) })
      if (res.status === 200) return
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`The server was not ready within ${READY_TIMEOUT_MS / 1000} s. Its output:\n${log()}`)
}

async function stopServer(server: ChildProcess, exited: Promise<number | null>) {
  if (server.exitCode !== null || server.signalCode !== null) return
  server.kill('SIGTERM')
  const timer = setTimeout(() => server.kill('SIGKILL'), STOP_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

async function adminQuery(url: string, statement: string) {
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(statement)
  } finally {
    await admin.end()
  }
}
