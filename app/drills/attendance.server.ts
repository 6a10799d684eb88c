import { and, asc, eq, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Executor } from '../../db/client.ts'
import { drillRegistrations, organisations, users } from '../../db/schema/index.ts'
import { auditAs } from '../audit/audit.server.ts'
import { i18nFor, type Locale } from '../i18n/i18n.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { csvDocument, csvLine, isoInZone } from '../lib/csv.ts'
import { calendarDate, DEFAULT_TIME_ZONE } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { validate } from '../lib/forms.ts'
import { authorize, can } from '../policy/policy.server.ts'
import { getVisibleDrill } from './access.server.ts'
import { AttendanceSchema } from './schemas.ts'

// Attendance (issue 6, "during and after"): the organisers mark each confirmed registrant
// attended or absent from the start of the drill on, and may correct it after it ends. The
// participant list with its attendance is exported as CSV for the organisers, audited as a
// sensitive read (it names people and their addresses).

const markedBy = alias(users, 'marked_by')

/** Registrations on the sheet: everyone who holds or awaits a place (not the cancelled). */
async function participantRows(db: Executor, drillId: string) {
  return db
    .select({
      id: drillRegistrations.id,
      userName: users.name,
      email: users.email,
      organisationId: drillRegistrations.organisationId,
      organisationName: organisations.shortName,
      role: drillRegistrations.role,
      status: drillRegistrations.status,
      attendance: drillRegistrations.attendance,
      attendanceMarkedAt: drillRegistrations.attendanceMarkedAt,
      attendanceMarkedByName: markedBy.name,
    })
    .from(drillRegistrations)
    .innerJoin(users, eq(users.id, drillRegistrations.userId))
    .innerJoin(organisations, eq(organisations.id, drillRegistrations.organisationId))
    .leftJoin(markedBy, eq(markedBy.id, drillRegistrations.attendanceMarkedBy))
    .where(and(eq(drillRegistrations.drillId, drillId), sql`${drillRegistrations.status} <> 'cancelled'`))
    .orderBy(asc(organisations.shortName), asc(drillRegistrations.position))
}

/**
 * The attendance sheet: the drill's confirmed registrants with their attendance, for its
 * organisers (404 if the drill is not visible, 403 for everyone else who sees it).
 */
export async function getAttendanceSheet(acting: ActingContext, rawDrillId: unknown) {
  const { row, facts } = await getVisibleDrill(acting, rawDrillId)
  authorize(acting.actor, { action: 'drill.exportParticipants', drill: facts })
  const rows = await participantRows(acting.services.db, row.id)
  return {
    drill: { id: row.id, title: row.title, status: row.status, tlp: row.tlp },
    registrants: rows.filter((r) => r.status === 'confirmed'),
    counts: {
      confirmed: rows.filter((r) => r.status === 'confirmed').length,
      attended: rows.filter((r) => r.attendance === 'attended').length,
      absent: rows.filter((r) => r.attendance === 'absent').length,
    },
    can: { mark: can(acting.actor, { action: 'drill.recordAttendance', drill: facts }) },
  }
}

/** Marks one confirmed registrant attended or absent (policy `drill.recordAttendance`), audited. */
export async function markAttendance(acting: ActingContext, rawDrillId: unknown, input: unknown) {
  const { registrationId, attendance } = validate(AttendanceSchema, input)
  const now = acting.services.now()
  return acting.services.db.transaction(async (tx) => {
    const { row, facts } = await getVisibleDrill(acting, rawDrillId, tx)
    authorize(acting.actor, { action: 'drill.recordAttendance', drill: facts })
    const [registration] = await tx
      .select()
      .from(drillRegistrations)
      .where(and(eq(drillRegistrations.id, registrationId), eq(drillRegistrations.drillId, row.id)))
    if (!registration) throw new DomainError('not_found')
    // Only someone who held a place can have attended; a waitlisted or cancelled sign-up cannot.
    if (registration.status !== 'confirmed') throw new DomainError('conflict', 'drills.errors.notConfirmed')
    await tx
      .update(drillRegistrations)
      .set({ attendance, attendanceMarkedBy: acting.actor.userId, attendanceMarkedAt: now, updatedAt: now })
      .where(eq(drillRegistrations.id, registration.id))
    await auditAs(tx, acting, {
      action: 'drill.attendance_marked',
      objectType: 'drill',
      objectId: row.id,
      objectOrganisationId: registration.organisationId,
      details: { registrationId: registration.id, userId: registration.userId, attendance, from: registration.attendance },
    })
    return { id: registration.id, attendance }
  })
}

const CSV_COLUMNS = ['person', 'email', 'organisation', 'role', 'status', 'attendance', 'attendanceMarkedAt', 'attendanceMarkedBy'] as const

export interface ParticipantsCsvOptions {
  timeZone?: string
  locale?: Locale
}

/** The participant list with attendance as CSV (organisers only), and the audit entry recording the read. */
export async function exportParticipantsCsv(acting: ActingContext, rawDrillId: unknown, options: ParticipantsCsvOptions = {}) {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE
  const locale = options.locale ?? 'vi'
  const t = i18nFor(locale).getFixedT(locale)
  const { row, facts } = await getVisibleDrill(acting, rawDrillId)
  authorize(acting.actor, { action: 'drill.exportParticipants', drill: facts })
  // The read and its audit entry in one transaction, as the incident export does.
  const rows = await acting.services.db.transaction(async (tx) => {
    const read = await participantRows(tx, row.id)
    await auditAs(tx, acting, {
      action: 'drill.participants_exported',
      objectType: 'drill',
      objectId: row.id,
      objectOrganisationId: row.organiserOrganisationId,
      details: { format: 'csv', rowCount: read.length },
    })
    return read
  })
  const lines = [csvLine(CSV_COLUMNS.map((c) => t(`drills.csv.${c}`)))]
  for (const r of rows) {
    lines.push(
      csvLine([
        r.userName,
        r.email,
        r.organisationName,
        t(`drills.roles.${r.role}`),
        t(`drills.registrationStatuses.${r.status}`),
        r.attendance ? t(`drills.attendance.${r.attendance}`) : '',
        isoInZone(r.attendanceMarkedAt, timeZone),
        r.attendanceMarkedByName ?? '',
      ]),
    )
  }
  return { body: csvDocument(lines), rowCount: rows.length, filename: `drill-participants-${calendarDate(acting.services.now(), timeZone)}.csv` }
}

/** The participating organisations of a drill: those with a confirmed registrant, and the organiser's. */
export async function participatingOrganisations(db: Executor, drillId: string, organiserOrganisationId: string) {
  const rows = await db
    .selectDistinct({ id: organisations.id, name: organisations.shortName })
    .from(organisations)
    .leftJoin(drillRegistrations, and(eq(drillRegistrations.organisationId, organisations.id), eq(drillRegistrations.drillId, drillId), eq(drillRegistrations.status, 'confirmed')))
    .where(sql`${drillRegistrations.id} is not null or ${organisations.id} = ${organiserOrganisationId}`)
    .orderBy(asc(organisations.shortName))
  return rows
}
