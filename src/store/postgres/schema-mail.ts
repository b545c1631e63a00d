// Tables of the directory and the mail (schema v1, issue 17): domains, accounts, aliases, send-as
// grants, domain administrators, mailboxes, subscriptions, blobs and their chunks, messages,
// expunged UIDs, the account-wide change log, \Recent claims.
export const MAIL_TABLES: readonly string[] = [];
