import { and, eq, exists, inArray, or, sql, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import { accessGrants, auditLog, drillOrganisations, drills, incidents, indicators, organisations, users } from '../../db/schema/index.ts'
import { AFTER_ACTION_OPEN, REGISTRATIONS_OPEN_TO_CHANGE, type DrillLevel, type DrillRole, type DrillScope, type DrillStatus } from '../drills/lifecycle.ts'
import type { IncidentStatus, Transition } from '../incidents/lifecycle.ts'
import { DomainError } from '../lib/errors.ts'
import type { Actor, TlpLabel, UserRole } from './actor.ts'

// The one authorization layer. Every domain module asks here — "may this actor do A to R?"
// (`can`/`authorize`) and "which R may this actor see?" (the *Where functions, SQL conditions so
// that lists, counts and searches are filtered in the database). The rules in words and as a
// table: docs/decisions/004-visibility-rules.md. Keep the two forms of each rule side by side.

const TRUE = sql`true`
const FALSE = sql`false`

export const isSysadmin = (a: Actor) => a.role === 'sysadmin'
export const isNationalCert = (a: Actor) => a.organisationKind === 'national_cert'
/** National-CERT staff who triage and coordinate (not its reporters, not sysadmins). */
export const isNationalCertStaff = (a: Actor) =>
  isNationalCert(a) && (a.role === 'cert_analyst' || a.role === 'org_admin' || a.role === 'responder')
/** Staff of a cluster lead/deputy organisation who coordinate the cluster's members. */
export const isClusterCoordinator = (a: Actor) =>
  a.officerOf.length > 0 && (a.role === 'responder' || a.role === 'org_admin')

// ---------------------------------------------------------------------------------------------
// Actions on resources

export type Action =
  | { action: 'organisation.view' }
  | { action: 'organisation.create' }
  | { action: 'organisation.update'; organisationId: string }
  | { action: 'organisation.merge' }
  | { action: 'organisation.editContacts'; organisationId: string }
  | { action: 'cluster.view' }
  | { action: 'cluster.manage' }
  | { action: 'user.list' }
  | { action: 'user.invite'; organisationId: string; organisationKind: Actor['organisationKind']; role: UserRole }
  | {
      action: 'user.manage'
      organisationId: string
      organisationKind: Actor['organisationKind']
      role: UserRole
      userId: string
    }
  | { action: 'audit.view' }
  | { action: 'notifications.operate' }
  | { action: 'notifications.setOrganisationDefaults'; organisationId: string }
  | { action: 'tlp.view'; item: TlpItem }
  | { action: 'incident.create' }
  | { action: 'incident.view'; incident: IncidentFacts }
  | { action: 'incident.edit'; incident: IncidentFacts }
  | { action: 'incident.comment'; incident: IncidentFacts }
  | { action: 'incident.attach'; incident: IncidentFacts }
  | { action: 'incident.transition'; incident: IncidentFacts; transition: Transition }
  | { action: 'incident.assign'; incident: IncidentFacts }
  | { action: 'incident.escalate'; incident: IncidentFacts }
  | { action: 'incident.provideInfo'; incident: IncidentFacts }
  | { action: 'incident.triage'; incident: IncidentFacts }
  | { action: 'incident.triageQueue' }
  | { action: 'incident.requestCoordination'; incident: IncidentFacts }
  | { action: 'coordination.respond'; organisationId: string }
  /** Asking this organisation, through a coordination request, to act on this incident. */
  | { action: 'coordination.requestFrom'; organisationId: string; incident: IncidentFacts }
  | { action: 'indicator.create' }
  /** Adding warninglists and switching them off (the shipped ones are data, not editable). */
  | { action: 'warninglist.manage' }
  /** Creating, listing and revoking an organisation's API tokens. */
  | { action: 'apiToken.manage'; organisationId: string }
  | { action: 'indicator.view'; indicator: IndicatorFacts }
  | { action: 'indicator.sight'; indicator: IndicatorFacts }
  | { action: 'indicator.linkIncident'; indicator: IndicatorFacts; incident: IncidentFacts }
  /** An import of indicators (its progress, preview and summary), and confirming or dropping it. */
  | { action: 'indicatorImport.view'; import: ImportFacts }
  | { action: 'indicatorImport.manage'; import: ImportFacts }
  | { action: 'drill.create'; level: DrillLevel; clusterId: string | null }
  | { action: 'drill.view'; drill: DrillFacts }
  | { action: 'drill.manage'; drill: DrillFacts }
  | { action: 'drill.viewScenario'; drill: DrillFacts; now: Date }
  | { action: 'drill.register'; drill: DrillFacts; role: DrillRole; now: Date }
  | { action: 'drill.registerStaff'; drill: DrillFacts; role: DrillRole; now: Date; staff: { organisationId: string } }
  | { action: 'drill.cancelRegistration'; drill: DrillFacts; registration: RegistrationFacts }
  | { action: 'drill.approveRegistration'; drill: DrillFacts; registration: RegistrationFacts }
  | { action: 'drill.recordAttendance'; drill: DrillFacts }
  | { action: 'drill.exportParticipants'; drill: DrillFacts }
  /** `mine`: the actor's own live registration on the drill, if any (an evaluator records too). */
  | { action: 'drill.recordObservation'; drill: DrillFacts; mine: { role: DrillRole; status: RegistrationFacts['status'] } | null }
  | { action: 'drill.writeReport'; drill: DrillFacts }
  | { action: 'drill.viewReport'; drill: DrillFacts; report: ReportFacts }
  | { action: 'drill.updateActionItem'; drill: DrillFacts; report: ReportFacts; item: { ownerOrganisationId: string } }

/** Roles an actor may hand out to a user of the given organisation. */
export function assignableRoles(actor: Actor, organisationId: string, kind: Actor['organisationKind']): UserRole[] {
  const memberRoles: UserRole[] = ['reporter', 'responder', 'org_admin']
  const forOrg: UserRole[] = kind === 'national_cert' ? [...memberRoles, 'cert_analyst', 'sysadmin'] : memberRoles
  if (isSysadmin(actor)) return forOrg
  if (actor.role === 'org_admin' && actor.organisationId === organisationId) {
    // An organisation admin cannot mint system administrators.
    return forOrg.filter((r) => r !== 'sysadmin')
  }
  return []
}

export function can(actor: Actor, request: Action): boolean {
  switch (request.action) {
    case 'organisation.view':
    case 'cluster.view':
      return true
    case 'organisation.create':
    case 'organisation.merge':
      return isSysadmin(actor)
    case 'organisation.update':
      return isSysadmin(actor)
    case 'organisation.editContacts':
      return isSysadmin(actor) || (actor.role === 'org_admin' && actor.organisationId === request.organisationId)
    case 'cluster.manage':
      return isSysadmin(actor) || (isNationalCert(actor) && actor.role === 'org_admin')
    case 'user.list':
    case 'audit.view':
      return isSysadmin(actor) || actor.role === 'org_admin'
    case 'user.invite':
      return assignableRoles(actor, request.organisationId, request.organisationKind).includes(request.role)
    case 'user.manage':
      // Nobody changes their own role or deactivates themselves: that is how installations lose
      // their last administrator.
      if (request.userId === actor.userId) return false
      if (isSysadmin(actor)) return true
      return (
        actor.role === 'org_admin' &&
        actor.organisationId === request.organisationId &&
        request.role !== 'sysadmin' &&
        assignableRoles(actor, request.organisationId, request.organisationKind).includes(request.role)
      )
    case 'notifications.operate':
      // Queue depth, failed deliveries, retries and the outbox: mail can hold one-time links.
      return isSysadmin(actor)
    case 'notifications.setOrganisationDefaults':
      return isSysadmin(actor) || (actor.role === 'org_admin' && actor.organisationId === request.organisationId)
    case 'tlp.view':
      return canSeeTlpItem(actor, request.item)
    case 'incident.create':
      // Administrators administer; incidents are filed by an organisation's staff.
      return actor.role !== 'sysadmin'
    case 'incident.view':
      return canSeeIncident(actor, request.incident)
    case 'incident.edit':
      return canEditIncident(actor, request.incident)
    case 'incident.comment':
      return request.incident.status !== 'draft' && canSeeIncident(actor, request.incident)
    case 'incident.attach':
      return canSeeIncident(actor, request.incident) && request.incident.status !== 'closed' && isInvolved(actor, request.incident)
    case 'incident.transition':
      return canTransition(actor, request.incident, request.transition)
    case 'incident.assign':
      return request.incident.status !== 'draft' && handles(actor, request.incident)
    case 'incident.escalate': {
      const inc = request.incident
      if (inc.status === 'draft' || inc.status === 'closed') return false
      if (inc.triageStatus === 'pending' || inc.triageStatus === 'accepted' || inc.triageStatus === 'info_requested') return false
      return (
        (isOwnerStaff(actor, inc) && (isResponderOrAdmin(actor) || inc.createdBy === actor.userId)) ||
        (isClusterCoordinator(actor) && actor.coordinatedOrganisationIds.includes(inc.reportingOrganisationId))
      )
    }
    case 'incident.provideInfo':
      return request.incident.triageStatus === 'info_requested' && isOwnerStaff(actor, request.incident)
    case 'incident.triage':
      return (
        isNationalCertTriager(actor) &&
        (request.incident.triageStatus === 'pending' || request.incident.triageStatus === 'info_requested') &&
        canSeeIncident(actor, request.incident)
      )
    case 'incident.triageQueue':
      return isNationalCertTriager(actor)
    case 'incident.requestCoordination':
      return (
        request.incident.status !== 'draft' &&
        request.incident.status !== 'closed' &&
        canSeeIncident(actor, request.incident) &&
        (isNationalCertTriager(actor) || coordinatesOwner(actor, request.incident))
      )
    case 'coordination.respond':
      return actor.organisationId === request.organisationId && isResponderOrAdmin(actor)
    case 'coordination.requestFrom': {
      if (request.organisationId === actor.organisationId) return false
      if (!can(actor, { action: 'incident.requestCoordination', incident: request.incident })) return false
      // The national CERT coordinates the whole network. A cluster's lead and deputy ask the
      // cluster's other members for support; beyond the cluster, they escalate to the national
      // CERT, which may then coordinate anyone.
      if (isNationalCertTriager(actor)) return true
      return actor.coordinatedOrganisationIds.includes(request.organisationId) && request.organisationId !== request.incident.reportingOrganisationId
    }
    case 'warninglist.manage':
      // The installation's administrator and the national CERT's analysts and admins, who see
      // the whole network's false positives; a machine never.
      return !actor.apiTokenId && (actor.role === 'sysadmin' || (isNationalCert(actor) && (actor.role === 'cert_analyst' || actor.role === 'org_admin')))
    case 'apiToken.manage':
      // An organisation's admin, for the organisation; never a token minting tokens.
      return actor.role === 'org_admin' && actor.organisationId === request.organisationId && !actor.apiTokenId
    case 'indicator.create':
      return sharesIndicators(actor)
    case 'indicator.view':
      return canSeeIndicator(actor, request.indicator)
    case 'indicator.sight':
      return sharesIndicators(actor) && canSeeIndicator(actor, request.indicator)
    case 'indicator.linkIncident':
      // Linking states "this indicator belongs to that incident": the actor must see both sides.
      return sharesIndicators(actor) && canSeeIndicator(actor, request.indicator) && canSeeIncident(actor, request.incident)
    case 'indicatorImport.view':
      // The organisation's analysts see its imports (an import speaks for the organisation); a
      // token only those made through it.
      return (
        actor.organisationId === request.import.organisationId &&
        (sharesIndicators(actor) || actor.userId === request.import.createdBy) &&
        (!actor.apiTokenId || request.import.apiTokenId === actor.apiTokenId)
      )
    case 'indicatorImport.manage':
      // Whoever uploaded it, or the organisation's admin.
      return (
        actor.organisationId === request.import.organisationId &&
        (actor.userId === request.import.createdBy || actor.role === 'org_admin') &&
        (!actor.apiTokenId || request.import.apiTokenId === actor.apiTokenId)
      )
    case 'drill.create':
      return canOrganise(actor, request.level, request.clusterId)
    case 'drill.view':
      return canSeeDrill(actor, request.drill)
    case 'drill.manage':
      return canManageDrill(actor, request.drill)
    case 'drill.viewScenario':
      return (
        canManageDrill(actor, request.drill) ||
        (canSeeDrill(actor, request.drill) && (!request.drill.scenarioConfidential || drillStarted(request.drill, request.now)))
      )
    case 'drill.register':
      // Administrators administer; drills are for an organisation's staff.
      return actor.role !== 'sysadmin' && canSignUp(actor, request.drill, request.role, request.now)
    case 'drill.registerStaff':
      // An organisation admin signs up their own staff (issue 6: "register and approve their staff").
      return (
        actor.role === 'org_admin' &&
        actor.organisationId === request.staff.organisationId &&
        canSignUp(actor, request.drill, request.role, request.now)
      )
    case 'drill.cancelRegistration': {
      const { drill, registration } = request
      if (registration.status === 'cancelled' || !REGISTRATIONS_OPEN_TO_CHANGE.includes(drill.status)) return false
      return (
        registration.userId === actor.userId ||
        (actor.role === 'org_admin' && actor.organisationId === registration.organisationId) ||
        canManageDrill(actor, drill)
      )
    }
    case 'drill.approveRegistration':
      return (
        request.registration.status === 'pending_approval' &&
        REGISTRATIONS_OPEN_TO_CHANGE.includes(request.drill.status) &&
        actor.role === 'org_admin' &&
        actor.organisationId === request.registration.organisationId
      )
    case 'drill.recordAttendance':
    case 'drill.writeReport':
      // From the start of the drill on, and after it ends: attendance is taken on the day and
      // corrected afterwards; the report is drafted during the hotwash (NIST SP 800-84).
      return AFTER_ACTION_OPEN.includes(request.drill.status) && canManageDrill(actor, request.drill)
    case 'drill.exportParticipants':
      // The list names people and their contacts: for the organisers alone.
      return canManageDrill(actor, request.drill)
    case 'drill.recordObservation':
      return (
        AFTER_ACTION_OPEN.includes(request.drill.status) &&
        (canManageDrill(actor, request.drill) || (request.mine?.role === 'evaluator' && request.mine.status === 'confirmed' && canSeeDrill(actor, request.drill)))
      )
    case 'drill.viewReport':
      return canSeeReport(actor, request.drill, request.report)
    case 'drill.updateActionItem':
      // The owner organisation's admin reports its own item done, once the report reached it.
      return (
        canManageDrill(actor, request.drill) ||
        (actor.role === 'org_admin' && actor.organisationId === request.item.ownerOrganisationId && canSeeReport(actor, request.drill, request.report))
      )
  }
}

/** Throws a 403 DomainError unless `can` says yes. */
export function authorize(actor: Actor, request: Action): void {
  if (!can(actor, request)) throw new DomainError('forbidden')
}

// ---------------------------------------------------------------------------------------------
// TLP 2.0 (FIRST), as the network applies it. Every shared object (incident, indicator,
// drill…) has an owner organisation, a creator and a label; access_grants adds named users
// (TLP:RED recipients) and organisations (e.g. the national CERT on escalation).

export interface TlpItem {
  tlp: TlpLabel
  ownerOrganisationId: string
  createdBy: string | null
  grantedUserIds: readonly string[]
  grantedOrganisationIds: readonly string[]
}

export function canSeeTlpItem(actor: Actor, item: TlpItem): boolean {
  const grantedToActor =
    item.grantedUserIds.includes(actor.userId) || item.grantedOrganisationIds.includes(actor.organisationId)
  switch (item.tlp) {
    case 'CLEAR':
    case 'GREEN':
      return true
    case 'AMBER':
      return (
        item.ownerOrganisationId === actor.organisationId ||
        isNationalCertStaff(actor) ||
        (isClusterCoordinator(actor) && actor.coordinatedOrganisationIds.includes(item.ownerOrganisationId)) ||
        grantedToActor
      )
    case 'AMBER+STRICT':
      return item.ownerOrganisationId === actor.organisationId || grantedToActor
    case 'RED':
      // Named people only: a machine acting with an API token is nobody in particular.
      if (actor.apiTokenId) return false
      return item.createdBy === actor.userId || item.grantedUserIds.includes(actor.userId)
  }
}

export interface TlpColumns {
  objectType: string
  id: PgColumn
  tlp: PgColumn
  ownerOrganisationId: PgColumn
  createdBy: PgColumn
}

/** The SQL form of canSeeTlpItem: `where(tlpVisibleWhere(actor, {...}))` filters any list. */
export function tlpVisibleWhere(actor: Actor, c: TlpColumns): SQL {
  const grantTo = (who: SQL) =>
    exists(
      sql`(select 1 from ${accessGrants} where ${accessGrants.objectType} = ${c.objectType} and ${accessGrants.objectId} = ${c.id} and ${who})`,
    )
  const userGrant = grantTo(sql`${accessGrants.granteeUserId} = ${actor.userId}`)
  const anyGrant = grantTo(
    sql`(${accessGrants.granteeUserId} = ${actor.userId} or ${accessGrants.granteeOrganisationId} = ${actor.organisationId})`,
  )
  const ownOrg = eq(c.ownerOrganisationId, actor.organisationId)
  const amberAlso: SQL[] = [ownOrg, anyGrant]
  if (isNationalCertStaff(actor)) amberAlso.push(TRUE)
  if (isClusterCoordinator(actor) && actor.coordinatedOrganisationIds.length > 0) {
    amberAlso.push(inArray(c.ownerOrganisationId, actor.coordinatedOrganisationIds))
  }
  return or(
    inArray(c.tlp, ['CLEAR', 'GREEN']),
    and(eq(c.tlp, 'AMBER'), or(...amberAlso)),
    and(eq(c.tlp, 'AMBER+STRICT'), or(ownOrg, anyGrant)),
    actor.apiTokenId ? undefined : and(eq(c.tlp, 'RED'), or(eq(c.createdBy, actor.userId), userGrant)),
  ) as SQL
}

// ---------------------------------------------------------------------------------------------
// Incidents (docs/decisions/004-visibility-rules.md, "Incidents"). The owner is the reporting
// organisation; escalation grants the national CERT and coordination requests grant their
// recipients (access_grants). Drafts stay inside the reporting organisation.

export interface IncidentFacts {
  id: string
  status: IncidentStatus
  tlp: TlpLabel
  reportingOrganisationId: string
  createdBy: string
  assignedUserId: string | null
  respondingOrganisationId: string | null
  triageStatus: 'pending' | 'accepted' | 'declined' | 'info_requested' | null
  grantedUserIds: readonly string[]
  grantedOrganisationIds: readonly string[]
}

const isResponderOrAdmin = (a: Actor) => a.role === 'responder' || a.role === 'org_admin'
const isOwnerStaff = (a: Actor, inc: IncidentFacts) => a.organisationId === inc.reportingOrganisationId
/** National-CERT analysts and admins: they triage and issue coordination requests. */
export const isNationalCertTriager = (a: Actor) => isNationalCert(a) && (a.role === 'cert_analyst' || a.role === 'org_admin')
/** Staff of the lead or deputy (this term) of a cluster the incident's owner belongs to. */
const coordinatesOwner = (a: Actor, inc: IncidentFacts) => isClusterCoordinator(a) && a.coordinatedOrganisationIds.includes(inc.reportingOrganisationId)
/** Who issues coordination requests, and so sees those its organisation issued. */
export const mayIssueCoordinationRequests = (a: Actor) => isNationalCertTriager(a) || isClusterCoordinator(a)

function canSeeDraft(actor: Actor, inc: IncidentFacts) {
  return isOwnerStaff(actor, inc) && (inc.createdBy === actor.userId || isResponderOrAdmin(actor))
}

export function canSeeIncident(actor: Actor, inc: IncidentFacts): boolean {
  if (inc.status === 'draft') return canSeeDraft(actor, inc)
  return canSeeTlpItem(actor, {
    tlp: inc.tlp,
    ownerOrganisationId: inc.reportingOrganisationId,
    createdBy: inc.createdBy,
    grantedUserIds: inc.grantedUserIds,
    grantedOrganisationIds: inc.grantedOrganisationIds,
  })
}

function canEditIncident(actor: Actor, inc: IncidentFacts) {
  if (inc.status === 'closed') return false
  if (inc.status === 'draft') return canSeeDraft(actor, inc)
  return isOwnerStaff(actor, inc) && (inc.createdBy === actor.userId || isResponderOrAdmin(actor))
}

/** Those who work the incident: the owner's responders, the assignee, the responding
 *  organisation, and the national CERT once it has accepted the escalation. */
function handles(actor: Actor, inc: IncidentFacts) {
  if (!canSeeIncident(actor, inc)) return false
  return (
    (isOwnerStaff(actor, inc) && isResponderOrAdmin(actor)) ||
    inc.assignedUserId === actor.userId ||
    (inc.respondingOrganisationId === actor.organisationId && isResponderOrAdmin(actor)) ||
    (inc.triageStatus === 'accepted' && isNationalCertStaff(actor))
  )
}

function isInvolved(actor: Actor, inc: IncidentFacts) {
  return (
    isOwnerStaff(actor, inc) ||
    handles(actor, inc) ||
    isNationalCertStaff(actor) ||
    (isClusterCoordinator(actor) && actor.coordinatedOrganisationIds.includes(inc.reportingOrganisationId)) ||
    inc.grantedOrganisationIds.includes(actor.organisationId) ||
    inc.grantedUserIds.includes(actor.userId)
  )
}

function canTransition(actor: Actor, inc: IncidentFacts, transition: Transition) {
  switch (transition) {
    case 'submit':
      return inc.status === 'draft' && canSeeDraft(actor, inc)
    case 'acknowledge':
      // Receivers acknowledge at once (Circular 20/2017): the owner's responders, the cluster's
      // lead and deputy, the national CERT.
      return (
        canSeeIncident(actor, inc) &&
        ((isOwnerStaff(actor, inc) && isResponderOrAdmin(actor)) ||
          (isClusterCoordinator(actor) && actor.coordinatedOrganisationIds.includes(inc.reportingOrganisationId)) ||
          isNationalCertStaff(actor))
      )
    default:
      return handles(actor, inc)
  }
}

/** Incidents an actor may see, as a SQL condition over the incidents table. */
export function visibleIncidentsWhere(actor: Actor): SQL {
  const draftVisible = isResponderOrAdmin(actor)
    ? eq(incidents.reportingOrganisationId, actor.organisationId)
    : and(eq(incidents.reportingOrganisationId, actor.organisationId), eq(incidents.createdBy, actor.userId))
  return or(
    and(eq(incidents.status, 'draft'), draftVisible),
    and(
      sql`${incidents.status} <> 'draft'`,
      tlpVisibleWhere(actor, {
        objectType: 'incident',
        id: incidents.id,
        tlp: incidents.tlp,
        ownerOrganisationId: incidents.reportingOrganisationId,
        createdBy: incidents.createdBy,
      }),
    ),
  ) as SQL
}

// ---------------------------------------------------------------------------------------------
// Indicators (issue 5; docs/decisions/004-visibility-rules.md, "Indicators"). The owner is the
// source organisation; visibility is exactly TLP 2.0 as for any shared item. Indicators are
// shared by an organisation's analysts (responders, admins, national-CERT analysts); reporters
// file incidents and administrators administer. A sighting or a correlation is shown only with
// indicators the viewer may see (app/iocs/correlations.server.ts).

export interface ImportFacts {
  organisationId: string
  createdBy: string
  apiTokenId: string | null
}

export interface IndicatorFacts {
  id: string
  tlp: TlpLabel
  sourceOrganisationId: string
  createdBy: string
  grantedUserIds: readonly string[]
  grantedOrganisationIds: readonly string[]
}

const sharesIndicators = (a: Actor) => a.role === 'responder' || a.role === 'org_admin' || a.role === 'cert_analyst'

export function canSeeIndicator(actor: Actor, ind: IndicatorFacts): boolean {
  return canSeeTlpItem(actor, {
    tlp: ind.tlp,
    ownerOrganisationId: ind.sourceOrganisationId,
    createdBy: ind.createdBy,
    grantedUserIds: ind.grantedUserIds,
    grantedOrganisationIds: ind.grantedOrganisationIds,
  })
}

/** Indicators an actor may see, as a SQL condition over the indicators table. */
export function visibleIndicatorsWhere(actor: Actor, table: typeof indicators = indicators): SQL {
  return tlpVisibleWhere(actor, {
    objectType: 'indicator',
    id: table.id,
    tlp: table.tlp,
    ownerOrganisationId: table.sourceOrganisationId,
    createdBy: table.createdBy,
  })
}

// ---------------------------------------------------------------------------------------------
// Drills (issue 6; docs/decisions/004-visibility-rules.md, "Drills"). Organisers are those who
// could create a drill of that level today: an organisation's admin for its internal drills, the
// current lead and deputy of the cluster for cluster drills (the lead rotates yearly, so last
// year's lead hands its drills on with the term), the national CERT's analysts and admins for
// national and international ones. Invited organisations see a published drill as its TLP
// allows; TLP:RED is not offered for drills, whose audience is organisations, not named people.

export interface DrillFacts {
  id: string
  status: DrillStatus
  level: DrillLevel
  tlp: TlpLabel
  scope: DrillScope
  organiserOrganisationId: string
  clusterId: string | null
  /** The invited organisations when scope is 'list'. */
  listedOrganisationIds: readonly string[]
  rolesOffered: readonly DrillRole[]
  registrationOpensAt: Date
  registrationClosesAt: Date
  /** Start of the first session (null while a draft has none). */
  startsAt: Date | null
  scenarioConfidential: boolean
}

export interface RegistrationFacts {
  userId: string
  organisationId: string
  status: 'confirmed' | 'waitlisted' | 'pending_approval' | 'cancelled'
}

/** The after-action report as the policy needs it: its status and the owners of its action items. */
export interface ReportFacts {
  status: 'draft' | 'published'
  actionItemOwnerIds: readonly string[]
}

function canOrganise(actor: Actor, level: DrillLevel, clusterId: string | null): boolean {
  switch (level) {
    case 'organisation':
      return actor.role === 'org_admin'
    case 'cluster':
      return isClusterCoordinator(actor) && clusterId !== null && actor.officerOf.some((o) => o.clusterId === clusterId)
    case 'national':
    case 'international':
      return isNationalCertTriager(actor)
  }
}

export function canManageDrill(actor: Actor, d: DrillFacts): boolean {
  if (!canOrganise(actor, d.level, d.clusterId)) return false
  // An internal drill belongs to its organisation alone.
  return d.level !== 'organisation' || actor.organisationId === d.organiserOrganisationId
}

/** Whether the actor's organisation is among the drill's participants (membership as of today). */
export function isInvitedToDrill(actor: Actor, d: DrillFacts): boolean {
  if (actor.organisationId === d.organiserOrganisationId) return true
  switch (d.scope) {
    case 'organisation':
      return false
    case 'cluster':
      return d.clusterId !== null && actor.clusterIds.includes(d.clusterId)
    case 'network':
      return true
    case 'list':
      return d.listedOrganisationIds.includes(actor.organisationId)
  }
}

export function canSeeDrill(actor: Actor, d: DrillFacts): boolean {
  if (canManageDrill(actor, d)) return true
  if (d.status === 'draft') return false
  switch (d.tlp) {
    case 'CLEAR':
    case 'GREEN':
      return true
    case 'AMBER':
      return isInvitedToDrill(actor, d) || isNationalCertStaff(actor)
    case 'AMBER+STRICT':
      return isInvitedToDrill(actor, d)
    case 'RED':
      return false
  }
}

/**
 * A draft report is the organisers' alone. A published one goes to the participants — the
 * invited organisations and the owners of its action items — as far as the drill's TLP lets
 * them see the drill, and to the national CERT's staff unless the drill is AMBER+STRICT. It is
 * not for the whole network even when the drill is GREEN: it judges named organisations.
 */
export function canSeeReport(actor: Actor, d: DrillFacts, report: ReportFacts): boolean {
  if (canManageDrill(actor, d)) return true
  if (report.status !== 'published' || !canSeeDrill(actor, d)) return false
  return (
    isInvitedToDrill(actor, d) ||
    report.actionItemOwnerIds.includes(actor.organisationId) ||
    (isNationalCertStaff(actor) && d.tlp !== 'AMBER+STRICT')
  )
}

const drillStarted = (d: DrillFacts, now: Date) =>
  d.status === 'in_progress' || d.status === 'completed' || (d.startsAt !== null && d.startsAt <= now)

/** Open for sign-up: published, inside the registration window, for an offered role, invited. */
function canSignUp(actor: Actor, d: DrillFacts, role: DrillRole, now: Date) {
  return (
    d.status === 'published' &&
    d.registrationOpensAt <= now &&
    now < d.registrationClosesAt &&
    d.rolesOffered.includes(role) &&
    isInvitedToDrill(actor, d) &&
    canSeeDrill(actor, d)
  )
}

/** Drills an actor may see, as a SQL condition over the drills table (the form of canSeeDrill). */
export function visibleDrillsWhere(actor: Actor): SQL {
  const invited: SQL[] = [
    eq(drills.organiserOrganisationId, actor.organisationId),
    eq(drills.scope, 'network'),
    and(
      eq(drills.scope, 'list'),
      exists(
        sql`(select 1 from ${drillOrganisations} where ${drillOrganisations.drillId} = ${drills.id} and ${drillOrganisations.organisationId} = ${actor.organisationId})`,
      ),
    ) as SQL,
  ]
  if (actor.clusterIds.length > 0) invited.push(and(eq(drills.scope, 'cluster'), inArray(drills.clusterId, actor.clusterIds)) as SQL)
  const invitedSql = or(...invited) as SQL
  return or(
    manageableDrillsWhere(actor),
    and(
      sql`${drills.status} <> 'draft'`,
      or(
        inArray(drills.tlp, ['CLEAR', 'GREEN']),
        and(eq(drills.tlp, 'AMBER'), isNationalCertStaff(actor) ? TRUE : invitedSql),
        and(eq(drills.tlp, 'AMBER+STRICT'), invitedSql),
      ),
    ),
  ) as SQL
}

/** Drills the actor organises (the SQL form of canManageDrill). */
export function manageableDrillsWhere(actor: Actor): SQL {
  const parts: SQL[] = []
  if (actor.role === 'org_admin') {
    parts.push(and(eq(drills.level, 'organisation'), eq(drills.organiserOrganisationId, actor.organisationId)) as SQL)
  }
  const officerClusters = actor.officerOf.map((o) => o.clusterId)
  if (isClusterCoordinator(actor) && officerClusters.length > 0) {
    parts.push(and(eq(drills.level, 'cluster'), inArray(drills.clusterId, officerClusters)) as SQL)
  }
  if (isNationalCertTriager(actor)) parts.push(inArray(drills.level, ['national', 'international']))
  return parts.length > 0 ? (or(...parts) as SQL) : FALSE
}

/**
 * Organisations whose drill participation the actor may read (the yearly figures), as a SQL
 * condition over the organisations table: one's own; a cluster's lead and deputy staff, their
 * cluster's members; the national CERT's staff and the system administrators, every one.
 */
export function participationOrganisationsWhere(actor: Actor): SQL {
  if (isNationalCertStaff(actor) || isSysadmin(actor)) return TRUE
  const ids = [actor.organisationId]
  if (isClusterCoordinator(actor)) ids.push(...actor.coordinatedOrganisationIds)
  return inArray(organisations.id, ids)
}

// ---------------------------------------------------------------------------------------------
// Visibility of foundation resources

/** Users an actor may list: everyone for sysadmins, one's own organisation otherwise. */
export function visibleUsersWhere(actor: Actor): SQL {
  if (isSysadmin(actor)) return TRUE
  return eq(users.organisationId, actor.organisationId)
}

/** Audit entries: all for sysadmins; an organisation admin sees acts by or on its organisation. */
export function visibleAuditWhere(actor: Actor): SQL {
  if (isSysadmin(actor)) return TRUE
  if (actor.role === 'org_admin') {
    return or(
      eq(auditLog.actorOrganisationId, actor.organisationId),
      eq(auditLog.objectOrganisationId, actor.organisationId),
    ) as SQL
  }
  return FALSE
}
