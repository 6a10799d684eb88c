import { fanOutEvent } from '../../../app/notifications/fanout.server.ts'
import type { JobHandler } from '../../runtime.ts'

// One event → in-app notifications and email deliveries (idempotent by unique keys).
export const fanout: JobHandler<'notifications.fanout'> = async (services, job) => {
  await fanOutEvent(services, job.data.eventId)
}
