import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { TextAreaField } from '../components/incident-form.tsx'
import { CheckboxField, FormError, SelectField, isFailure } from '../components/form.tsx'
import { addComment, assignIncident, assignmentOptions, getIncidentDetail, transitionIncident } from '../incidents/incidents.server.ts'
import { incidentFailure } from '../incidents/pages.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject } from '../lib/forms.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `CSIRT Net — ${data.incident.reference}` : 'CSIRT Net — Sự cố / Incident' },
]

// Outcomes announced after a redirect; only these keys are ever read from the query string.
const DONE = ['drafted', 'filed', 'updated', 'transitioned', 'assigned', 'commented', 'closureReport', 'closed'] as const

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const url = new URL(request.url)
  try {
    const detail = await getIncidentDetail(acting, params.id ?? '')
    return {
      ...detail,
      assignment: detail.permissions.assign ? await assignmentOptions(acting, detail.incident.id) : null,
      done: DONE.find((d) => d === url.searchParams.get('done')) ?? null,
      timeZone: context.timeZone,
    }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const id = params.id ?? ''
  const form = await request.formData()
  const input = formToObject(form)
  const back = (done: (typeof DONE)[number], anchor = '') => redirect(`/incidents/${id}?done=${done}${anchor}`)
  try {
    switch (form.get('intent')) {
      case 'transition':
        await transitionIncident(acting, id, input.transition)
        return back(input.transition === 'submit' ? 'filed' : 'transitioned')
      case 'assign':
        await assignIncident(acting, id, input)
        return back('assigned')
      case 'comment':
        await addComment(acting, id, input)
        return back('commented', '#timeline')
      default:
        throw new DomainError('validation')
    }
  } catch (error) {
    return incidentFailure(error, form)
  }
}

type Data = Record<string, unknown>
/** Timeline kinds whose data carries the statuses before and after. */
const STATUS_KINDS: string[] = ['status_changed', 'acknowledged', 'reopened']
const str = (data: Data, key: string) => (typeof data[key] === 'string' ? (data[key] as string) : null)

/** Partner text keeps its line breaks without any HTML from it. */
function Paragraphs({ text }: { text: string }) {
  const lines = text.split(/\r?\n/)
  return (
    <p>
      {lines.map((line, i) => (
        <span key={i}>
          {line}
          {i < lines.length - 1 ? <br /> : null}
        </span>
      ))}
    </p>
  )
}

