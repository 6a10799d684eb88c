import fs from 'node:fs'
import path from 'node:path'
import semver from 'semver'
import { describe, expect, it } from 'vitest'

// Minimum versions from the security notes (advisories fixed in these releases). Copied here
// on purpose: the check must not depend on files outside the repository at run time.
// `npm audit` gets no answer from the registry this project uses, so the lockfile is checked.
const MINIMUMS: { name: string | RegExp; min: string; why: string; required: boolean }[] = [
  { name: /^@remix-run\//, min: '2.17.5', why: 'CSRF on action POSTs, open redirects, meta XSS, host spoofing', required: true },
  { name: 'hono', min: '4.13.5', why: 'body-limit bypass, forwarded-header spoofing, serveStatic bypass, cookie attribute injection, CORS with credentials', required: true },
  { name: '@hono/node-server', min: '1.19.13', why: 'serveStatic path handling', required: true },
  { name: 'nodemailer', min: '9.0.1', why: 'raw-message file access, CRLF injection', required: false },
  { name: 'drizzle-orm', min: '0.45.2', why: 'identifier escaping', required: true },
]

// Libraries under @remix-run/ that are released on their own version line (the router and
// the web-std polyfills), not the Remix framework packages the minimum is about.
const SEPARATELY_VERSIONED_REMIX = /^@remix-run\/(router|web-[a-z-]+|node-fetch-server)$/

// Packages that must not be installed at all: `remix` is the old meta-package (its name now
// belongs to Remix v3), `lucia` is deprecated by its author and replaced by our own sessions.
const FORBIDDEN = ['remix', 'lucia']

const root = path.resolve(import.meta.dirname, '../..')
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number
  packages: Record<string, { version?: string; link?: boolean }>
}
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
}

/** Every installed copy (hoisted or nested) as [name, version]. */
const installed: [string, string][] = Object.entries(lock.packages).flatMap(([key, entry]) => {
  const at = key.lastIndexOf('node_modules/')
  if (at < 0 || !entry.version) return []
  return [[key.slice(at + 'node_modules/'.length), entry.version] as [string, string]]
})

const matches = (pattern: string | RegExp, name: string) =>
  typeof pattern === 'string' ? name === pattern : pattern.test(name) && !SEPARATELY_VERSIONED_REMIX.test(name)

describe('the dependency versions in package-lock.json', () => {
  it('come from a lockfile npm 7+ wrote, with a packages map', () => {
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2)
    expect(Object.keys(lock.packages).length).toBeGreaterThan(10)
  })

  for (const { name, min, why, required } of MINIMUMS) {
    it(`have ${String(name)} at ${min} or later (${why})`, () => {
      const copies = installed.filter(([pkg]) => matches(name, pkg))
      if (required) expect(copies.length, `${String(name)} is expected to be installed`).toBeGreaterThan(0)
      const tooOld = copies.filter(([, version]) => !semver.valid(version) || semver.lt(version, min))
      expect(tooOld, `copies older than ${min}`).toEqual([])
    })
  }

  it('include the Remix framework packages the minimum is about', () => {
    const names = installed.map(([pkg]) => pkg)
    for (const pkg of ['@remix-run/node', '@remix-run/react', '@remix-run/server-runtime', '@remix-run/dev']) {
      expect(names).toContain(pkg)
    }
  })

  it('are not undercut by package.json ranges that would allow an older release', () => {
    const declared = { ...manifest.dependencies, ...manifest.devDependencies, ...manifest.optionalDependencies }
    for (const [pkg, range] of Object.entries(declared)) {
      const rule = MINIMUMS.find((m) => matches(m.name, pkg))
      if (!rule) continue
      const lowest = semver.minVersion(range)
      expect(lowest && semver.gte(lowest, rule.min), `${pkg}@${range} allows a release older than ${rule.min}`).toBe(true)
    }
  })

  it(`never include ${FORBIDDEN.join(' or ')}, directly or through another package`, () => {
    const declared = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.optionalDependencies })
    expect(declared.filter((pkg) => FORBIDDEN.includes(pkg))).toEqual([])
    expect(installed.filter(([pkg]) => FORBIDDEN.includes(pkg))).toEqual([])
  })
})
