// Login sessions for the web pages (admin, settings), kept in the store (WebSessionStore, kind
// "web"): they survive a restart and are shared by every process on the store. Invariants:
//  - The cookie value is 32 random bytes; the store keeps only its SHA-256, so a copy of the
//    database or a heap dump opens no session.
//  - The CSRF token is derived from the cookie token (SHA-256 under its own label), not stored:
//    a page can always show it, since the request carries the cookie, and the database holds
//    nothing that would let someone forge a form for a logged-in user.
//  - A session expires after idleMs without use and maxAgeMs after login, whichever comes first.
//    Its last use is written at most every touchEveryMs (a minute, or a quarter of idleMs if
//    shorter), not at every request: the idle clock is that much coarser, the store is spared a
//    write per page.
//  - A new session id is issued at every login (no fixation); logout and password changes end them:
//    a session keeps the stamp of the password hash it was opened with (auth/credential.ts), and
//    dispatch.ts drops it when the account row has another, so a change made by another process
//    (`yubin user passwd`) ends it too.
//  - At most maxPerAccount per account and maxSessions in all; beyond that the least recently
//    seen go (the store does it, in the transaction that adds one).
import { createHash, randomBytes } from "node:crypto";
import { credentialStamp } from "../auth/credential.js";
import type { WebSessionStore } from "../store/types.js";

export const SESSION_COOKIE = "__Host-yubin_session";

export interface Session {
  accountId: number;
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
    account: { id: number; passwordHash: string },
    ip: string,
  ): Promise<{ token: string; session: Session }>;
  /** The live session for a cookie token, its use recorded; null if unknown or expired. */
  get(token: string): Promise<Session | null>;
  destroy(token: string): Promise<void>;
  /** End every session of an account (disable, second factor turned on), but the one with the
   *  token `except`. Returns how many. */
  destroyAccount(accountId: number, opts?: { except?: string }): Promise<number>;
  size(): Promise<number>;
}

export interface SessionOptions {
  idleMs: number;
  maxAgeMs: number;
  maxSessions: number;
  maxPerAccount: number;
  now?: () => number;
}

/** Longest cookie value looked up (ours are 43 characters). */
const MAX_TOKEN_LENGTH = 128;

export const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");
const csrfFor = (token: string) =>
  createHash("sha256").update("yubin-csrf\0").update(token).digest("base64url");

/** How stale a recorded last use may get before a request writes it again. */
export const touchEvery = (idleMs: number) => Math.min(60_000, Math.floor(idleMs / 4));

export function createSessionStore(store: WebSessionStore, opts: SessionOptions): SessionStore {
  const now = opts.now ?? Date.now;
  const limits = { maxPerAccount: opts.maxPerAccount, maxTotal: opts.maxSessions };
  const touchMs = touchEvery(opts.idleMs);

  return {
    async create(account, ip) {
      const token = randomBytes(32).toString("base64url");
      const t = now();
      const stamp = credentialStamp(account.passwordHash);
      await store.create(
        {
          kind: "web",
          tokenHash: hashToken(token),
          accountId: account.id,
          credentialStamp: stamp,
          ip,
          createdAt: new Date(t),
          lastSeenAt: new Date(t),
          expiresAt: new Date(t + opts.maxAgeMs),
          idleMs: opts.idleMs,
        },
        limits,
      );
      const session = {
        accountId: account.id,
        credentialStamp: stamp,
        csrfToken: csrfFor(token),
        ip,
        createdAt: t,
        lastSeenAt: t,
      };
      return { token, session };
    },
    async get(token) {
      if (!token || token.length > MAX_TOKEN_LENGTH) return null;
      const key = hashToken(token);
      const t = now();
      const s = await store.get("web", key, new Date(t));
      if (!s) return null;
      let lastSeenAt = s.lastSeenAt.getTime();
      if (t - lastSeenAt >= touchMs) {
        await store.touch("web", key, new Date(t));
        lastSeenAt = t;
      }
      return {
        accountId: s.accountId,
        credentialStamp: s.credentialStamp,
        csrfToken: csrfFor(token),
        ip: s.ip,
        createdAt: s.createdAt.getTime(),
        lastSeenAt,
      };
    },
    async destroy(token) {
      if (token && token.length <= MAX_TOKEN_LENGTH) await store.remove("web", hashToken(token));
    },
    destroyAccount(accountId, o = {}) {
      const except = o.except && o.except.length <= MAX_TOKEN_LENGTH ? hashToken(o.except) : undefined;
      return store.removeAccount(accountId, { kind: "web", ...(except ? { except } : {}) });
    },
    size: () => store.count("web"),
  };
}
