import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { printableIncident } from '../incidents/print.server.ts'
import { FieldTable, FormTitle, Masthead, PrintActions, PrintFooter, Signatures, TextBlock, usePrintText } from '../incidents/print-form.tsx'
import { formatDateTime } from '../lib/dates.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'
import printStyles from '../styles/print-forms.css?url'

// Báo cáo kết thúc ứng phó sự cố — Form 04 of Circular 20/2017/TT-BTTTT: it names the initial
// report (reference and date) and says what happened, how it was resolved, what prevents a repeat.
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: printStyles }]

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.incident.reference} — Báo cáo kết thúc ứng phó sự cố / Form 04` : 'CSIRT Net — Form 04' },
]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await printableIncident(acting, params.id ?? '')), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export default function Form04Page() {
  const { incident: inc, organisation, printedAt, timeZone } = useLoaderData<typeof loader>()
  const { vi, label } = usePrintText()
  const when = (d: Date | string | null) => (d ? formatDateTime(d, 'vi', timeZone) : null)
  const submitted = Boolean(inc.closureSubmittedAt)

  return (
    <>
      <PrintActions incidentId={inc.id} />
      <article className="print-form" lang="vi">
        <p className="print-form__tlp">TLP:{inc.tlp}</p>
        <Masthead organisationName={organisation.nameVi} reference={inc.reference} date={inc.closureSubmittedAt} timeZone={timeZone} />
        <FormTitle titleKey="incidentList.print.form04Title" legalKey="incidentList.print.form04Legal" />
        <p className="print-form__addressee">{vi('incidentList.print.addressee')}</p>
        {submitted ? null : (
          <p className="print-form__notice" role="note">
            {label('incidentList.print.closurePending')}
          </p>
        )}

        <section>
          <h2>{label('incidentList.print.sections.initialReport')}</h2>
          <FieldTable
            rows={[
              ['incidentList.print.fields.initialReference', <code key="ref">{inc.reference}</code>],
              ['incidentList.print.fields.initialDate', when(inc.submittedAt)],
              ['incidentList.print.fields.organisation', organisation.nameVi],
              ['incidentList.print.fields.title', inc.title],
              ['incidentList.print.fields.resolvedAt', when(inc.resolvedAt)],
              ['incidentList.print.fields.closureSubmittedAt', when(inc.closureSubmittedAt)],
            ]}
          />
        </section>

        <section>
          <h2>{label('incidentList.print.sections.whatHappened')}</h2>
          <TextBlock text={inc.closureWhatHappened} />
        </section>
        <section>
          <h2>{label('incidentList.print.sections.resolution')}</h2>
          <TextBlock text={inc.closureResolution} />
        </section>
        <section>
          <h2>{label('incidentList.print.sections.prevention')}</h2>
          <TextBlock text={inc.closurePrevention} />
        </section>

        <Signatures date={inc.closureSubmittedAt} timeZone={timeZone} />
        <PrintFooter printedAt={printedAt} timeZone={timeZone} tlp={inc.tlp} />
      </article>
    </>
  )
}
