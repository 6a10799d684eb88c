// Values of escalation and triage shared by the server and the pages.
export const ESCALATION_URGENCIES = ['normal', 'urgent', 'immediate'] as const
export const TRIAGE_CLASSIFICATIONS = ['normal', 'serious'] as const
