export const TLP_LABELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const
export type TlpLabel = (typeof TLP_LABELS)[number]

// Types shared by the server and the UI (navigation by role). No server code here.
export type UserRole = 'reporter' | 'responder' | 'org_admin' | 'cert_analyst' | 'sysadmin'
export const USER_ROLES: readonly UserRole[] = ['reporter', 'responder', 'org_admin', 'cert_analyst', 'sysadmin']
export type OrganisationKind = 'national_cert' | 'member'
export type ClusterOfficerRole = 'lead' | 'deputy'

/** Who is acting, with everything the policy needs, computed once per request. */
export interface Actor {
  userId: string
  organisationId: string
  organisationKind: OrganisationKind
  role: UserRole
  /** Clusters the actor's organisation belongs to today. */
  clusterIds: string[]
  /** Clusters whose lead or deputy the actor's organisation is for the current term. */
  officerOf: { clusterId: string; role: ClusterOfficerRole }[]
  /** Member organisations of the clusters above (the constituency the actor coordinates). */
  coordinatedOrganisationIds: string[]
  /**
   * Set when a machine acts with an API token (app/api-tokens/tokens.server.ts): the actor is then
   * the token's organisation, as its creating admin, and never a named person — TLP:RED, which
   * is for named people, is out of its reach.
   */
  apiTokenId?: string
}

