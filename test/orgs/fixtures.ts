import { and, eq } from 'drizzle-orm'
import { expect } from 'vitest'
import { auditLog } from '../../db/schema/index.ts'
import type { ActingContext } from '../../app/lib/context.server.ts'
import type { UserRole } from '../../app/policy/actor.ts'
import type { Harness } from '../support/harness.ts'
import { makeOrganisation, makeUser } from '../support/factories.ts'

// One person per role the rules distinguish: a member organisation's reporter, responder and
// admin; another member organisation's admin; the national CERT's analyst, admin and sysadmin.
export const PEOPLE = ['reporter', 'responder', 'ownAdmin', 'otherAdmin', 'analyst', 'certAdmin', 'sysadmin'] as const
export type Person = (typeof PEOPLE)[number]

export interface Cast {
  ownOrgId: string
  otherOrgId: string
  certOrgId: string
  users: Record<Person, { id: string; email: string }>
  as(person: Person): Promise<ActingContext>
}

export async function castOf(h: Harness): Promise<Cast> {
  const db = h.services.db
  const ownOrgId = (await makeOrganisation(db)).id
  const otherOrgId = (await makeOrganisation(db)).id
  const certOrgId = h.orgIds.get('vncert')!
  const spec: Record<Person, [string, UserRole]> = {
    reporter: [ownOrgId, 'reporter'],
    responder: [ownOrgId, 'responder'],
    ownAdmin: [ownOrgId, 'org_admin'],
    otherAdmin: [otherOrgId, 'org_admin'],
    analyst: [certOrgId, 'cert_analyst'],
    certAdmin: [certOrgId, 'org_admin'],
    sysadmin: [certOrgId, 'sysadmin'],
  }
  const users = {} as Cast['users']
  for (const person of PEOPLE) {
    const [orgId, role] = spec[person]
    const u = await makeUser(db, orgId, role)
    users[person] = { id: u.id, email: u.email }
  }
  return { ownOrgId, otherOrgId, certOrgId, users, as: (person) => h.acting(users[person].id) }
}

export async function expectCode(promise: Promise<unknown>, code: string, fieldErrors?: Record<string, string[]>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error, `expected a ${code} DomainError`).toMatchObject({ name: 'DomainError', code })
  if (fieldErrors) expect((error as { details: { fieldErrors?: unknown } }).details.fieldErrors).toEqual(fieldErrors)
}

export async function auditEntries(h: Harness, action: string, objectId: string) {
  return h.services.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.objectId, objectId)))
}
