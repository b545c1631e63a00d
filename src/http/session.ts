// Login sessions for the web pages (admin, settings; the webmail reuses them).
// Kept in memory: a restart logs everyone out, and several nodes do not share sessions (a store
// or Redis-backed SessionStore with the same interface would). Invariants:
//  - The cookie value is 32 random bytes; the map is keyed by its SHA-256, so a heap dump or a
//    timing difference in the map lookup does not hand out usable tokens.
//  - A session expires after idleMs without use and maxAgeMs after login, whichever comes first.
//  - A new session id is issued at every login (no fixation); logout and password changes end them:
//    a session keeps the stamp of the password hash it was opened with (auth/credential.ts), and
//    dispatch.ts drops it when the account row has another, so a change made by another process
//    (`yubin user passwd`) ends it too.
//  - At most maxSessions are kept; beyond that the least recently used is dropped.
import { createHash, randomBytes } from "node:crypto";
import { credentialStamp } from "../auth/credential.js";

export const SESSION_COOKIE = "__Host-yubin_session";

export interface Session {
  accountId: number;
  address: string;
  /** credentialStamp() of the password hash at login. */
  credentialStamp: string;
  /** Synchronizer token for this session's forms (csrf.ts). */
  csrfToken: string;
  ip: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionStore {
  /** Start a session; returns the token for the cookie (shown once, never stored). */
  create(
    account: { id: number; address: string; passwordHash: string },
    ip: string,
  ): { token: string; session: Session };
  /** The live session for a cookie token, refreshed; null if unknown or expired. */
  get(token: string): Session | null;
  destroy(token: string): void;
  /** End every session of an account (password reset, disable). Returns how many. */
  destroyAccount(accountId: number): number;
  size(): number;
}

export interface SessionOptions {
  idleMs: number;
  maxAgeMs: number;
  maxSessions: number;
  now?: () => number;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");

export function createMemorySessionStore(opts: SessionOptions): SessionStore {
  const now = opts.now ?? Date.now;
  // Map keeps insertion order; get() re-inserts, so the first key is the least recently used.
  const sessions = new Map<string, Session>();
  const expired = (s: Session, t: number) =>
    t - s.lastSeenAt > opts.idleMs || t - s.createdAt > opts.maxAgeMs;

  return {
    create(account, ip) {
      const token = randomBytes(32).toString("base64url");
      const t = now();
      const session: Session = {
        accountId: account.id,
        address: account.address,
        credentialStamp: credentialStamp(account.passwordHash),
        csrfToken: randomBytes(32).toString("base64url"),
        ip,
        createdAt: t,
        lastSeenAt: t,
      };
      while (sessions.size >= opts.maxSessions) {
        const oldest = sessions.keys().next().value;
        if (oldest === undefined) break;
        sessions.delete(oldest);
      }
      sessions.set(hashToken(token), session);
      return { token, session };
    },
    get(token) {
      if (!token || token.length > 128) return null;
      const key = hashToken(token);
      const s = sessions.get(key);
      if (!s) return null;
      const t = now();
      if (expired(s, t)) {
        sessions.delete(key);
        return null;
      }
      s.lastSeenAt = t;
      sessions.delete(key);
      sessions.set(key, s);
      return s;
    },
    destroy(token) {
      sessions.delete(hashToken(token));
    },
    destroyAccount(accountId) {
      let n = 0;
      for (const [k, s] of sessions)
        if (s.accountId === accountId) {
          sessions.delete(k);
          n++;
        }
      return n;
    },
    size: () => sessions.size,
  };
}
