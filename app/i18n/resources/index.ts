import { admin } from './admin.ts'
import { apiTokens } from './apiTokens.ts'
import { attachments } from './attachments.ts'
import { auth } from './auth.ts'
import { calendar } from './calendar.ts'
import { common } from './common.ts'
import { drills } from './drills.ts'
import { incidents } from './incidents.ts'
import { incidentList } from './incidentList.ts'
import { iocs } from './iocs.ts'
import { notifications } from './notifications.ts'
import { orgs } from './orgs.ts'
import { triage } from './triage.ts'

// One file per area, each holding both languages side by side so a missing translation shows
// in review (test/i18n.test.ts compares the key sets). Everything lives in one namespace:
// common keys at the top (nav.*, errors.*, validation.*), each area under its own name
// (auth.*, admin.*), so a domain error's messageKey is usable as it is.
export const resources = {
  vi: { translation: { ...common.vi, incidents: incidents.vi, attachments: attachments.vi, auth: auth.vi, admin: admin.vi, orgs: orgs.vi, notifications: notifications.vi, incidentList: incidentList.vi, triage: triage.vi, drills: drills.vi, calendar: calendar.vi, iocs: iocs.vi, apiTokens: apiTokens.vi } },
  en: { translation: { ...common.en, incidents: incidents.en, attachments: attachments.en, auth: auth.en, admin: admin.en, orgs: orgs.en, notifications: notifications.en, incidentList: incidentList.en, triage: triage.en, drills: drills.en, calendar: calendar.en, iocs: iocs.en, apiTokens: apiTokens.en } },
}
