import { and, asc, eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Executor } from '../../db/client.ts'
import { contactPoints, organisations } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { DomainError } from '../lib/errors.ts'
import { checkbox, optionalEmail, optionalText, requiredText, validate } from '../lib/forms.ts'
import { authorize } from '../policy/policy.server.ts'
import { fieldError, parseId, phoneField } from './shared.server.ts'

// Đầu mối ứng cứu sự cố: each organisation's incident-response points of contact. Circular
// 20/2017 asks members to report a change within 24 hours, so every point shows when it was
// last updated. The form's names carry a `contact` prefix because the organisation page also
// holds the organisation's own email and phone fields.

export const ContactPointSchema = z.object({
  contactName: requiredText(200),
  contactTitle: optionalText(200),
  contactEmail: optionalEmail(),
  contactPhone: phoneField(),
  contact24x7: checkbox(),
  contactPriority: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : '1'))
    .pipe(z.string().regex(/^[1-9][0-9]?$/, 'validation.invalid'))
    .transform(Number),
})

const toColumns = (v: z.output<typeof ContactPointSchema>) => ({
  name: v.contactName,
  title: v.contactTitle,
  email: v.contactEmail,
  phone: v.contactPhone,
  available24x7: v.contact24x7,
  priority: v.contactPriority,
})

function validContact(input: unknown) {
  const values = validate(ContactPointSchema, input)
  // A point of contact nobody can reach is no point of contact.
  if (!values.contactEmail && !values.contactPhone) throw fieldError('contactEmail', 'orgs.validation.contactMeans')
  return toColumns(values)
}

export async function contactPointsOf(db: Executor, organisationId: string) {
  return db
    .select({
      id: contactPoints.id,
      name: contactPoints.name,
      title: contactPoints.title,
      email: contactPoints.email,
      phone: contactPoints.phone,
      available24x7: contactPoints.available24x7,
      priority: contactPoints.priority,
      updatedAt: contactPoints.updatedAt,
    })
    .from(contactPoints)
    .where(eq(contactPoints.organisationId, organisationId))
    .orderBy(asc(contactPoints.priority), asc(contactPoints.name))
}

async function assertOrganisation(tx: Executor, organisationId: string) {
  const [org] = await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, organisationId))
  if (!org) throw new DomainError('not_found')
}

export async function addContactPoint(acting: ActingContext, rawOrganisationId: string, input: unknown) {
  const organisationId = parseId(rawOrganisationId)
  authorize(acting.actor, { action: 'organisation.editContacts', organisationId })
  const values = validContact(input)
  return acting.services.db.transaction(async (tx) => {
    await assertOrganisation(tx, organisationId)
    const [row] = await tx.insert(contactPoints).values({ organisationId, ...values }).returning({ id: contactPoints.id })
    await auditAs(tx, acting, {
      action: 'contact_point.created',
      objectType: 'contact_point',
      objectId: row!.id,
      objectOrganisationId: organisationId,
      details: values,
    })
    return { id: row!.id }
  })
}

export async function updateContactPoint(acting: ActingContext, rawOrganisationId: string, rawContactId: unknown, input: unknown) {
  const organisationId = parseId(rawOrganisationId)
  authorize(acting.actor, { action: 'organisation.editContacts', organisationId })
  const contactId = parseId(rawContactId)
  const values = validContact(input)
  return acting.services.db.transaction(async (tx) => {
    // Scoped to the organisation in the URL: a contact id of another organisation is not found.
    const [before] = await tx
      .select()
      .from(contactPoints)
      .where(and(eq(contactPoints.id, contactId), eq(contactPoints.organisationId, organisationId)))
      .for('update')
    if (!before) throw new DomainError('not_found')
    await tx.update(contactPoints).set(values).where(eq(contactPoints.id, contactId))
    const changed = (Object.keys(values) as (keyof typeof values)[]).filter((k) => before[k] !== values[k])
    await auditAs(tx, acting, {
      action: 'contact_point.updated',
      objectType: 'contact_point',
      objectId: contactId,
      objectOrganisationId: organisationId,
      details: Object.fromEntries(changed.map((k) => [k, { from: before[k], to: values[k] }])),
    })
    return { id: contactId }
  })
}

export async function removeContactPoint(acting: ActingContext, rawOrganisationId: string, rawContactId: unknown) {
  const organisationId = parseId(rawOrganisationId)
  authorize(acting.actor, { action: 'organisation.editContacts', organisationId })
  const contactId = parseId(rawContactId)
  return acting.services.db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(contactPoints)
      .where(and(eq(contactPoints.id, contactId), eq(contactPoints.organisationId, organisationId)))
      .returning()
    if (!removed) throw new DomainError('not_found')
    await auditAs(tx, acting, {
      action: 'contact_point.removed',
      objectType: 'contact_point',
      objectId: contactId,
      objectOrganisationId: organisationId,
      details: { name: removed.name, email: removed.email, phone: removed.phone },
    })
    return { id: contactId }
  })
}
