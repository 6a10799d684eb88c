import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

// The server under test runs as its own process, exactly as `npm run serve` starts it, so that
// its CPU and memory are its own and the load generator does not share its event loop.

export const ROOT = path.resolve(import.meta.dirname, '..')

// The server reads build/ relative to its working directory (app/server/main.ts), and other
// engineers rebuild build/ on this machine (`npm test`, `npm run test:e2e`), which deletes it for
// a while and may leave a build of half-finished routes. A run therefore serves a copy taken at
// its start, from a directory that links everything else back to the repository.
let serverCwd = ROOT

/** Copies build/ into a private run directory that the servers start from; returns its cleanup. */
export function snapshotBuild(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csirtnet-bench-run-'))
  for (const entry of fs.readdirSync(ROOT)) {
    // data/ stays out: a server's default DATA_DIR must not be the developer's.
    if (entry === 'build' || entry === 'data') continue
    fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry))
  }
  fs.cpSync(path.join(ROOT, 'build'), path.join(dir, 'build'), { recursive: true })
  serverCwd = dir
  return () => {
    serverCwd = ROOT
    // Removes the links, not what they point to.
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export interface RunningServer {
  url: string
  pid: number
  /** Milliseconds from spawn until /readyz answered 200. */
  readyAfterMs: number
  /** Resident and peak resident memory in bytes (Linux /proc). */
  memory(): { rss: number; peak: number } | null
  /** CPU seconds (user + system) the server has used so far (Linux /proc); NaN elsewhere. */
  cpuSeconds(): number
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

// Only what the server needs: the bench's own variables and a developer's DATABASE_URL must
// not leak into it and change the mode under test.
export function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NODE_OPTIONS']
  const env: Record<string, string> = {}
  for (const key of keep) {
    const value = process.env[key]
    if (value !== undefined) env[key] = value
  }
  return { ...env, NODE_ENV: 'production' as const, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...extra }
}

const live = new Set<ChildProcess>()
/** Ends every server still running (on an interrupted or failed run). */
export function killAll() {
  for (const child of live) child.kill('SIGKILL')
}
/** Counts a child process among those killAll ends, until it exits. */
export function track(child: ChildProcess) {
  live.add(child)
  child.once('exit', () => live.delete(child))
}

export async function startServer(env: Record<string, string>, timeoutMs = 120_000): Promise<RunningServer> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/server/main.ts'], {
    cwd: serverCwd,
    env: serverEnv({ PORT: String(port), APP_URL: url, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  live.add(child)
  // Kept for the error message if it dies; the pipes must be drained either way.
  let output = ''
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000)
  }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let exitCode: number | null | undefined
  void exited.then((code) => {
    exitCode = code
    live.delete(child)
  })

  for (;;) {
    if (exitCode !== undefined) throw new Error(`server exited with ${exitCode} before it was ready:\n${output}`)
    if (performance.now() - started > timeoutMs) {
      child.kill('SIGKILL')
      throw new Error(`server not ready after ${timeoutMs} ms:\n${output}`)
    }
    try {
      const res = await fetch(`${url}/readyz`)
      await res.arrayBuffer()
      if (res.status === 200) break
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  const readyAfterMs = performance.now() - started

  return {
    url,
    pid: child.pid!,
    readyAfterMs,
    memory() {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8')
        const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
        return { rss: kb('VmRSS'), peak: kb('VmHWM') }
      } catch {
        return null
      }
    },
    cpuSeconds() {
      try {
        // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
        const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
        return (Number(fields[11]) + Number(fields[12])) / 100
      } catch {
        return NaN
      }
    },
    async stop() {
      if (exitCode !== undefined) return
      // SIGTERM lets it close the database and release the data-directory lock, which the
      // next step (seeding, or the next server) needs.
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      const code = await exited
      clearTimeout(timer)
      if (code !== 0) process.stderr.write(`bench: server ${child.pid} exited with ${code}\n${output.slice(-2_000)}\n`)
    },
  }
}
