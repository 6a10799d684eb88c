import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormError, isFailure, SelectField } from '../components/form.tsx'
import { MultiLine, TlpBadge } from '../components/triage.tsx'
import { getDrillDetail, transitionDrill } from '../drills/drills.server.ts'
import { DRILL_STATUSES } from '../drills/lifecycle.ts'
import { approveRegistration, cancelRegistration, signUpForDrill } from '../drills/registrations.server.ts'
import { afterActionLinks } from '../drills/report.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Diễn tập / Drill' }]

const DONE = ['created', 'transitioned', 'confirmed', 'waitlisted', 'pending_approval', 'cancelled', 'approved', 'updated', 'rescheduled'] as const

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const url = new URL(request.url)
  try {
    return {
      ...(await getDrillDetail(acting, params.id)),
      afterAction: await afterActionLinks(acting, params.id),
      done: DONE.find((d) => d === url.searchParams.get('done')) ?? null,
      timeZone: context.timeZone,
    }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  const back = (done: (typeof DONE)[number]) => redirect(`/drills/${params.id}?done=${done}`)
  try {
    switch (form.get('intent')) {
      case 'signUp':
        return back((await signUpForDrill(acting, params.id, formToObject(form))).status)
      case 'cancel':
        await cancelRegistration(acting, form.get('registrationId'))
        return back('cancelled')
      case 'approve':
        await approveRegistration(acting, form.get('registrationId'))
        return back('approved')
      case 'transition':
        await transitionDrill(acting, params.id, form.get('transition'))
        return back('transitioned')
      default:
        throw new DomainError('validation')
    }
  } catch (error) {
    return failure(error, form)
  }
}

function RegistrationActions({ id, intents }: { id: string; intents: ('approve' | 'cancel')[] }) {
  const { t } = useTranslation()
  return (
    <>
      {intents.map((intent) => (
        <Form method="post" key={intent} className="inline-form">
          <input type="hidden" name="registrationId" value={id} />
          <button type="submit" name="intent" value={intent} className={intent === 'cancel' ? 'secondary' : undefined}>
            {t(`drills.detail.${intent}`)}
          </button>
        </Form>
      ))}
    </>
  )
}

