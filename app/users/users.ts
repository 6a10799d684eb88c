// Shared by the server and the user-administration pages (no server code here).
export const USER_STATUSES = ['invited', 'active', 'deactivated'] as const
export type UserStatus = (typeof USER_STATUSES)[number]
