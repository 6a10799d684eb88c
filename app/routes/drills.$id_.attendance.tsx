import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormError, isFailure } from '../components/form.tsx'
import { TlpBadge } from '../components/triage.tsx'
import { getAttendanceSheet, markAttendance } from '../drills/attendance.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

// The attendance sheet: one small form per registrant, so it works without JavaScript.

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Điểm danh / Attendance' }]

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { ...(await getAttendanceSheet(acting, params.id)), done: new URL(request.url).searchParams.get('done') === 'attendance', timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    await markAttendance(acting, params.id, formToObject(form))
    return redirect(`/drills/${params.id}/attendance?done=attendance`)
  } catch (error) {
    return failure(error, form)
  }
}

export default function AttendancePage() {
  const { t, i18n } = useTranslation()
  const { drill, registrants, counts, can, done, timeZone } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <section className="stack narrow">
      <p>
        <Link to={`/drills/${drill.id}`}>{t('drills.afterAction.backToDrill')}</Link>
      </p>
      <h1>
        {t('drills.afterAction.attendanceTitle', { title: drill.title })} <TlpBadge tlp={drill.tlp} />
      </h1>
      {done ? (
        <p role="status" className="notice">
          {t('drills.afterAction.done.attendance')}
        </p>
      ) : null}
      <FormError failure={isFailure(result) ? result : null} />
      <p className="hint">{can.mark ? t('drills.afterAction.attendanceIntro') : t('drills.afterAction.attendanceClosed')}</p>
      <p>{t('drills.afterAction.attendanceCounts', counts)}</p>
      <p>
        <a href={`/drills/${drill.id}/participants.csv`} download>
          {t('drills.afterAction.exportCsv')}
        </a>
      </p>
      {registrants.length === 0 ? (
        <p className="muted">{t('drills.afterAction.noRegistrants')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="muted">{t('drills.afterAction.attendanceLink')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('drills.fields.person')}</th>
                <th scope="col">{t('drills.fields.organisation')}</th>
                <th scope="col">{t('drills.fields.role')}</th>
                <th scope="col">{t('drills.csv.attendance')}</th>
              </tr>
            </thead>
            <tbody>
              {registrants.map((r) => (
                <tr key={r.id}>
                  <td>{r.userName}</td>
                  <td>{r.organisationName}</td>
                  <td>{t(`drills.roles.${r.role}`)}</td>
                  <td>
                    <strong>{t(`drills.attendance.${r.attendance ?? 'unmarked'}`)}</strong>
                    {r.attendanceMarkedAt ? (
                      <span className="muted"> · {t('drills.afterAction.markedBy', { name: r.attendanceMarkedByName ?? '', at: formatDateTime(r.attendanceMarkedAt, i18n.language, timeZone) })}</span>
                    ) : null}
                    {can.mark ? (
                      <Form method="post" className="inline-form" aria-label={r.userName}>
                        <input type="hidden" name="registrationId" value={r.id} />
                        <button type="submit" name="attendance" value="attended" className={r.attendance === 'attended' ? undefined : 'secondary'}>
                          {t('drills.afterAction.markAttended')}
                        </button>
                        <button type="submit" name="attendance" value="absent" className={r.attendance === 'absent' ? undefined : 'secondary'}>
                          {t('drills.afterAction.markAbsent')}
                        </button>
                      </Form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
