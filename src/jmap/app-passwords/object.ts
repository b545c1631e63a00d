// The AppPassword object of our JMAP extension urn:yubin:params:jmap:apppasswords (issue 15):
// one per per-device password of the account (src/auth/app-passwords.ts), with its name, scopes,
// creation and last use. The secret is never a property: AppPassword/set returns it once, in the
// created object, and nothing can read it afterwards. Offered only to a session authenticated
// with the account password (session.ts), so a device cannot mint app passwords for itself.
import { createHash } from "node:crypto";
import type { AppPassword, AppPasswordScope } from "../../store/types.js";
import type { JsonObject } from "../core/types.js";

export const CAP_APP_PASSWORDS = "urn:yubin:params:jmap:apppasswords";
export const APP_PASSWORD_PROPERTIES = ["id", "name", "scopes", "createdAt", "lastUsedAt", "lastUsedIp"];
export const SCOPES: readonly AppPasswordScope[] = ["imap", "pop3", "smtp", "jmap", "managesieve"];
/** A cheap bound before the store's own check (1–64 characters). */
const NAME_MAX_CHARS = 256;

/** RFC 8620 1.2: an Id is 1–255 of [A-Za-z0-9_-]; "p" keeps it from looking like a number. */
export const appPasswordId = (id: number): string => `p${id}`;

/** The store id behind a JMAP id, or null for anything else. */
export function parseAppPasswordId(id: string): number | null {
  if (!/^p[1-9]\d{0,14}$/.test(id)) return null;
  return Number(id.slice(1));
}

/** RFC 8620 1.4 UTCDate: no fractional seconds. */
const utc = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : null);

export function appPasswordJson(p: AppPassword): JsonObject {
  return {
    id: appPasswordId(p.id),
    name: p.name,
    scopes: [...p.scopes],
    createdAt: utc(p.createdAt),
    lastUsedAt: utc(p.lastUsedAt),
    lastUsedIp: p.lastUsedIp,
  };
}

/** RFC 8620 5.1: the state changes whenever the list does (a creation, a revocation or a new
 *  last use). No /changes is offered, so it is a digest of the content. */
export function appPasswordsState(list: readonly AppPassword[]): string {
  return createHash("sha256")
    .update(JSON.stringify(list.map(appPasswordJson)))
    .digest("base64url")
    .slice(0, 16);
}

export interface ParsedCreate {
  name: string;
  scopes: AppPasswordScope[];
  /** "withAppleProfile": true asks for an Apple configuration profile (.mobileconfig) holding
   *  the new secret, returned once as "appleProfile" in the created object, for a new iPhone,
   *  iPad or Mac; the scopes must then include smtp and imap or pop3. */
  appleProfile: boolean;
}

/** A create's properties → what to make, or the properties that are wrong (RFC 8620 5.3
 *  invalidProperties). Server-set properties may be given only as null. */
export function parseCreate(o: JsonObject): ParsedCreate | { bad: string[] } {
  const bad: string[] = [];
  let name = "";
  let scopes: AppPasswordScope[] = [];
  let appleProfile = false;
  for (const [k, v] of Object.entries(o)) {
    if (k === "withAppleProfile") {
      if (typeof v === "boolean") appleProfile = v;
      else bad.push(k);
      continue;
    }
    if (k === "name") {
      if (typeof v === "string" && v.trim().length > 0 && v.length <= NAME_MAX_CHARS) name = v;
      else bad.push(k);
    } else if (k === "scopes") {
      const ok = Array.isArray(v) && v.length > 0 && v.every((s) => SCOPES.includes(s as AppPasswordScope));
      if (ok) scopes = v as AppPasswordScope[];
      else bad.push(k);
    } else if (
      !(["id", "createdAt", "lastUsedAt", "lastUsedIp", "secret", "appleProfile"].includes(k) && v === null)
    ) {
      bad.push(k);
    }
  }
  if (!("name" in o) && !bad.includes("name")) bad.push("name");
  if (!("scopes" in o) && !bad.includes("scopes")) bad.push("scopes");
  const profileable = scopes.includes("smtp") && (scopes.includes("imap") || scopes.includes("pop3"));
  if (appleProfile && bad.length === 0 && !profileable) bad.push("withAppleProfile");
  return bad.length > 0 ? { bad } : { name, scopes, appleProfile };
}
