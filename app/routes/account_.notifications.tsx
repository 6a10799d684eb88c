import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormError, SelectField, isFailure } from '../components/form.tsx'
import { formToObject, type FormFailure } from '../lib/forms.ts'
import { failure, loaderFailure, requireActing } from '../lib/route.server.ts'
import { DELIVERY_MODES } from '../notifications/event-types.ts'
import {
  defaultsOrganisationChoices,
  getMyNotificationPreferences,
  getOrganisationDefaults,
  saveMyNotificationPreferences,
  saveOrganisationDefaults,
  type PreferenceRow,
} from '../notifications/preferences.server.ts'

// `account_` keeps this page out of the account page's layout: /account/notifications is a
// page of its own.

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Cài đặt thông báo / Notification settings' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  const choices = await defaultsOrganisationChoices(acting)
  let organisation: Awaited<ReturnType<typeof getOrganisationDefaults>> | null = null
  if (choices.length > 0) {
    const asked = new URL(request.url).searchParams.get('organisationId')
    try {
      organisation = await getOrganisationDefaults(acting, asked || acting.actor.organisationId)
    } catch (error) {
      loaderFailure(error)
    }
  }
  return { personal: await getMyNotificationPreferences(acting), choices, organisation }
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  const input = formToObject(form)
  try {
    if (form.get('intent') === 'organisation') {
      const saved = await saveOrganisationDefaults(acting, input)
      return data({ ok: true as const, intent: 'organisation' as const, changed: Object.keys(saved.changes).length })
    }
    const saved = await saveMyNotificationPreferences(acting, input)
    return data({ ok: true as const, intent: 'personal' as const, changed: Object.keys(saved.changes).length })
  } catch (error) {
    return failure(error, form)
  }
}

function ModeSelects({ rows, failure, kind }: { rows: PreferenceRow[]; failure: FormFailure | null; kind: 'personal' | 'organisation' }) {
  const { t } = useTranslation()
  const modeLabel = (mode: string) => t(`notifications.modes.${mode}`)
  return (
    <>
      {rows.map((row) => {
        const hintId = `${row.field}-hint`
        const hasError = Boolean(failure?.fieldErrors[row.field]?.length)
        const hint =
          row.saved !== null
            ? kind === 'personal'
              ? t('notifications.preferences.ownChoice')
              : t('notifications.preferences.organisation.savedDefault')
            : row.inheritedFrom === 'organisation'
              ? t('notifications.preferences.inheritedFromOrganisation', { mode: modeLabel(row.inherited) })
              : t('notifications.preferences.inheritedFromType', { mode: modeLabel(row.inherited) })
        return (
          <div key={row.field}>
            <SelectField
              name={row.field}
              label={t([`notifications.eventTypes.${row.eventType}`, 'notifications.eventTypes.other'])}
              defaultValue={row.mode}
              failure={failure}
              options={DELIVERY_MODES.map((mode) => ({ value: mode, label: modeLabel(mode) }))}
              aria-describedby={[hintId, hasError ? `field-${row.field}-error` : null].filter(Boolean).join(' ')}
            />
            <p id={hintId} className="hint">
              {hint}
            </p>
          </div>
        )
      })}
    </>
  )
}

export default function NotificationSettingsPage() {
  const { t } = useTranslation()
  const page = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const done = result && !isFailure(result) ? result : null
  const intent = failed?.values.intent ?? done?.intent ?? null
  const personalFailure = intent === 'personal' ? failed : null
  const organisationFailure = intent === 'organisation' ? failed : null
  const org = page.organisation

  return (
    <section className="stack">
      <h1>{t('notifications.preferences.title')}</h1>
      <p className="muted">{t('notifications.preferences.intro')}</p>
      <p className="inline-form">
        <Link to="/notifications">{t('notifications.title')}</Link>
        <Link to="/account">{t('notifications.preferences.backToAccount')}</Link>
      </p>

      <div className="panel">
        <h2>{t('notifications.preferences.personal')}</h2>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="personal" />
          {intent === 'personal' ? (
            personalFailure ? (
              <FormError failure={personalFailure} />
            ) : (
              <p role="status" className="notice">
                {done?.changed ? t('notifications.preferences.saved') : t('notifications.preferences.unchanged')}
              </p>
            )
          ) : null}
          <fieldset>
            <legend>{t('notifications.preferences.legend')}</legend>
            <ModeSelects rows={page.personal} failure={personalFailure} kind="personal" />
          </fieldset>
          <p className="muted">{t('notifications.preferences.alwaysImmediate')}</p>
          <button type="submit">{t('notifications.preferences.save')}</button>
        </Form>
      </div>

      {org ? (
        <div className="panel">
          <h2>{t('notifications.preferences.organisation.title')}</h2>
          <p className="muted">{t('notifications.preferences.organisation.intro')}</p>
          {page.choices.length > 1 ? (
            <Form method="get" className="inline-form">
              <SelectField
                name="organisationId"
                label={t('notifications.preferences.organisation.choose')}
                defaultValue={org.organisation.id}
                options={page.choices.map((o) => ({ value: o.id, label: o.shortName }))}
              />
              <button type="submit" className="secondary">
                {t('notifications.preferences.organisation.show')}
              </button>
            </Form>
          ) : (
            <p>{t('notifications.preferences.organisation.fixed', { name: org.organisation.shortName })}</p>
          )}
          <Form method="post" noValidate key={org.organisation.id}>
            <input type="hidden" name="intent" value="organisation" />
            <input type="hidden" name="organisationId" value={org.organisation.id} />
            {intent === 'organisation' ? (
              organisationFailure ? (
                <FormError failure={organisationFailure} />
              ) : (
                <p role="status" className="notice">
                  {done?.changed ? t('notifications.preferences.organisation.saved') : t('notifications.preferences.unchanged')}
                </p>
              )
            ) : null}
            <fieldset>
              <legend>{t('notifications.preferences.organisation.legend', { name: org.organisation.shortName })}</legend>
              <ModeSelects rows={org.rows} failure={organisationFailure} kind="organisation" />
            </fieldset>
            <button type="submit">{t('notifications.preferences.organisation.save')}</button>
          </Form>
        </div>
      ) : null}
    </section>
  )
}
