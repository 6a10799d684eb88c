import { sendDelivery } from '../../../app/notifications/deliver.server.ts'
import type { JobHandler } from '../../runtime.ts'

// One delivery → one email (claimed by update, so a duplicate job sends nothing).
export const send: JobHandler<'email.send'> = async (services, job) => {
  await sendDelivery(services, job.data.deliveryId, { retryCount: job.retryCount, retryLimit: job.retryLimit })
}