export default function IncidentPage() {
  const { t, i18n } = useTranslation()
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const failedFor = (intent: string) => (failed?.values.intent === intent ? failed : null)
  const { incident, deadlines, timeline, permissions, transitions, recipients, assignment } = data
  const locale = i18n.language
  const when = (value: Date | string | null) => formatDateTime(value, locale, data.timeZone)
  const yesNo = (v: boolean) => (v ? t('incidents.yes') : t('incidents.no'))
  const orNone = (v: string | null | undefined) => (v ? v : t('incidents.none'))
  const statusLabel = (s: unknown) => (typeof s === 'string' ? t(`incidents.status.${s}`) : '')
  const fieldLabel = (f: string) => (f === 'recipients' ? t('incidents.timeline.recipientsField') : t(`incidents.fields.${f}`))
  const transitionFailure = failedFor('transition')
  const missing = transitionFailure && !transitionFailure.transition ? Object.keys(transitionFailure.fieldErrors) : []
  const actionable =
    transitions.length > 0 ||
    permissions.edit ||
    permissions.assign ||
    permissions.escalate ||
    permissions.requestCoordination ||
    permissions.triage ||
    permissions.provideInfo

  return (
    <section className="stack">
      <p>
        <Link to="/incidents">{t('incidents.backToList')}</Link>
      </p>
      <header>
        <h1>
          <span>{incident.reference}</span> — {incident.title}
        </h1>
        <p className="inline-form">
          <span className={`tlp tlp--${incident.tlp}`}>{`TLP:${incident.tlp}`}</span>
          <span className="badge badge--lead">{t(`incidents.status.${incident.status}`)}</span>
          <span className="badge">
            {t('incidents.fields.severity')}: {t(`incidents.severity.${incident.severity}`)}
          </span>
          {incident.serious ? <span className="badge badge--inactive">{t('incidents.detail.seriousBadge')}</span> : null}
          {incident.escalatedAt ? <span className="badge">{t('incidents.detail.escalatedBadge')}</span> : null}
        </p>
        <p>
          {incident.category ? t(`incidents.categories.${incident.category}`) : t('incidents.notSet')}
          {incident.rsit ? (
            <>
              {' '}
              · <code>{incident.rsit}</code>
            </>
          ) : null}
        </p>
      </header>

      {data.done ? (
        <p role="status" className="notice">
          {t(`incidents.done.${data.done}`, { reference: incident.reference })}
        </p>
      ) : null}
      {incident.status === 'draft' ? <p className="notice">{t('incidents.detail.draftNotice')}</p> : null}
      {transitionFailure?.transition ? (
        <div role="alert" className="form-error">
          {t('incidents.errors.illegalTransition', {
            from: statusLabel(transitionFailure.transition.from),
            to: statusLabel(transitionFailure.transition.to),
          })}
        </div>
      ) : missing.length > 0 ? (
        <div role="alert" className="form-error">
          <p>{t('incidents.detail.missingForSubmission', { fields: missing.map(fieldLabel).join(', ') })}</p>
          {permissions.edit ? <Link to={`/incidents/${incident.id}/edit`}>{t('incidents.detail.completeReport')}</Link> : null}
        </div>
      ) : (
        <FormError failure={transitionFailure} />
      )}

      <div className="panel" id="deadlines">
        <h2>{t('incidents.detail.deadlines')}</h2>
        <div className="table-wrap">
          <table>
            <tbody>
              {(['notification', 'acknowledgement', 'closureReport'] as const).map((key) => {
                const d = deadlines[key]
                return (
                  <tr key={key}>
                    <th scope="row">{t(`incidents.deadlines.${key}`)}</th>
                    <td>
                      <span
                        className={d.state === 'overdue' ? 'badge badge--inactive' : d.state === 'met' ? 'badge badge--lead' : 'badge'}
                        data-deadline-state={d.state}
                      >
                        {t(`incidents.deadlines.states.${d.state}`)}
                        {d.late ? ` (${t('incidents.deadlines.late')})` : ''}
                      </span>
                    </td>
                    <td>{d.dueAt ? t('incidents.deadlines.due', { at: when(d.dueAt) }) : t('incidents.none')}</td>
                    <td>{d.metAt ? t('incidents.deadlines.metAt', { at: when(d.metAt) }) : t('incidents.none')}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      </div>

      <div className="panel" id="actions">
        <h2>{t('incidents.detail.actions')}</h2>
        {!actionable ? <p className="muted">{t('incidents.detail.noActions')}</p> : null}
        <div className="inline-form">
          {transitions.map((transition) =>
            transition === 'close' ? (
              <Link key={transition} className="button" to={`/incidents/${incident.id}/close`}>
                {t('incidents.transitions.close')}
              </Link>
            ) : (
              <Form method="post" key={transition}>
                <input type="hidden" name="intent" value="transition" />
                <input type="hidden" name="transition" value={transition} />
                <button type="submit" className={transition === 'reopen' ? 'secondary' : undefined}>
                  {t(`incidents.transitions.${transition}`)}
                </button>
              </Form>
            ),
          )}
          {permissions.edit ? (
            <Link className="button secondary" to={`/incidents/${incident.id}/edit`}>
              {t('incidents.buttons.edit')}
            </Link>
          ) : null}
        </div>
        <h3>{t('incidents.detail.links')}</h3>
        <ul className="plain-list">
          {permissions.escalate ? (
            <li>
              <Link to={`/incidents/${incident.id}/escalate`}>{t('incidents.links.escalate')}</Link>
            </li>
          ) : null}
          {permissions.triage ? (
            <li>
              <Link to={`/incidents/${incident.id}/triage`}>{t('incidents.links.triage')}</Link>
            </li>
          ) : null}
          {permissions.provideInfo ? (
            <li>
              <Link to={`/incidents/${incident.id}/info`}>{t('incidents.links.info')}</Link>
            </li>
          ) : null}
          {permissions.requestCoordination ? (
            <li>
              <Link to={`/incidents/${incident.id}/coordination/new`}>{t('incidents.links.coordination')}</Link>
            </li>
          ) : null}
          <li>
            <Link to={`/incidents/${incident.id}/attachments`}>{t('incidents.links.attachments')}</Link>
          </li>
          <li>
            <Link to={`/incidents/${incident.id}/form03`}>{t('incidents.links.form03')}</Link>
          </li>
          {incident.closureSubmittedAt ? (
            <li>
              <Link to={`/incidents/${incident.id}/form04`}>{t('incidents.links.form04')}</Link>
            </li>
          ) : null}
          {permissions.closureReport ? (
            <li>
              <Link to={`/incidents/${incident.id}/close`}>{t('incidents.detail.closure')}</Link>
            </li>
          ) : null}
        </ul>
      </div>

      <div className="panel" id="assignment">
        <h2>{t('incidents.detail.handling')}</h2>
        <dl className="facts">
          <dt>{t('incidents.fields.reportingOrganisation')}</dt>
          <dd>
            <Link to={`/organisations/${incident.reportingOrganisationId}`}>{incident.reportingOrganisationName}</Link>
          </dd>
          <dt>{t('incidents.fields.createdBy')}</dt>
          <dd>{incident.createdByName}</dd>
          <dt>{t('incidents.fields.submittedAt')}</dt>
          <dd>{when(incident.submittedAt)}</dd>
          <dt>{t('incidents.fields.assignedUser')}</dt>
          <dd>{orNone(incident.assignedUserName)}</dd>
          <dt>{t('incidents.fields.respondingOrganisation')}</dt>
          <dd>{orNone(incident.respondingOrganisationName)}</dd>
          {incident.escalatedAt ? (
            <>
              <dt>{t('incidents.fields.escalation')}</dt>
              <dd>
                {when(incident.escalatedAt)} — {orNone(incident.escalatedByName)}
              </dd>
            </>
          ) : null}
        </dl>
        {assignment ? (
          <Form method="post" noValidate className="inline-form">
            <input type="hidden" name="intent" value="assign" />
            <SelectField
              name="assignedUserId"
              label={t('incidents.fields.assignedUser')}
              defaultValue={incident.assignedUserId ?? ''}
              failure={failedFor('assign')}
              options={[
                { value: '', label: t('incidents.detail.chooseNobody') },
                ...assignment.people.map((p) => ({ value: p.id, label: `${p.name} — ${p.organisationName}` })),
              ]}
            />
            <SelectField
              name="respondingOrganisationId"
              label={t('incidents.fields.respondingOrganisation')}
              defaultValue={incident.respondingOrganisationId ?? ''}
              failure={failedFor('assign')}
              options={[
                { value: '', label: t('incidents.detail.chooseNoOrganisation') },
                ...assignment.organisations.map((o) => ({ value: o.id, label: o.shortName })),
              ]}
            />
            <button type="submit">{t('incidents.buttons.assign')}</button>
          </Form>
        ) : null}
      </div>

      <div className="panel" id="report">
        <h2>{t('incidents.detail.facts')}</h2>
        <h3>{t('incidents.legends.incident')}</h3>
        <dl className="facts">
          <dt>{t('incidents.fields.description')}</dt>
          <dd>{incident.description ? <Paragraphs text={incident.description} /> : t('incidents.none')}</dd>
          <dt>{t('incidents.fields.detectedAt')}</dt>
          <dd>{when(incident.detectedAt)}</dd>
          <dt>{t('incidents.fields.handled')}</dt>
          <dd>{yesNo(incident.handled)}</dd>
          <dt>{t('incidents.fields.detectionMethods')}</dt>
          <dd>{incident.detectionMethods.length ? incident.detectionMethods.map((m) => t(`incidents.detectionMethods.${m}`)).join('; ') : t('incidents.none')}</dd>
          <dt>{t('incidents.fields.detectionDetail')}</dt>
          <dd>{orNone(incident.detectionDetail)}</dd>
          <dt>{t('incidents.fields.alreadyNotified')}</dt>
          <dd>{incident.alreadyNotified.length ? incident.alreadyNotified.map((p) => t(`incidents.notifiedParties.${p}`)).join('; ') : t('incidents.none')}</dd>
        </dl>
        <h3>{t('incidents.legends.classification')}</h3>
        <dl className="facts">
          <dt>{t('incidents.fields.category')}</dt>
          <dd>{incident.category ? t(`incidents.categories.${incident.category}`) : t('incidents.notSet')}</dd>
          <dt>{t('incidents.fields.rsit')}</dt>
          <dd>{incident.rsit ? <code>{incident.rsit}</code> : t('incidents.none')}</dd>
          <dt>{t('incidents.fields.severity')}</dt>
          <dd>{t(`incidents.severity.${incident.severity}`)}</dd>
          <dt>{t('incidents.fields.serious')}</dt>
          <dd>{yesNo(incident.serious)}</dd>
          <dt>{t('incidents.fields.tlp')}</dt>
          <dd>
            <span className={`tlp tlp--${incident.tlp}`}>{`TLP:${incident.tlp}`}</span>
          </dd>
          <dt>{t('incidents.fields.pap')}</dt>
          <dd>{`PAP:${incident.pap}`}</dd>
          <dt>{t('incidents.fields.confidential')}</dt>
          <dd>{yesNo(incident.confidential)}</dd>
          {incident.tlp === 'RED' ? (
            <>
              <dt>{t('incidents.detail.recipients')}</dt>
              <dd>
                {recipients.length ? recipients.map((r) => `${r.name} (${r.organisationName})`).join('; ') : t('incidents.detail.noRecipients')}
              </dd>
            </>
          ) : null}
        </dl>
        <h3>{t('incidents.legends.contact')}</h3>
        <dl className="facts">
          <dt>{t('incidents.fields.contactName')}</dt>
          <dd>{orNone(incident.contactName)}</dd>
          <dt>{t('incidents.fields.contactTitle')}</dt>
          <dd>{orNone(incident.contactTitle)}</dd>
          <dt>{t('incidents.fields.contactPhone')}</dt>
          <dd>{orNone(incident.contactPhone)}</dd>
          <dt>{t('incidents.fields.contactEmail')}</dt>
          <dd>{incident.contactEmail ? <a href={`mailto:${incident.contactEmail}`}>{incident.contactEmail}</a> : t('incidents.none')}</dd>
        </dl>
        <h3>{t('incidents.legends.system')}</h3>
        <dl className="facts">
          <dt>{t('incidents.fields.systemName')}</dt>
          <dd>{orNone(incident.systemName)}</dd>
          <dt>{t('incidents.fields.systemDomains')}</dt>
          <dd>{incident.systemDomains.length ? incident.systemDomains.join(', ') : t('incidents.none')}</dd>
          <dt>{t('incidents.fields.systemPublicIps')}</dt>
          <dd>{incident.systemPublicIps.length ? incident.systemPublicIps.join(', ') : t('incidents.none')}</dd>
          <dt>{t('incidents.fields.systemLevel')}</dt>
          <dd>{incident.systemLevel ? t(`incidents.systemLevels.${incident.systemLevel}`) : t('incidents.notSet')}</dd>
          <dt>{t('incidents.fields.systemOwner')}</dt>
          <dd>{orNone(incident.systemOwner)}</dd>
          <dt>{t('incidents.fields.systemOperator')}</dt>
          <dd>{orNone(incident.systemOperator)}</dd>
          <dt>{t('incidents.fields.systemIsp')}</dt>
          <dd>{orNone(incident.systemIsp)}</dd>
          <dt>{t('incidents.fields.securityProvider')}</dt>
          <dd>{orNone(incident.securityProvider)}</dd>
        </dl>
        <h3>{t('incidents.legends.support')}</h3>
        <dl className="facts">
          <dt>{t('incidents.fields.environmentOs')}</dt>
          <dd>{orNone(incident.environmentOs)}</dd>
          <dt>{t('incidents.fields.environmentServices')}</dt>
          <dd>{orNone(incident.environmentServices)}</dd>
          <dt>{t('incidents.fields.environmentControls')}</dt>
          <dd>{orNone(incident.environmentControls)}</dd>
          <dt>{t('incidents.fields.supportRequested')}</dt>
          <dd>{incident.supportRequested ? <Paragraphs text={incident.supportRequested} /> : t('incidents.none')}</dd>
        </dl>
      </div>

      {incident.closureSubmittedAt || incident.closureWhatHappened ? (
        <div className="panel" id="closure">
          <h2>{t('incidents.detail.closure')}</h2>
          <dl className="facts">
            <dt>{t('incidents.fields.closureSubmittedAt')}</dt>
            <dd>{when(incident.closureSubmittedAt)}</dd>
            <dt>{t('incidents.fields.closureWhatHappened')}</dt>
            <dd>{incident.closureWhatHappened ? <Paragraphs text={incident.closureWhatHappened} /> : t('incidents.none')}</dd>
            <dt>{t('incidents.fields.closureResolution')}</dt>
            <dd>{incident.closureResolution ? <Paragraphs text={incident.closureResolution} /> : t('incidents.none')}</dd>
            <dt>{t('incidents.fields.closurePrevention')}</dt>
            <dd>{incident.closurePrevention ? <Paragraphs text={incident.closurePrevention} /> : t('incidents.none')}</dd>
          </dl>
        </div>
      ) : null}

      <div className="panel" id="timeline">
        <h2>{t('incidents.detail.timeline')}</h2>
        {timeline.length === 0 ? (
          <p className="muted">{t('incidents.detail.timelineEmpty')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('incidents.timeline.when')}</th>
                  <th scope="col">{t('incidents.timeline.who')}</th>
                  <th scope="col">{t('incidents.timeline.what')}</th>
                </tr>
              </thead>
              <tbody>
                {timeline.map((entry) => {
                  const d = (entry.data ?? {}) as Data
                  const fields = Array.isArray(d.fields) ? (d.fields as unknown[]).filter((f): f is string => typeof f === 'string') : []
                  return (
                    <tr key={entry.id} data-timeline-kind={entry.kind}>
                      <td>{when(entry.at)}</td>
                      <td>
                        {orNone(entry.actorName)}
                        {entry.actorOrganisationName ? (
                          <>
                            <br />
                            <span className="muted">{entry.actorOrganisationName}</span>
                          </>
                        ) : null}
                      </td>
                      <td>
                        <strong>{t(`incidents.timeline.kinds.${entry.kind}`)}</strong>{' '}
                        {entry.internal ? <span className="badge badge--inactive">{t('incidents.detail.internalBadge')}</span> : null}
                        {STATUS_KINDS.includes(entry.kind) && str(d, 'from') && str(d, 'to') ? (
                          <p>{t('incidents.timeline.statusChange', { from: statusLabel(d.from), to: statusLabel(d.to) })}</p>
                        ) : null}
                        {fields.length ? <p>{t('incidents.timeline.changedFields', { fields: fields.map(fieldLabel).join(', ') })}</p> : null}
                        {entry.kind === 'assigned' ? (
                          <p>
                            {d.userChanged
                              ? str(d, 'assignedUserName')
                                ? t('incidents.timeline.assignedTo', { name: str(d, 'assignedUserName') })
                                : t('incidents.timeline.unassigned')
                              : null}
                            {d.userChanged && d.organisationChanged ? <br /> : null}
                            {d.organisationChanged
                              ? t('incidents.timeline.respondingOrganisation', { name: str(d, 'respondingOrganisationName') ?? t('incidents.none') })
                              : null}
                          </p>
                        ) : null}
                        {entry.body ? <Paragraphs text={entry.body} /> : null}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
        {permissions.comment ? (
          <>
            <h3>{t('incidents.detail.comments')}</h3>
            <Form method="post" noValidate>
              <FormError failure={failedFor('comment')} />
              <input type="hidden" name="intent" value="comment" />
              <TextAreaField name="body" label={t('incidents.fields.commentBody')} failure={failedFor('comment')} maxLength={10000} required />
              <CheckboxField name="internal" label={t('incidents.fields.internal')} failure={failedFor('comment')} />
              <button type="submit">{t('incidents.buttons.comment')}</button>
            </Form>
          </>
        ) : null}
      </div>
    </section>
  )
}
