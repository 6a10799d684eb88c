import { describe, expect, test } from 'vitest'
import { EnvError, loadEnv } from '../../app/env.server.ts'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

describe('environment validation at start-up', () => {
  test('nothing set: embedded demo on port 3000, data in ./data, a generated secret kept there', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csirtnet-env-'))
    try {
      const env = loadEnv({ DATA_DIR: dir })
      expect(env).toMatchObject({ APP_ENV: 'demo', PORT: 3000, APP_URL: 'http://localhost:3000', SEED_DEMO: true })
      expect(env.DATABASE_URL).toBeUndefined()
      expect(env.SESSION_SECRET.length).toBeGreaterThanOrEqual(32)
      expect(loadEnv({ DATA_DIR: dir }).SESSION_SECRET).toBe(env.SESSION_SECRET)
      expect(fs.statSync(path.join(dir, 'session-secret')).mode & 0o077).toBe(0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a bad value stops start-up with a message naming the variable', () => {
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(EnvError)
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => loadEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres/)
    expect(() => loadEnv({ SMTP_URL: 'http://x' })).toThrow(/SMTP_URL/)
  })

  test('production needs PostgreSQL and a session secret, and never seeds demo accounts', () => {
    expect(() => loadEnv({ APP_ENV: 'production' })).toThrow(/DATABASE_URL: is required/)
    expect(() => loadEnv({ DATABASE_URL: 'postgres://db/x' })).toThrow(/SESSION_SECRET: is required/)
    const env = loadEnv({ DATABASE_URL: 'postgres://db/x', SESSION_SECRET: 's'.repeat(40), SEED_DEMO: 'true' })
    expect(env.APP_ENV).toBe('production')
    expect(env.SEED_DEMO).toBe(false)
  })
})
