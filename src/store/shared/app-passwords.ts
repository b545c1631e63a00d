// App passwords' backend-neutral pieces: the scopes, the row as both stores read it, its
// conversion and the checks of a new one (name, scopes, hash, date). Used by the SQLite
// (sqlite/app-passwords.ts) and PostgreSQL (postgres/app-passwords.ts) stores.
import { StoreError } from "../errors.js";
import type { AppPassword, AppPasswordScope, NewAppPassword } from "../types.js";
import { checkId, millis } from "./checks.js";
import { checkDisplayName } from "./display-name.js";

export { IP_MAX } from "./client-ip.js";

/** Every scope, in the order they are stored and listed. */
export const APP_PASSWORD_SCOPES: readonly AppPasswordScope[] = [
  "imap",
  "pop3",
  "smtp",
  "jmap",
  "managesieve",
];
/** Longest name, in characters: a device's name, not a note. */
export const APP_PASSWORD_NAME_MAX = 64;

export interface AppPasswordRow {
  id: number;
  account_id: number;
  name: string;
  scopes: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  last_used_ip: string | null;
}

const isScope = (s: unknown): s is AppPasswordScope => APP_PASSWORD_SCOPES.includes(s as AppPasswordScope);

export const toAppPassword = (r: AppPasswordRow): AppPassword => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  scopes: r.scopes.split(",").filter(isScope),
  createdAt: new Date(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
  lastUsedIp: r.last_used_ip,
});

/** The name as stored (trimmed), or a StoreError: 1–64 characters, no control characters. */
export const checkName = (raw: unknown): string =>
  checkDisplayName(raw, {
    max: APP_PASSWORD_NAME_MAX,
    lengthError: `app password name must be 1 to ${APP_PASSWORD_NAME_MAX} characters`,
    controlError: "app password name has a control character",
  });

/** The scopes as stored: known ones only, each once, in APP_PASSWORD_SCOPES order. */
export function checkScopes(raw: unknown): string {
  if (!Array.isArray(raw) || raw.length === 0)
    throw new StoreError("invalid", "an app password needs at least one scope");
  for (const s of raw)
    if (!isScope(s)) throw new StoreError("invalid", `unknown app password scope ${JSON.stringify(s)}`);
  return APP_PASSWORD_SCOPES.filter((s) => raw.includes(s)).join(",");
}

/** create()'s argument, checked before the store is touched: the account id, the name and
 *  scopes as stored, the creation time in epoch milliseconds and a non-empty hash. */
export function checkNewAppPassword(p: NewAppPassword): { name: string; scopes: string; at: number } {
  checkId(p.accountId, "account");
  const name = checkName(p.name);
  const scopes = checkScopes(p.scopes);
  const at = millis(p.createdAt, "createdAt");
  if (typeof p.hash !== "string" || p.hash.length === 0)
    throw new StoreError("invalid", "app password hash missing");
  return { name, scopes, at };
}
