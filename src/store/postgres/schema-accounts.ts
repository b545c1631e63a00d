// Tables of the per-account services (schema v1, issue 17): the outbound queue, settings
// (identities, vacation), sending limits, greylisting, web sessions, app passwords, second factors.
export const ACCOUNT_TABLES: readonly string[] = [];
