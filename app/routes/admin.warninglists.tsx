import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, isFailure, SelectField } from '../components/form.tsx'
import { TextAreaField } from '../components/triage.tsx'
import { createWarninglist, listWarninglists, setWarninglistActive } from '../iocs/warninglists.server.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

// Warninglists: the shipped ones (read-only, data) and the administrators' own, which can be
// added and switched off. A match warns on import and on the indicator; it never blocks.

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Danh sách cảnh báo / Warninglists' }]

const MATCHES = ['exact', 'cidr', 'hostname'] as const

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return await listWarninglists(acting)
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    switch (form.get('intent')) {
      case 'create':
        await createWarninglist(acting, formToObject(form))
        return redirect('/admin/warninglists?done=created')
      case 'activate':
      case 'deactivate':
        await setWarninglistActive(acting, form.get('id'), form.get('intent') === 'activate')
        return redirect('/admin/warninglists?done=updated')
      default:
        throw new DomainError('validation')
    }
  } catch (error) {
    return failure(error, form)
  }
}

export default function WarninglistsPage() {
  const { t } = useTranslation()
  const lists = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const [params] = useSearchParams()
  const done = params.get('done')
  return (
    <section className="stack">
      <h1>{t('iocs.warninglistAdmin.title')}</h1>
      <p>{t('iocs.warninglistAdmin.intro')}</p>
      {done === 'created' || done === 'updated' ? (
        <p role="status" className="notice">
          {t(`iocs.warninglistAdmin.done.${done}`)}
        </p>
      ) : null}
      <div className="panel">
        <div className="table-wrap">
          <table>
            <caption className="muted">{t('iocs.warninglistAdmin.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('iocs.warninglistAdmin.fields.name')}</th>
                <th scope="col">{t('iocs.warninglistAdmin.fields.match')}</th>
                <th scope="col">{t('iocs.warninglistAdmin.fields.count')}</th>
                <th scope="col">{t('iocs.warninglistAdmin.fields.state')}</th>
              </tr>
            </thead>
            <tbody>
              {lists.builtin.map((l) => (
                <tr key={l.id}>
                  <td>
                    {t(`iocs.warninglists.${l.id}`)} <span className="muted">({t('iocs.warninglistAdmin.shipped')})</span>
                  </td>
                  <td>{t(`iocs.warninglistAdmin.matches.${l.match}`)}</td>
                  <td>{l.count}</td>
                  <td>{t('iocs.warninglistAdmin.states.active')}</td>
                </tr>
              ))}
              {lists.custom.map((l) => (
                <tr key={l.id}>
                  <td>
                    {l.name}
                    {l.description ? <p className="muted">{l.description}</p> : null}
                  </td>
                  <td>{t(`iocs.warninglistAdmin.matches.${l.match}`)}</td>
                  <td>{l.count}</td>
                  <td>
                    {t(`iocs.warninglistAdmin.states.${l.active ? 'active' : 'inactive'}`)}
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="id" value={l.id} />
                      <button type="submit" name="intent" value={l.active ? 'deactivate' : 'activate'} className="secondary" aria-label={`${t(`iocs.warninglistAdmin.${l.active ? 'deactivate' : 'activate'}`)}: ${l.name}`}>
                        {t(`iocs.warninglistAdmin.${l.active ? 'deactivate' : 'activate'}`)}
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <div className="panel">
        <h2>{t('iocs.warninglistAdmin.add')}</h2>
        <Form method="post" noValidate>
          <FormError failure={failed} />
          <Field name="name" label={t('iocs.warninglistAdmin.fields.name')} required maxLength={120} failure={failed} />
          <Field name="description" label={t('iocs.warninglistAdmin.fields.description')} maxLength={2000} failure={failed} />
          <SelectField name="match" label={t('iocs.warninglistAdmin.fields.match')} failure={failed} options={MATCHES.map((m) => ({ value: m, label: t(`iocs.warninglistAdmin.matches.${m}`) }))} />
          <TextAreaField name="values" label={t('iocs.warninglistAdmin.fields.values')} hint={t('iocs.warninglistAdmin.hints.values')} rows={8} failure={failed} spellCheck={false} />
          <button type="submit" name="intent" value="create">
            {t('iocs.warninglistAdmin.addSubmit')}
          </button>
        </Form>
      </div>
    </section>
  )
}
