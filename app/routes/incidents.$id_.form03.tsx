import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { printableIncident } from '../incidents/print.server.ts'
import { FieldTable, FormTitle, Masthead, PrintActions, PrintFooter, Signatures, TextBlock, usePrintText } from '../incidents/print-form.tsx'
import { formatDateTime } from '../lib/dates.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'
import printStyles from '../styles/print-forms.css?url'

// Báo cáo ban đầu sự cố — Form 03 of Circular 20/2017/TT-BTTTT, printable for signature.
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: printStyles }]

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.incident.reference} — Báo cáo ban đầu sự cố / Form 03` : 'CSIRT Net — Form 03' },
]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await printableIncident(acting, params.id ?? '')), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export default function Form03Page() {
  const { incident: inc, organisation, attachments, printedAt, timeZone } = useLoaderData<typeof loader>()
  const { vi, label, value } = usePrintText()
  const yesNo = (b: boolean) => value(b ? 'incidentList.print.yes' : 'incidentList.print.no')
  const list = (items: string[]) => (items.length ? items.join(', ') : vi('incidentList.print.none'))
  const codes = (items: string[], prefix: string) => (items.length ? items.map((c) => value(`${prefix}.${c}`)).join('; ') : vi('incidentList.print.none'))
  const when = (d: Date | string | null) => (d ? formatDateTime(d, 'vi', timeZone) : null)

  return (
    <>
      <PrintActions incidentId={inc.id} />
      <article className="print-form" lang="vi">
        <p className="print-form__tlp">TLP:{inc.tlp}</p>
        <Masthead organisationName={organisation.nameVi} reference={inc.reference} date={inc.submittedAt} timeZone={timeZone} />
        <FormTitle titleKey="incidentList.print.form03Title" legalKey="incidentList.print.form03Legal" />
        <p className="print-form__addressee">{vi('incidentList.print.addressee')}</p>

        <section>
          <h2>{label('incidentList.print.sections.reporter')}</h2>
          <FieldTable
            rows={[
              ['incidentList.print.fields.organisation', organisation.nameVi],
              ['incidentList.print.fields.contactName', inc.contactName],
              ['incidentList.print.fields.contactTitle', inc.contactTitle],
              ['incidentList.print.fields.contactPhone', inc.contactPhone],
              ['incidentList.print.fields.contactEmail', inc.contactEmail],
            ]}
          />
        </section>

        <section>
          <h2>{label('incidentList.print.sections.system')}</h2>
          <FieldTable
            rows={[
              ['incidentList.print.fields.systemName', inc.systemName],
              ['incidentList.print.fields.systemOwner', inc.systemOwner],
              ['incidentList.print.fields.systemOperator', inc.systemOperator],
              ['incidentList.print.fields.systemDomains', list(inc.systemDomains)],
              ['incidentList.print.fields.systemPublicIps', list(inc.systemPublicIps)],
              ['incidentList.print.fields.systemLevel', inc.systemLevel === null ? null : String(inc.systemLevel)],
              ['incidentList.print.fields.securityProvider', inc.securityProvider],
              ['incidentList.print.fields.systemIsp', inc.systemIsp],
            ]}
          />
        </section>

        <section>
          <h2>{label('incidentList.print.sections.incident')}</h2>
          <FieldTable
            rows={[
              ['incidentList.print.fields.title', inc.title],
              ['incidentList.print.fields.category', value(`incidentList.categories.${inc.category}`)],
              ['incidentList.print.fields.rsit', <code key="rsit">{inc.rsit}</code>],
              ['incidentList.print.fields.severity', value(`incidentList.severities.${inc.severity}`)],
              ['incidentList.print.fields.serious', yesNo(inc.serious)],
              ['incidentList.print.fields.tlp', `TLP:${inc.tlp}`],
              ['incidentList.print.fields.pap', `PAP:${inc.pap}`],
              ['incidentList.print.fields.detectedAt', when(inc.detectedAt)],
              ['incidentList.print.fields.handled', value(inc.handled ? 'incidentList.print.handled.yes' : 'incidentList.print.handled.no')],
            ]}
          />
          <p className="print-form__label">
            <strong>{label('incidentList.print.fields.description')}</strong>
          </p>
          <TextBlock text={inc.description} />
        </section>

        <section>
          <h2>{label('incidentList.print.sections.detection')}</h2>
          <FieldTable
            rows={[
              ['incidentList.print.fields.detectionMethods', codes(inc.detectionMethods, 'incidentList.print.detectionMethods')],
              ['incidentList.print.fields.detectionDetail', inc.detectionDetail],
              ['incidentList.print.fields.alreadyNotified', codes(inc.alreadyNotified, 'incidentList.print.notifiedParties')],
            ]}
          />
        </section>

        <section>
          <h2>{label('incidentList.print.sections.environment')}</h2>
          <FieldTable
            rows={[
              ['incidentList.print.fields.environmentOs', inc.environmentOs],
              ['incidentList.print.fields.environmentServices', inc.environmentServices],
              ['incidentList.print.fields.environmentControls', inc.environmentControls],
            ]}
          />
        </section>

        <section>
          <h2>{label('incidentList.print.sections.attachments')}</h2>
          {attachments.length === 0 ? (
            <p>{vi('incidentList.print.none')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{label('incidentList.print.fields.fileName')}</th>
                  <th scope="col">{label('incidentList.print.fields.size')}</th>
                  <th scope="col">{label('incidentList.print.fields.sha256')}</th>
                </tr>
              </thead>
              <tbody>
                {attachments.map((a) => (
                  <tr key={a.sha256 + a.fileName}>
                    <td>{a.fileName}</td>
                    <td>{a.size}</td>
                    <td>
                      <code>{a.sha256}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section>
          <h2>{label('incidentList.print.sections.support')}</h2>
          <FieldTable
            rows={[
              ['incidentList.print.fields.confidential', yesNo(inc.confidential)],
              ['incidentList.print.fields.supportRequested', inc.supportRequested],
            ]}
          />
        </section>

        <Signatures date={inc.submittedAt} timeZone={timeZone} />
        <PrintFooter printedAt={printedAt} timeZone={timeZone} tlp={inc.tlp} />
      </article>
    </>
  )
}
