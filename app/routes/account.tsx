import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { changePassword } from '../auth/auth.server.ts'
import { getCalendarFeed, revokeCalendarFeed, rotateCalendarFeed } from '../drills/calendar-feeds.server.ts'
import { serializeSessionCookie } from '../auth/session.server.ts'
import { Field, FormError, SelectField, isFailure } from '../components/form.tsx'
import { formatDateTime } from '../lib/dates.ts'
import { formToObject } from '../lib/forms.ts'
import { failure, requireActing } from '../lib/route.server.ts'
import { getMyProfile, updateMyPreferences } from '../users/profile.server.ts'
import { serializeLanguageCookie } from '../server/cookies.ts'

export const meta: MetaFunction = () => [{ title: 'CSIRT Net — Tài khoản / Account' }]

export async function loader({ context, request }: LoaderFunctionArgs) {
  const acting = requireActing(context, request)
  return { profile: await getMyProfile(acting), calendarFeed: await getCalendarFeed(acting) }
}

export async function action({ context, request }: ActionFunctionArgs) {
  const acting = requireActing(context, request)
  const form = await request.formData()
  const intent = form.get('intent')
  try {
    // The feed's URL is in this one response and nowhere else: only its hash is kept.
    if (intent === 'calendarFeed') return { ok: true as const, intent: 'calendarFeed' as const, feedUrl: (await rotateCalendarFeed(acting)).url }
    if (intent === 'revokeCalendarFeed') {
      await revokeCalendarFeed(acting)
      return { ok: true as const, intent: 'revokeCalendarFeed' as const }
    }
    if (intent === 'password') {
      const session = await changePassword(acting, formToObject(form), { userAgent: context.userAgent })
      return data(
        { ok: true as const, intent: 'password' as const },
        { headers: { 'Set-Cookie': serializeSessionCookie(session.token, session.expiresAt, context.secureCookies) } },
      )
    }
    const prefs = await updateMyPreferences(acting, formToObject(form))
    return data(
      { ok: true as const, intent: 'preferences' as const },
      prefs.locale ? { headers: { 'Set-Cookie': serializeLanguageCookie(prefs.locale, context.secureCookies) } } : undefined,
    )
  } catch (error) {
    return failure(error, form)
  }
}

const ZONES = ['Asia/Ho_Chi_Minh', 'Asia/Bangkok', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'Europe/Paris', 'America/New_York', 'UTC']

export default function Account() {
  const { t, i18n } = useTranslation()
  const { profile, calendarFeed } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = isFailure(result) ? result : null
  const lastIntent = failed?.values.intent ?? (result && 'intent' in result ? result.intent : null)
  return (
    <section className="stack">
      <h1>{t('auth.account.title')}</h1>
      <div className="panel">
        <h2>{t('auth.account.profile')}</h2>
        <dl className="facts">
          <dt>{t('auth.login.email')}</dt>
          <dd>{profile.email}</dd>
          <dt>{t('admin.users.role')}</dt>
          <dd>{t(`roles.${profile.role}`)}</dd>
        </dl>
      </div>
      <div className="panel">
        <h2>{t('auth.account.preferences')}</h2>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="preferences" />
          {lastIntent === 'preferences' ? (
            failed ? <FormError failure={failed} /> : <p role="status" className="notice">{t('auth.account.saved')}</p>
          ) : null}
          <SelectField
            name="locale"
            label={t('auth.account.language')}
            defaultValue={profile.locale ?? ''}
            failure={lastIntent === 'preferences' ? failed : null}
            options={[
              { value: '', label: t('auth.account.languageAuto') },
              { value: 'vi', label: 'Tiếng Việt' },
              { value: 'en', label: 'English' },
            ]}
          />
          <SelectField
            name="timeZone"
            label={t('auth.account.timeZone')}
            defaultValue={profile.timeZone}
            failure={lastIntent === 'preferences' ? failed : null}
            options={(ZONES.includes(profile.timeZone) ? ZONES : [profile.timeZone, ...ZONES]).map((z) => ({ value: z, label: z }))}
          />
          <button type="submit">{t('auth.account.savePreferences')}</button>
        </Form>
        <p>
          <Link to="/account/notifications">{t('notifications.settingsLink')}</Link>
        </p>
      </div>
      <div className="panel">
        <h2>{t('calendar.feed.title')}</h2>
        <p>{t('calendar.feed.intro')}</p>
        {result && 'feedUrl' in result ? (
          <div role="status" className="notice">
            <p>{t('calendar.feed.shownOnce')}</p>
            <p>
              <code>{result.feedUrl}</code>
            </p>
          </div>
        ) : lastIntent === 'revokeCalendarFeed' && !failed ? (
          <p role="status" className="notice">
            {t('calendar.feed.revoked')}
          </p>
        ) : null}
        <p className="muted">
          {calendarFeed ? t('calendar.feed.active', { createdAt: formatDateTime(calendarFeed.createdAt, i18n.language, profile.timeZone) }) : t('calendar.feed.none')}
        </p>
        <Form method="post" className="inline-form">
          <button type="submit" name="intent" value="calendarFeed">
            {calendarFeed ? t('calendar.feed.rotate') : t('calendar.feed.create')}
          </button>
          {calendarFeed ? (
            <button type="submit" name="intent" value="revokeCalendarFeed" className="secondary">
              {t('calendar.feed.revoke')}
            </button>
          ) : null}
        </Form>
      </div>
      <div className="panel">
        <h2>{t('auth.account.passwordTitle')}</h2>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="password" />
          {lastIntent === 'password' ? (
            failed ? <FormError failure={failed} /> : <p role="status" className="notice">{t('auth.account.passwordChanged')}</p>
          ) : null}
          <Field name="currentPassword" type="password" label={t('auth.account.currentPassword')} autoComplete="current-password" failure={lastIntent === 'password' ? failed : null} />
          <Field name="newPassword" type="password" label={t('auth.account.newPassword')} autoComplete="new-password" hint={t('auth.invite.hint')} failure={lastIntent === 'password' ? failed : null} />
          <Field name="confirm" type="password" label={t('auth.account.confirm')} autoComplete="new-password" failure={lastIntent === 'password' ? failed : null} />
          <button type="submit">{t('auth.account.changePassword')}</button>
        </Form>
      </div>
    </section>
  )
}
