import { defineConfig } from 'drizzle-kit'

// Migrations are generated from the one pg-core schema and applied by both drivers
// (postgres.js and PGlite); see docs/decisions/002-two-mode-database.md.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
  casing: 'snake_case',
})
