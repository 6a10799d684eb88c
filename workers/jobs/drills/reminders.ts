import { runDrillReminders } from '../../../app/drills/reminders.server.ts'
import type { Services } from '../../../app/lib/context.server.ts'
import { log } from '../../../app/lib/log.server.ts'

// Every 15 minutes: drill registration closing soon, and 7 days / 1 day before the start. Each
// reminder row is its own claim (app/drills/reminders.server.ts), so an overlapping or retried
// run sends nothing twice. The payload is empty: the handler reads the clock and the rows.
export async function drillReminders(services: Services): Promise<void> {
  const run = await runDrillReminders(services)
  if (run.sent.length > 0) log(services.env.LOG_LEVEL, 'info', 'drill reminders', { count: run.sent.length })
}
