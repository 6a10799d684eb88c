import { eq } from 'drizzle-orm'
import { users } from '../../db/schema/index.ts'
import { requestPasswordReset } from '../auth/password-reset.server.ts'
import type { Services } from '../lib/context.server.ts'
import { loadActor } from '../policy/actor.server.ts'
import { inviteUser } from '../users/users.server.ts'

const DEMO_INVITEE = 'invited@quangninh.demo'

/**
 * Demo only: the foundation's two mails (an invitation and a password reset) go through the
 * real path once, so a fresh `npm start` shows them in the outbox and the notification centre.
 * Runs once per data directory (the invited account marks it done).
 */
export async function seedDemoNotifications(services: Services, orgIds: Map<string, string>) {
  const [done] = await services.db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_INVITEE))
  if (done) return
  const [admin] = await services.db.select({ id: users.id }).from(users).where(eq(users.email, 'admin@vncert.demo'))
  const actor = admin ? await loadActor(services.db, admin.id, services.now()) : null
  if (!actor) return
  await inviteUser(
    { services, actor, ip: null },
    { email: DEMO_INVITEE, name: 'Đỗ Thị Hoa', title: 'Chuyên viên', organisationId: orgIds.get('so-tttt-quang-ninh')!, role: 'responder' },
  )
  await requestPasswordReset({ services, ip: null, userAgent: null }, { email: 'reporter@quangninh.demo' })
}
