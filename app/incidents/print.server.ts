import { asc, eq } from 'drizzle-orm'
import { incidentAttachments, organisations } from '../../db/schema/index.ts'
import type { ActingContext } from '../lib/context.server.ts'
import { getVisibleIncident } from './access.server.ts'
import { rsitFor } from './taxonomy.ts'

// The printable initial report (Form 03) and closure report (Form 04) of Circular
// 20/2017/TT-BTTTT, for an official to sign and seal. Reading one is reading the incident:
// getVisibleIncident answers 404 for anything the viewer may not see.

/** Everything Form 03 and Form 04 print, as plain data (never the search text or grants). */
export async function printableIncident(acting: ActingContext, id: string) {
  const { row } = await getVisibleIncident(acting, id)
  const db = acting.services.db
  const [organisation] = await db
    .select({ nameVi: organisations.nameVi, nameEn: organisations.nameEn, shortName: organisations.shortName })
    .from(organisations)
    .where(eq(organisations.id, row.reportingOrganisationId))
  const attachments = await db
    .select({ fileName: incidentAttachments.fileName, size: incidentAttachments.size, sha256: incidentAttachments.sha256 })
    .from(incidentAttachments)
    .where(eq(incidentAttachments.incidentId, row.id))
    .orderBy(asc(incidentAttachments.createdAt))
  return {
    incident: {
      id: row.id,
      reference: row.reference,
      status: row.status,
      title: row.title,
      category: row.category,
      rsit: rsitFor(row.category),
      severity: row.severity,
      serious: row.serious,
      tlp: row.tlp,
      pap: row.pap,
      contactName: row.contactName,
      contactTitle: row.contactTitle,
      contactPhone: row.contactPhone,
      contactEmail: row.contactEmail,
      systemName: row.systemName,
      systemDomains: row.systemDomains,
      systemPublicIps: row.systemPublicIps,
      systemLevel: row.systemLevel,
      systemOwner: row.systemOwner,
      systemOperator: row.systemOperator,
      systemIsp: row.systemIsp,
      securityProvider: row.securityProvider,
      description: row.description,
      detectedAt: row.detectedAt,
      handled: row.handled,
      detectionMethods: row.detectionMethods,
      detectionDetail: row.detectionDetail,
      alreadyNotified: row.alreadyNotified,
      environmentOs: row.environmentOs,
      environmentServices: row.environmentServices,
      environmentControls: row.environmentControls,
      confidential: row.confidential,
      supportRequested: row.supportRequested,
      createdAt: row.createdAt,
      submittedAt: row.submittedAt,
      resolvedAt: row.resolvedAt,
      closedAt: row.closedAt,
      closureWhatHappened: row.closureWhatHappened,
      closureResolution: row.closureResolution,
      closurePrevention: row.closurePrevention,
      closureSubmittedAt: row.closureSubmittedAt,
    },
    organisation: organisation ?? { nameVi: '', nameEn: '', shortName: '' },
    attachments,
    printedAt: acting.services.now(),
  }
}

export type PrintableIncident = Awaited<ReturnType<typeof printableIncident>>
