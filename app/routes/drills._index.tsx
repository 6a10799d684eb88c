import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { TlpBadge } from '../components/triage.tsx'
import { listDrills, mayCreateDrills, parseDrillListFilter } from '../drills/drills.server.ts'
import { DRILL_KINDS, DRILL_LEVELS, DRILL_STATUSES } from '../drills/lifecycle.ts'
import { formatDateTime } from '../lib/dates.ts'
import { loaderFailure, requireActing } from '../lib/route.server.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Diễn tập / Drills' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    const filter = parseDrillListFilter(new URL(request.url).searchParams)
    const [upcoming, past] = await Promise.all([listDrills(acting, { ...filter, when: 'upcoming' }), listDrills(acting, { ...filter, when: 'past' })])
    return { upcoming, past, filter, mayCreate: mayCreateDrills(acting), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>['upcoming'][number]

function DrillTable({ rows, caption }: { rows: Row[]; caption: string }) {
  const { t, i18n } = useTranslation()
  const { timeZone } = useLoaderData<typeof loader>()
  if (rows.length === 0) return <p className="muted">{t('drills.list.empty')}</p>
  return (
    <div className="table-wrap">
      <table>
        <caption className="muted">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('drills.fields.title')}</th>
            <th scope="col">{t('drills.fields.kind')}</th>
            <th scope="col">{t('drills.fields.organiser')}</th>
            <th scope="col">{t('drills.fields.startsAt')}</th>
            <th scope="col">{t('drills.fields.status')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id}>
              <td>
                <Link to={`/drills/${d.id}`}>{d.title}</Link> <TlpBadge tlp={d.tlp} />
              </td>
              <td>
                {t(`drills.kinds.${d.kind}`)} · {t(`drills.levels.${d.level}`)}
              </td>
              <td>{d.organiserName}</td>
              <td>{formatDateTime(d.startsAt, i18n.language, timeZone)}</td>
              <td>{t(`drills.statuses.${d.status}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export default function DrillsPage() {
  const { t } = useTranslation()
  const data = useLoaderData<typeof loader>()
  return (
    <section className="stack">
      <h1>{t('drills.list.title')}</h1>
      <p>{t('drills.list.intro')}</p>
      <p>
        <Link to="/drills/participation">{t('drills.participation.link')}</Link>
      </p>
      {data.mayCreate ? (
        <p>
          <Link to="/drills/new">{t('drills.list.newLink')}</Link>
        </p>
      ) : null}
      <Form method="get" className="panel filters" aria-label={t('drills.list.filters.legend')}>
        <div className="inline-form">
          <label htmlFor="filter-kind">{t('drills.fields.kind')}</label>
          <select id="filter-kind" name="kind" defaultValue={data.filter.kind ?? ''}>
            <option value="">{t('drills.list.filters.any')}</option>
            {DRILL_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`drills.kinds.${k}`)}
              </option>
            ))}
          </select>
          <label htmlFor="filter-level">{t('drills.fields.level')}</label>
          <select id="filter-level" name="level" defaultValue={data.filter.level ?? ''}>
            <option value="">{t('drills.list.filters.any')}</option>
            {DRILL_LEVELS.map((l) => (
              <option key={l} value={l}>
                {t(`drills.levels.${l}`)}
              </option>
            ))}
          </select>
          <label htmlFor="filter-status">{t('drills.fields.status')}</label>
          <select id="filter-status" name="status" defaultValue={data.filter.status ?? ''}>
            <option value="">{t('drills.list.filters.any')}</option>
            {DRILL_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`drills.statuses.${s}`)}
              </option>
            ))}
          </select>
          <label htmlFor="filter-year">{t('drills.list.filters.year')}</label>
          <input id="filter-year" name="year" type="number" min={2000} max={2999} inputMode="numeric" defaultValue={data.filter.year ?? ''} />
          <button type="submit">{t('drills.list.filters.apply')}</button>
          <Link to="/drills">{t('drills.list.filters.clear')}</Link>
        </div>
      </Form>
      <div className="panel">
        <h2>{t('drills.list.upcoming')}</h2>
        <DrillTable rows={data.upcoming} caption={t('drills.list.caption')} />
      </div>
      <div className="panel">
        <h2>{t('drills.list.past')}</h2>
        <DrillTable rows={data.past} caption={t('drills.list.caption')} />
      </div>
    </section>
  )
}
