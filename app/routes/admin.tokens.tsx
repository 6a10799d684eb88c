import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, isFailure, SelectField } from '../components/form.tsx'
import { API_TOKEN_LIFETIMES_DAYS, API_TOKEN_SCOPES } from '../api-tokens/scopes.ts'
import { createApiToken, listApiTokens, revokeApiToken } from '../api-tokens/tokens.server.ts'
import { formatDateTime } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'

// An organisation admin's API tokens: make one (shown once, here, in the answer to the POST —
// never in a URL or a later page), see the list with last use, revoke.

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Khóa API / API tokens' }]

const scopeKey = (scope: string) => `apiTokens.scopes.${scope.replace(':', '_')}`

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  try {
    return { tokens: await listApiTokens(acting), timeZone: context.timeZone }
  } catch (error) {
    loaderFailure(error)
  }
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  try {
    switch (form.get('intent')) {
      case 'create': {
        const made = await createApiToken(acting, formToObject(form))
        return { ok: true as const, made: { name: made.name, token: made.token }, revoked: false }
      }
      case 'revoke':
        await revokeApiToken(acting, form.get('tokenId'))
        return { ok: true as const, made: null, revoked: true }
      default:
        throw new DomainError('validation')
    }
  } catch (error) {
    return failure(error, form)
  }
}

export default function ApiTokensPage() {
  const { t, i18n } = useTranslation()
  const { tokens, timeZone } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const done = result && !isFailure(result) ? result : null
  const scopeErrors = failed?.fieldErrors.scopes ?? []
  return (
    <section className="stack">
      <h1>{t('apiTokens.title')}</h1>
      <p>{t('apiTokens.intro')}</p>
      <p>
        <a href="/api/openapi.json">{t('apiTokens.docs')}</a>
      </p>
      {done?.made ? (
        <div role="status" className="notice">
          <p>{t('apiTokens.created', { name: done.made.name })}</p>
          <label htmlFor="new-token">{t('apiTokens.fields.token')}</label>
          <input id="new-token" readOnly value={done.made.token} size={60} spellCheck={false} autoComplete="off" />
        </div>
      ) : null}
      {done?.revoked ? (
        <p role="status" className="notice">
          {t('apiTokens.revoked')}
        </p>
      ) : null}

      <div className="panel">
        {tokens.length === 0 ? (
          <p className="muted">{t('apiTokens.empty')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="muted">{t('apiTokens.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('apiTokens.fields.name').split(' (')[0]}</th>
                  <th scope="col">{t('apiTokens.fields.prefix')}</th>
                  <th scope="col">{t('apiTokens.fields.scopes')}</th>
                  <th scope="col">{t('apiTokens.fields.createdBy')}</th>
                  <th scope="col">{t('apiTokens.fields.expiresAt')}</th>
                  <th scope="col">{t('apiTokens.fields.lastUsed')}</th>
                  <th scope="col">{t('apiTokens.fields.state')}</th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((token) => (
                  <tr key={token.id}>
                    <td>{token.name}</td>
                    <td>
                      <code>{token.prefix}…</code>
                    </td>
                    <td>{token.scopes.map((s) => t(scopeKey(s))).join(', ')}</td>
                    <td>{token.createdByName}</td>
                    <td>{formatDateTime(token.expiresAt, i18n.language, timeZone)}</td>
                    <td>{token.lastUsedAt ? `${formatDateTime(token.lastUsedAt, i18n.language, timeZone)} (${token.lastUsedIp ?? '—'})` : t('apiTokens.never')}</td>
                    <td>
                      {t(`apiTokens.states.${token.state}`)}
                      {token.state === 'active' ? (
                        <Form method="post" className="inline-form">
                          <input type="hidden" name="tokenId" value={token.id} />
                          <button type="submit" name="intent" value="revoke" className="secondary" aria-label={t('apiTokens.revokeLabel', { name: token.name })}>
                            {t('apiTokens.revoke')}
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
      </div>

      <div className="panel">
        <h2>{t('apiTokens.create')}</h2>
        <Form method="post" noValidate>
          <FormError failure={failed} />
          <Field name="name" label={t('apiTokens.fields.name')} required maxLength={100} failure={failed} />
          <fieldset className={`field${scopeErrors.length ? ' field--invalid' : ''}`} aria-describedby={scopeErrors.length ? 'field-scopes-error' : undefined}>
            <legend>{t('apiTokens.fields.scopes')}</legend>
            {API_TOKEN_SCOPES.map((scope) => (
              <div className="field field--checkbox" key={scope}>
                <input id={`field-scopes-${scope}`} type="checkbox" name="scopes" value={scope} defaultChecked={scope === 'indicators:read'} />
                <label htmlFor={`field-scopes-${scope}`}>{t(scopeKey(scope))}</label>
              </div>
            ))}
            {scopeErrors.length ? (
              <p id="field-scopes-error" className="field-error">
                {scopeErrors.map((e) => t(e)).join(' ')}
              </p>
            ) : null}
          </fieldset>
          <SelectField
            name="lifetimeDays"
            label={t('apiTokens.fields.lifetimeDays')}
            defaultValue="90"
            failure={failed}
            options={API_TOKEN_LIFETIMES_DAYS.map((d) => ({ value: String(d), label: t(`apiTokens.lifetimes.${d}`) }))}
          />
          <button type="submit" name="intent" value="create">
            {t('apiTokens.createSubmit')}
          </button>
        </Form>
      </div>
      <p>
        <Link to="/admin/users">←</Link>
      </p>
    </section>
  )
}
