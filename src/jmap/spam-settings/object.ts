// The SpamSettings object of our JMAP extension urn:yubin:params:jmap:spam: one per account, id
// "singleton" (shaped like VacationResponse, RFC 8621 8), holding the user's spam preferences
// (SpamPrefs in src/store/types.ts): allow and block lists of addresses or "@domain", the score
// from which their mail goes to Junk, and whether it is filed there at all (null: the domain's
// or the server's setting).
import { createHash } from "node:crypto";
import type { SpamPrefs } from "../../store/types.js";
import type { JsonObject } from "../core/types.js";

export const CAP_SPAM = "urn:yubin:params:jmap:spam";
export const SINGLETON = "singleton";
export const SPAM_SETTINGS_PROPERTIES = ["id", "allow", "block", "junkScore", "fileIntoJunk"];

/** The range the server's own [spam] junkScore accepts (src/spam/config.ts). */
const JUNK_SCORE_MIN = 1;
const JUNK_SCORE_MAX = 1000;
/** A cheap bound before the store's own entry check (RFC 5321 4.5.3.1: a path is <= 256 octets). */
const ENTRY_MAX_CHARS = 256;

export function spamSettingsJson(p: SpamPrefs): JsonObject {
  return {
    id: SINGLETON,
    allow: [...p.allow],
    block: [...p.block],
    junkScore: p.junkScore,
    fileIntoJunk: p.fileIntoJunk,
  };
}

/** RFC 8620 5.1: the state changes whenever the object does. The object has no change log of
 *  its own (no /changes is offered), so the state is a digest of its content. */
export function spamSettingsState(p: SpamPrefs): string {
  return createHash("sha256")
    .update(JSON.stringify(spamSettingsJson(p)))
    .digest("base64url")
    .slice(0, 16);
}

const isEntryList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((e) => typeof e === "string" && e.length > 0 && e.length <= ENTRY_MAX_CHARS);

/** A PatchObject (whole properties only) → the SpamPrefs fields it sets, or the properties that
 *  are wrong (RFC 8620 5.3 invalidProperties). Each entry's form (address or @domain) is checked
 *  by the store, which keeps the one definition of it. */
export function parseSpamPatch(patch: JsonObject): { prefs: Partial<SpamPrefs> } | { bad: string[] } {
  const prefs: Partial<SpamPrefs> = {};
  const bad: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === "id") {
      if (v !== SINGLETON) bad.push(k);
    } else if (k === "allow" || k === "block") {
      if (isEntryList(v)) prefs[k] = v;
      else bad.push(k);
    } else if (k === "junkScore") {
      if (v === null || (typeof v === "number" && v >= JUNK_SCORE_MIN && v <= JUNK_SCORE_MAX))
        prefs.junkScore = v;
      else bad.push(k);
    } else if (k === "fileIntoJunk") {
      if (v === null || typeof v === "boolean") prefs.fileIntoJunk = v;
      else bad.push(k);
    } else bad.push(k);
  }
  return bad.length > 0 ? { bad } : { prefs };
}
