import { defineConfig } from 'vitest/config'

// Browser journeys: the real production server (build/ served by app/server/main.ts) driven by
// Chromium through playwright-core. Run with `npm run test:e2e`, which builds first. The server
// uses a fresh PGlite data directory, or a fresh database on E2E_DATABASE_URL's PostgreSQL.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    pool: 'forks',
    // Two workers keep the server, the browsers and argon2 sign-ins from starving two cores.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
  },
})
