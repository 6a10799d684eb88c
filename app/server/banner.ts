import type { DemoAccount } from '../../db/seed.ts'
import type { Env } from '../env.server.ts'

export function printBanner(env: Env, driver: string, demoAccounts: DemoAccount[], startupMs: number) {
  const lines = [
    '',
    `CSIRT Net is serving ${env.APP_URL} (${env.APP_ENV} mode)`,
    `  database: ${driver === 'pglite' ? `embedded PGlite in ${env.DATA_DIR}` : 'PostgreSQL (DATABASE_URL)'}`,
    `  started in ${(startupMs / 1000).toFixed(1)} s`,
  ]
  if (demoAccounts.length) {
    lines.push('', '  Demo accounts (password for all: ' + demoAccounts[0]!.password + '):')
    for (const a of demoAccounts) lines.push(`    ${a.email.padEnd(26)} ${a.role.padEnd(13)} ${a.what}`)
  }
  console.log(lines.join('\n') + '\n')
}
