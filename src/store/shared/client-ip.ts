// How much of a client's address the stores keep (an app password's last use, a web session).
// Used by the SQLite and PostgreSQL stores through shared/app-passwords.ts and
// shared/web-sessions.ts.

/** Longest client address kept (an IPv6 address with a zone is under 64). */
export const IP_MAX = 64;
