// Web and JMAP sessions' backend-neutral pieces: the bounds, the row as both stores read it, its
// conversion and the checks on a kind, a token hash and a new session. Used by the SQLite
// (sqlite/web-sessions.ts) and PostgreSQL (postgres/web-sessions.ts) stores.
import { StoreError } from "../errors.js";
import type { WebSession, WebSessionKind } from "../types.js";
import { checkId, millis } from "./checks.js";

export { IP_MAX } from "./client-ip.js";

/** Longest token hash accepted (SHA-256 in base64url is 43). */
export const HASH_MAX = 128;
/** Expired sessions removed per create, and at most one such sweep per SWEEP_EVERY_MS. */
export const SWEEP_LIMIT = 500;
export const SWEEP_EVERY_MS = 60_000;

export interface WebSessionRow {
  kind: WebSessionKind;
  token_hash: string;
  account_id: number;
  credential_stamp: string;
  ip: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  idle_ms: number;
}

export const toSession = (r: WebSessionRow): WebSession => ({
  kind: r.kind,
  tokenHash: r.token_hash,
  accountId: r.account_id,
  credentialStamp: r.credential_stamp,
  ip: r.ip,
  createdAt: new Date(r.created_at),
  lastSeenAt: new Date(r.last_seen_at),
  expiresAt: new Date(r.expires_at),
  idleMs: r.idle_ms,
});

export function kindOf(k: unknown): WebSessionKind {
  if (k !== "web" && k !== "jmap") throw new StoreError("invalid", `unknown session kind ${String(k)}`);
  return k;
}

export function hashOf(h: unknown): string {
  if (typeof h !== "string" || h.length === 0 || h.length > HASH_MAX)
    throw new StoreError("invalid", "bad session token hash");
  return h;
}

/** Past its absolute end, or idle for its idle time. */
export const expired = (r: Pick<WebSessionRow, "expires_at" | "last_seen_at" | "idle_ms">, now: number) =>
  now >= r.expires_at || now - r.last_seen_at >= r.idle_ms;

/** create()'s arguments, checked before the store is touched: the kind, the token hash, the
 *  account id, the three times in epoch milliseconds, the idle timeout, and the limits (at least 1). */
export function checkNewSession(
  w: WebSession,
  limits: { maxPerAccount: number; maxTotal: number },
): {
  kind: WebSessionKind;
  hash: string;
  created: number;
  seen: number;
  expires: number;
  perAccount: number;
  total: number;
} {
  const kind = kindOf(w.kind);
  const hash = hashOf(w.tokenHash);
  checkId(w.accountId, "account");
  const created = millis(w.createdAt, "createdAt");
  const seen = millis(w.lastSeenAt, "lastSeenAt");
  const expires = millis(w.expiresAt, "expiresAt");
  if (!Number.isSafeInteger(w.idleMs) || w.idleMs <= 0) throw new StoreError("invalid", "bad idleMs");
  const perAccount = Math.max(1, Math.floor(limits.maxPerAccount));
  const total = Math.max(1, Math.floor(limits.maxTotal));
  return { kind, hash, created, seen, expires, perAccount, total };
}
