import autocannon, { type Result } from 'autocannon'
import { log } from './report.ts'
import type { RunningServer } from './server.ts'

// What the scenarios that load the real server share: signing in through the login form, a
// single request, and a timed autocannon run with a warm-up round.

export interface LoadOptions {
  connections: number
  /** Seconds measured. */
  duration: number
  /** Seconds of a first, unmeasured round (0: none). */
  warmup: number
  /** Seconds before autocannon gives up on a response (its default: 10). */
  timeout?: number
}

export async function signIn(server: RunningServer, email: string, password: string): Promise<string> {
  const res = await fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password, redirectTo: '/' }),
  })
  await res.arrayBuffer()
  const cookie = res.headers.get('set-cookie')?.split(';')[0]
  if (res.status !== 302 || !cookie) throw new Error(`sign-in as ${email} failed: HTTP ${res.status}`)
  return cookie
}

export async function status(server: RunningServer, pathname: string, cookie?: string) {
  const res = await fetch(`${server.url}${pathname}`, { redirect: 'manual', headers: cookie ? { cookie } : {} })
  return { status: res.status, body: await res.text() }
}

/** `credentials`: a session cookie, or request headers (a machine's `authorization: Bearer …`). */
export async function load(server: RunningServer, pathname: string, opts: LoadOptions, credentials?: string | Record<string, string>): Promise<Result> {
  const headers: Record<string, string> = typeof credentials === 'string' ? { cookie: credentials } : { ...credentials }
  const options = { url: `${server.url}${pathname}`, connections: opts.connections, headers, ...(opts.timeout ? { timeout: opts.timeout } : {}) }
  // A short first round lets V8 optimise the hot paths and fills the connection pools.
  if (opts.warmup > 0) await autocannon({ ...options, duration: opts.warmup })
  const result = await autocannon({ ...options, duration: opts.duration })
  const failed = result.non2xx + result.errors + result.timeouts
  if (failed > 0) {
    log(`${pathname}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts of ${result.requests.total} ` +
      `(${JSON.stringify(result.statusCodeStats)}): these figures are not clean`)
  }
  return result
}

/**
 * Waits until the server is idle again: its CPU use under 10% over half a second and /readyz
 * (a database round trip) answering in under 200 ms, twice in a row, or `limitSeconds`.
 * Requests a load round gave up on keep the server and the database busy after it ends, and
 * would otherwise be billed to the next round.
 */
export async function settle(server: RunningServer, limitSeconds = 60): Promise<number> {
  const started = performance.now()
  let quiet = 0
  while (quiet < 2 && performance.now() - started < limitSeconds * 1000) {
    const cpu = server.cpuSeconds()
    await new Promise((r) => setTimeout(r, 500))
    const busy = server.cpuSeconds() - cpu
    const probe = performance.now()
    const res = await fetch(`${server.url}/readyz`).catch(() => null)
    await res?.arrayBuffer()
    const idle = (Number.isNaN(busy) || busy < 0.05) && res?.status === 200 && performance.now() - probe < 200
    quiet = idle ? quiet + 1 : 0
  }
  return (performance.now() - started) / 1000
}