export default function DrillPage() {
  const { t, i18n } = useTranslation()
  const data = useLoaderData<typeof loader>()
  const { drill, sessions, counts, myRegistration, timeZone } = data
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const locale = i18n.language
  const status = DRILL_STATUSES.find((s) => s === drill.status) ?? 'draft'
  return (
    <section className="stack narrow">
      <p>
        <Link to="/drills">{t('drills.detail.backToList')}</Link>
      </p>
      <h1>
        {drill.title} <TlpBadge tlp={drill.tlp} />
      </h1>
      {data.done ? (
        <p role="status" className="notice">
          {t(`drills.detail.done.${data.done}`, { status: t(`drills.statuses.${status}`) })}
        </p>
      ) : null}
      <FormError failure={failed} />
      {data.afterAction.attendance || data.afterAction.report ? (
        <nav className="inline-form" aria-label={t('drills.afterAction.reportLink')}>
          {data.afterAction.attendance ? <Link to={`/drills/${drill.id}/attendance`}>{t('drills.afterAction.attendanceLink')}</Link> : null}{' '}
          {data.afterAction.report ? <Link to={`/drills/${drill.id}/report`}>{t('drills.afterAction.reportLink')}</Link> : null}
        </nav>
      ) : null}
      <div className="panel">
        <dl className="facts">
          <dt>{t('drills.fields.kind')}</dt>
          <dd>
            {t(`drills.kinds.${drill.kind}`)} · {t(`drills.levels.${drill.level}`)}
          </dd>
          <dt>{t('drills.fields.organiser')}</dt>
          <dd>{drill.organiserName}</dd>
          <dt>{t('drills.fields.status')}</dt>
          <dd>{t(`drills.statuses.${drill.status}`)}</dd>
          <dt>{t('drills.create.sessions')}</dt>
          <dd>
            <ul>
              {sessions.map((s) => (
                <li key={s.id}>
                  {formatDateTime(s.startsAt, locale, timeZone)} – {formatDateTime(s.endsAt, locale, timeZone)}
                </li>
              ))}
            </ul>
            {/* A file, not a page: reloadDocument keeps Remix from fetching it as a route. */}
            <Link to={`/drills/${drill.id}.ics`} reloadDocument download>
              {t('calendar.addToCalendar')}
            </Link>
          </dd>
          {drill.venue ? (
            <>
              <dt>{t('drills.fields.venue')}</dt>
              <dd>{drill.venue}</dd>
            </>
          ) : null}
          {drill.onlineUrl ? (
            <>
              <dt>{t('drills.fields.onlineUrl')}</dt>
              <dd>
                <a href={drill.onlineUrl} rel="noreferrer noopener">
                  {drill.onlineUrl}
                </a>
              </dd>
            </>
          ) : null}
          <dt>{t('drills.fields.registrationClosesAt')}</dt>
          <dd>{formatDateTime(drill.registrationClosesAt, locale, timeZone)}</dd>
          <dt>{t('drills.fields.places')}</dt>
          <dd>{t('drills.detail.counts', { held: counts.confirmed + counts.pendingApproval, capacity: drill.capacity, waitlisted: counts.waitlisted })}</dd>
        </dl>
        {drill.description ? <MultiLine text={drill.description} /> : null}
        {drill.scenario !== null ? (
          <>
            <h2>{t('drills.fields.scenario')}</h2>
            <MultiLine text={drill.scenario || '—'} />
            <h2>{t('drills.fields.objectives')}</h2>
            <MultiLine text={drill.objectives || '—'} />
          </>
        ) : (
          <p className="muted">{t('drills.detail.scenarioHidden')}</p>
        )}
      </div>

      {myRegistration ? (
        <div className="panel">
          <p>
            {t('drills.detail.yours', { role: t(`drills.roles.${myRegistration.role}`), status: t(`drills.registrationStatuses.${myRegistration.status}`) })}
          </p>
          <Form method="post">
            <input type="hidden" name="registrationId" value={myRegistration.id} />
            <button type="submit" name="intent" value="cancel" className="secondary">
              {t('drills.detail.cancelMine')}
            </button>
          </Form>
        </div>
      ) : data.can.register.length > 0 ? (
        <div className="panel">
          <h2>{t('drills.detail.signUp')}</h2>
          <Form method="post">
            <SelectField name="role" label={t('drills.fields.role')} failure={failed} options={data.can.register.map((r) => ({ value: r, label: t(`drills.roles.${r}`) }))} />
            <button type="submit" name="intent" value="signUp">
              {t('drills.detail.signUpSubmit')}
            </button>
          </Form>
        </div>
      ) : null}

      {data.staffRegistrations.length > 0 ? (
        <div className="panel">
          <h2>{t('drills.detail.staffRegistrations')}</h2>
          <ul>
            {data.staffRegistrations.map((r) => (
              <li key={r.id}>
                {r.userName} — {t(`drills.roles.${r.role}`)} — {t(`drills.registrationStatuses.${r.status}`)}{' '}
                <RegistrationActions id={r.id} intents={r.status === 'pending_approval' ? ['approve', 'cancel'] : ['cancel']} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {data.can.manage ? (
        <div className="panel">
          <h2>{t('drills.detail.manage')}</h2>
          {data.can.edit ? (
            <p>
              <Link to={`/drills/${drill.id}/edit`}>{t('drills.detail.edit')}</Link>
            </p>
          ) : null}
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="transition" />
            {data.can.transitions.map((tr) => (
              <button key={tr} type="submit" name="transition" value={tr} className={tr === 'cancel' ? 'secondary' : undefined}>
                {t(`drills.transitions.${tr}`)}
              </button>
            ))}
          </Form>
          <h3>{t('drills.detail.registrations')}</h3>
          {data.registrations.length === 0 ? (
            <p className="muted">{t('drills.detail.noRegistrations')}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="muted">{t('drills.detail.registrations')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('drills.fields.person')}</th>
                    <th scope="col">{t('drills.fields.organisation')}</th>
                    <th scope="col">{t('drills.fields.role')}</th>
                    <th scope="col">{t('drills.fields.status')}</th>
                    <th scope="col">{t('drills.detail.manage')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.registrations.map((r) => (
                    <tr key={r.id}>
                      <td>{r.userName}</td>
                      <td>{r.organisationName}</td>
                      <td>{t(`drills.roles.${r.role}`)}</td>
                      <td>{t(`drills.registrationStatuses.${r.status}`)}</td>
                      <td>
                        <RegistrationActions id={r.id} intents={['cancel']} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ) : null}
    </section>
  )
}
