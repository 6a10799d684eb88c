import { eq, sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.ts'
import { loginThrottle } from '../../db/schema/index.ts'

// Failed logins slow an attacker down without locking the real user out for long
// (ASVS 6.3.1): per account, after 5 failures in 15 minutes each further failure blocks the
// account for a doubling delay (30 s … 15 min); per source IP, 30 failures in 15 minutes
// block that address for 15 minutes. A success clears the account's count.
const WINDOW_MS = 15 * 60 * 1000
const ACCOUNT_FREE_FAILURES = 5
const ACCOUNT_BASE_DELAY_MS = 30 * 1000
const ACCOUNT_MAX_DELAY_MS = 15 * 60 * 1000
const IP_MAX_FAILURES = 30
const IP_BLOCK_MS = 15 * 60 * 1000

export const accountKey = (email: string) => `account:${email.toLowerCase()}`
export const ipKey = (ip: string) => `ip:${ip}`

/** Seconds until the key may try again, or 0. */
export async function throttleWait(db: Executor, key: string, now: Date): Promise<number> {
  const [row] = await db.select().from(loginThrottle).where(eq(loginThrottle.key, key))
  if (!row?.blockedUntil || row.blockedUntil <= now) return 0
  return Math.ceil((row.blockedUntil.getTime() - now.getTime()) / 1000)
}

export async function recordFailure(db: Executor, key: string, kind: 'account' | 'ip', now: Date): Promise<void> {
  // Raw sql`` parameters go to the driver untyped: postgres.js rejects Date objects there, so
  // timestamps are passed as ISO strings with an explicit cast.
  const windowStart = sql`${new Date(now.getTime() - WINDOW_MS).toISOString()}::timestamptz`
  const nowSql = sql`${now.toISOString()}::timestamptz`
  // One upsert, so concurrent failures count correctly across instances.
  const [row] = await db
    .insert(loginThrottle)
    .values({ key, failures: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: loginThrottle.key,
      set: {
        failures: sql`case when ${loginThrottle.windowStartedAt} < ${windowStart} then 1 else ${loginThrottle.failures} + 1 end`,
        windowStartedAt: sql`case when ${loginThrottle.windowStartedAt} < ${windowStart} then ${nowSql} else ${loginThrottle.windowStartedAt} end`,
      },
    })
    .returning()
  if (!row) return
  let blockMs = 0
  if (kind === 'account' && row.failures >= ACCOUNT_FREE_FAILURES) {
    blockMs = Math.min(ACCOUNT_BASE_DELAY_MS * 2 ** (row.failures - ACCOUNT_FREE_FAILURES), ACCOUNT_MAX_DELAY_MS)
  }
  if (kind === 'ip' && row.failures >= IP_MAX_FAILURES) blockMs = IP_BLOCK_MS
  if (blockMs > 0) {
    await db
      .update(loginThrottle)
      .set({ blockedUntil: new Date(now.getTime() + blockMs) })
      .where(eq(loginThrottle.key, key))
  }
}

export async function clearFailures(db: Executor, key: string): Promise<void> {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, key))
}
