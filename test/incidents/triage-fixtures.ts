import crypto from 'node:crypto'
import { and, asc, eq } from 'drizzle-orm'
import { expect } from 'vitest'
import type { Executor } from '../../db/client.ts'
import { incidents, notificationEvents } from '../../db/schema/index.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import { resolveRecipients } from '../../app/notifications/recipients.server.ts'
import type { TlpLabel, UserRole } from '../../app/policy/actor.ts'
import type { Harness } from '../support/harness.ts'
import { makeUser } from '../support/factories.ts'

// The people of the escalation, triage and coordination tests, in the seeded network:
// Quảng Ninh (a Cluster 3 member) reports; Nam Định leads Cluster 3 this year; Hải Phòng is a
// sibling member; Bắc Ninh is in Cluster 1; VNCERT/CC triages.
export const CAST = {
  creator: ['so-tttt-quang-ninh', 'reporter'],
  otherReporter: ['so-tttt-quang-ninh', 'reporter'],
  responder: ['so-tttt-quang-ninh', 'responder'],
  ownAdmin: ['so-tttt-quang-ninh', 'org_admin'],
  leadResponder: ['so-tttt-nam-dinh', 'responder'],
  leadReporter: ['so-tttt-nam-dinh', 'reporter'],
  sibling: ['so-tttt-hai-phong', 'responder'],
  siblingReporter: ['so-tttt-hai-phong', 'reporter'],
  otherCluster: ['so-tttt-bac-ninh', 'responder'],
  analyst: ['vncert', 'cert_analyst'],
  analyst2: ['vncert', 'cert_analyst'],
  certAdmin: ['vncert', 'org_admin'],
  certResponder: ['vncert', 'responder'],
  sysadmin: ['vncert', 'sysadmin'],
} as const satisfies Record<string, [string, UserRole]>
export type Person = keyof typeof CAST

export interface People {
  ids: Record<Person, string>
  emails: Record<Person, string>
  as(person: Person): Promise<ActingContext>
}

export async function castOf(h: Harness): Promise<People> {
  const ids = {} as Record<Person, string>
  const emails = {} as Record<Person, string>
  for (const [person, [slug, role]] of Object.entries(CAST) as [Person, [string, UserRole]][]) {
    const u = await makeUser(h.services.db, h.orgIds.get(slug)!, role, { name: `Test ${person}` })
    ids[person] = u.id
    emails[person] = u.email
  }
  return { ids, emails, as: (person) => h.acting(ids[person]) }
}

let sequence = 0

/** An incident as the core module would have filed it, inserted directly. */
export async function insertIncident(
  db: Executor,
  opts: {
    organisationId: string
    createdBy: string
    tlp?: TlpLabel
    status?: (typeof incidents.$inferInsert)['status']
    submittedAt?: Date | null
    detectedAt?: Date | null
  } & Partial<typeof incidents.$inferInsert>,
) {
  const now = new Date()
  sequence += 1
  const reference = `IR-2099-${String(crypto.randomInt(100000, 999999))}${sequence}`
  const [row] = await db
    .insert(incidents)
    .values({
      reference,
      status: 'new',
      submittedAt: now,
      detectedAt: new Date(now.getTime() - 3600_000),
      tlp: 'AMBER',
      title: `Mã độc trên cổng thông tin ${sequence}`,
      category: 'malware',
      description: 'Phát hiện mã độc trên máy chủ web.',
      reportingOrganisationId: opts.organisationId,
      ...opts,
    })
    .returning()
  return row!
}

export async function incidentRow(db: Executor, id: string) {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id))
  return row!
}

/** Events of one type about one object, oldest first. */
export async function eventsOf(db: Executor, type: string, objectId: string) {
  return db
    .select()
    .from(notificationEvents)
    .where(and(eq(notificationEvents.type, type), eq(notificationEvents.objectId, objectId)))
    .orderBy(asc(notificationEvents.createdAt))
}

/** The users an event would reach, after the policy check and without its actor. */
export async function recipientIdsOf(db: Executor, event: typeof notificationEvents.$inferSelect) {
  return (await resolveRecipients(db, event)).map((r) => r.id)
}

export async function expectCode(promise: Promise<unknown>, code: string, fieldErrors?: Record<string, string[]>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error, `expected a ${code} DomainError`).toMatchObject({ name: 'DomainError', code })
  if (fieldErrors) expect((error as { details: { fieldErrors?: unknown } }).details.fieldErrors).toEqual(fieldErrors)
  return error as { messageKey: string }
}
