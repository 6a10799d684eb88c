import { runDeadlineReminders } from '../../../app/incidents/deadlines.server.ts'
import type { Services } from '../../../app/lib/context.server.ts'
import { log } from '../../../app/lib/log.server.ts'

// Every 15 minutes: remind of the Circular 20/2017 deadlines (notification, acknowledgement,
// closure report) and of coordination requests past due. Each reminder is sent once, however
// often this runs (the reminder row is the claim), so a retried or overlapping run is harmless.
// The payload is empty: the handler reads the clock and the rows itself.
export async function deadlines(services: Services): Promise<void> {
  const run = await runDeadlineReminders(services)
  if (run.sent.length > 0) log(services.env.LOG_LEVEL, 'info', 'deadline reminders', { count: run.sent.length })
}
