// The scopes and lifetimes a token may have, shared by the server and the token page.
export const API_TOKEN_SCOPES = ['indicators:read', 'indicators:write', 'incidents:read'] as const
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number]
export const API_TOKEN_LIFETIMES_DAYS = [30, 90, 180, 365] as const
