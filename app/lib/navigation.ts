import type { OrganisationKind, UserRole } from '../policy/actor.ts'

// What the header offers each role. It only hides links: every page still authorizes itself.
export interface NavItem {
  to: string
  labelKey: string
}

export function navigationFor(user: { role: UserRole; organisationKind?: OrganisationKind }): NavItem[] {
  const items: NavItem[] = [{ to: '/', labelKey: 'nav.home' }]
  // Administrators administer; incidents are the business of the organisations' staff.
  if (user.role !== 'sysadmin') items.push({ to: '/incidents', labelKey: 'nav.incidents' })
  if (user.organisationKind === 'national_cert' && (user.role === 'cert_analyst' || user.role === 'org_admin')) {
    items.push({ to: '/triage', labelKey: 'nav.triage' })
  }
  if (user.role !== 'sysadmin') items.push({ to: '/coordination', labelKey: 'nav.coordination' })
  // Drills are for the organisations' staff too (issue 6); administrators administer.
  if (user.role !== 'sysadmin') items.push({ to: '/drills', labelKey: 'nav.drills' })
  // Indicators (issue 5): every organisation reads what is shared with it; sharing is for responders.
  if (user.role !== 'sysadmin') items.push({ to: '/indicators', labelKey: 'nav.indicators' })
  items.push({ to: '/organisations', labelKey: 'nav.organisations' }, { to: '/clusters', labelKey: 'nav.clusters' })
  if (user.role === 'org_admin' || user.role === 'sysadmin') {
    items.push({ to: '/admin/users', labelKey: 'nav.users' }, { to: '/admin/audit', labelKey: 'nav.audit' })
  }
  if (user.role === 'sysadmin') items.push({ to: '/admin/notifications', labelKey: 'nav.mail' })
  items.push({ to: '/account', labelKey: 'nav.account' })
  return items
}
