import { deleteExpiredSessions } from '../../../app/auth/session.server.ts'
import { wipeSettledSecrets } from '../../../app/notifications/deliver.server.ts'
import type { JobHandler } from '../../runtime.ts'

// Hourly housekeeping: sealed one-time links leave the database once their mail is settled;
// expired sessions go.
export const cleanup: JobHandler<'maintenance.cleanup'> = async (services) => {
  await wipeSettledSecrets(services)
  await deleteExpiredSessions(services.db, services.now())
}
