import { queueDigests } from '../../../app/notifications/digest.server.ts'
import type { JobHandler } from '../../runtime.ts'

// Daily: one digest email per user who chose digests and has something waiting.
export const digest: JobHandler<'notifications.digest'> = async (services) => {
  await queueDigests(services)
}
