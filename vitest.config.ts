import { defineConfig } from 'vitest/config'

// The suite runs against embedded PGlite by default and against PostgreSQL when
// TEST_DATABASE_URL is set; each test file gets its own database (see test/support/db.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'app/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
})
