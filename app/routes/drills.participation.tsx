import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field } from '../components/form.tsx'
import { participationCounts } from '../drills/participation.server.ts'
import { formatNumber } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import type { FormFailure } from '../lib/forms.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'

// The yearly participation figures (a GET form: the year is in the address, so it can be shared).

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Số liệu tham gia diễn tập / Drill participation' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const year = new URL(request.url).searchParams.get('year') ?? ''
  try {
    return { ...(await participationCounts(acting, { year })), failure: null }
  } catch (error) {
    // A bad year is the user's input: show it back with its error, never a 500.
    if (error instanceof DomainError && error.code === 'validation') {
      const failure: FormFailure = { ok: false, fieldErrors: error.details.fieldErrors ?? {}, values: { year } }
      return data({ year: null, rows: [], failure }, { status: 400 })
    }
    loaderFailure(error)
  }
}

export default function ParticipationPage() {
  const { t, i18n } = useTranslation()
  const { year, rows, failure } = useLoaderData<typeof loader>()
  const n = (v: number) => formatNumber(v, i18n.language)
  return (
    <section className="stack">
      <p>
        <Link to="/drills">{t('drills.detail.backToList')}</Link>
      </p>
      <h1>{t('drills.participation.title')}</h1>
      <p className="hint">{t('drills.participation.intro')}</p>
      <Form method="get" className="inline-form">
        <Field name="year" label={t('drills.participation.year')} inputMode="numeric" defaultValue={year === null ? '' : String(year)} failure={failure} />
        <button type="submit">{t('drills.participation.show')}</button>
      </Form>
      {year === null ? null : rows.length === 0 ? (
        <p className="muted">{t('drills.participation.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="muted">{t('drills.participation.caption', { year })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('drills.participation.organisation')}</th>
                <th scope="col">{t('drills.participation.drillsAttended')}</th>
                <th scope="col">{t('drills.participation.peopleConfirmed')}</th>
                <th scope="col">{t('drills.participation.peopleAttended')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.organisationId}>
                  <td>{r.name}</td>
                  <td>{n(r.drillsAttended)}</td>
                  <td>{n(r.peopleConfirmed)}</td>
                  <td>{n(r.peopleAttended)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
