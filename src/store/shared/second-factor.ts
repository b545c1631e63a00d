// Second factors' backend-neutral pieces: the bounds, the passkey row as both stores read it, its
// conversion and the checks on a TOTP step, recovery codes and a new passkey (name, id,
// transports, key, counter). Used by the SQLite (sqlite/second-factor.ts) and PostgreSQL
// (postgres/second-factor.ts) stores. The TOTP row is not here: SQLite keeps `confirmed` as 0/1,
// PostgreSQL as a boolean.
import { StoreError } from "../errors.js";
import type { NewWebAuthnCredential, WebAuthnCredential } from "../types.js";
import { checkId, millis } from "./checks.js";
import { checkDisplayName } from "./display-name.js";

/** Longest credential name, in characters. */
export const CREDENTIAL_NAME_MAX = 64;
/** Longest credential id, base64url (WebAuthn §5.8.3 caps ids at 1023 bytes → 1364 chars). */
export const CREDENTIAL_ID_MAX = 1364;
/** Most recovery codes kept per account. */
export const RECOVERY_CODES_MAX = 100;

export interface CredRow {
  id: string;
  account_id: number;
  public_key: Buffer;
  counter: number;
  transports: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

export const toCredential = (r: CredRow): WebAuthnCredential => ({
  id: r.id,
  accountId: r.account_id,
  publicKey: new Uint8Array(r.public_key),
  counter: r.counter,
  transports: r.transports === "" ? [] : r.transports.split(","),
  name: r.name,
  createdAt: new Date(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
});

export function step(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new StoreError("invalid", `bad TOTP step ${n}`);
}

export const checkName = (raw: unknown): string =>
  checkDisplayName(raw, {
    max: CREDENTIAL_NAME_MAX,
    lengthError: `a passkey name must be 1 to ${CREDENTIAL_NAME_MAX} characters`,
    controlError: "a passkey name has a control character",
  });

export function checkCredentialId(raw: unknown): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > CREDENTIAL_ID_MAX || !/^[\w-]+$/.test(raw))
    throw new StoreError("invalid", "a credential id must be base64url, 1 to 1023 bytes");
  return raw;
}

/** Transports as stored: short lower-case tokens (WebAuthn §5.8.4), comma-joined. */
export function checkTransports(raw: unknown): string {
  if (!Array.isArray(raw) || raw.length > 8) throw new StoreError("invalid", "bad transports");
  for (const t of raw)
    if (typeof t !== "string" || !/^[a-z-]{1,16}$/.test(t)) throw new StoreError("invalid", "bad transport");
  return raw.join(",");
}

/** setRecoveryCodes' hashes: at most RECOVERY_CODES_MAX, each a non-empty string of at most 256. */
export function checkRecoveryHashes(hashes: readonly string[]): void {
  if (!Array.isArray(hashes) || hashes.length > RECOVERY_CODES_MAX)
    throw new StoreError("invalid", `at most ${RECOVERY_CODES_MAX} recovery codes`);
  for (const h of hashes)
    if (typeof h !== "string" || h.length === 0 || h.length > 256)
      throw new StoreError("invalid", "bad recovery code hash");
}

/** addCredential's argument, checked before the store is touched: the account id, the credential
 *  id, name and transports as stored, the creation time, a public key of 1–2048 bytes and a
 *  non-negative signature counter. */
export function checkNewCredential(c: NewWebAuthnCredential): {
  credId: string;
  name: string;
  transports: string;
  created: number;
} {
  checkId(c.accountId, "account");
  const credId = checkCredentialId(c.id);
  const name = checkName(c.name);
  const transports = checkTransports(c.transports);
  const created = millis(c.createdAt, "createdAt");
  if (!(c.publicKey instanceof Uint8Array) || c.publicKey.length === 0 || c.publicKey.length > 2048)
    throw new StoreError("invalid", "bad public key");
  if (!Number.isSafeInteger(c.counter) || c.counter < 0) throw new StoreError("invalid", "bad counter");
  return { credId, name, transports, created };
}
