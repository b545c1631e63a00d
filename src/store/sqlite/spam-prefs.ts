// Validation of a user's spam allow/block lists (SpamPrefs), before they are stored. Entries are
// addresses ("a@b.example") or whole domains ("@b.example"), kept lower-case (RFC 5321 §2.4
// lets a local part be case-sensitive, but no filter in the field treats it so and users expect
// "Alice@" to match "alice@"), each list bounded so a user cannot grow the row without limit.
// Checked with character loops, not regular expressions: input from the webmail is scanned once.
import { StoreError } from "../errors.js";
import type { SpamPrefs } from "../types.js";

/** Most entries in one list (allow or block). */
export const SPAM_LIST_MAX_ENTRIES = 1000;
/** Longest entry, in characters: RFC 5321 §4.5.3.1 limits a path to 256 octets. */
const ENTRY_MAX_CHARS = 256;
/** RFC 5321 §4.5.3.1.1: a local part is at most 64 octets. */
const LOCAL_MAX_CHARS = 64;
/** RFC 1035 §2.3.4: a label is at most 63 octets. */
const LABEL_MAX_CHARS = 63;

function labelOk(label: string): boolean {
  if (label.length === 0 || label.length > LABEL_MAX_CHARS) return false;
  if (label.startsWith("-") || label.endsWith("-")) return false;
  for (const ch of label) {
    const c = ch.codePointAt(0) ?? 0;
    const ascii = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d;
    // Non-ASCII letters are allowed: an internationalised domain as the user typed it (RFC 6531).
    if (!ascii && c < 0x80) return false;
  }
  return true;
}

function localOk(local: string): boolean {
  if (local.length > LOCAL_MAX_CHARS) return false;
  for (const ch of local) {
    const c = ch.codePointAt(0) ?? 0;
    // No controls, spaces, '@' or quotes: the forms a filter compares, not full RFC 5322 syntax.
    if (c <= 0x20 || c === 0x7f || c === 0x40 || c === 0x22 || c === 0x3c || c === 0x3e) return false;
  }
  return true;
}

/** The entry in its stored form, or null when it is neither an address nor "@domain". */
export function normalizeListEntry(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const entry = raw.trim().toLowerCase();
  if (entry.length === 0 || entry.length > ENTRY_MAX_CHARS) return null;
  const at = entry.indexOf("@");
  if (at < 0 || entry.indexOf("@", at + 1) >= 0) return null;
  const domain = entry.slice(at + 1);
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every(labelOk)) return null;
  return localOk(entry.slice(0, at)) ? entry : null;
}

/** The list as stored: entries normalised, duplicates dropped, order kept. */
export function normalizeList(name: "allow" | "block", list: unknown): string[] {
  if (!Array.isArray(list)) throw new StoreError("invalid", `spam ${name} list is not a list`);
  const out = new Set<string>();
  for (const raw of list) {
    const entry = normalizeListEntry(raw);
    if (entry === null) {
      throw new StoreError(
        "invalid",
        `spam ${name} list: ${JSON.stringify(String(raw)).slice(0, 80)} is not an address or @domain`,
      );
    }
    out.add(entry);
    if (out.size > SPAM_LIST_MAX_ENTRIES) {
      throw new StoreError("invalid", `spam ${name} list has more than ${SPAM_LIST_MAX_ENTRIES} entries`);
    }
  }
  return [...out];
}

/** Applies a patch to the current prefs, validating every field it sets. */
export function applyPrefsPatch(cur: SpamPrefs, patch: Partial<SpamPrefs>): SpamPrefs {
  if (typeof patch !== "object" || patch === null)
    throw new StoreError("invalid", "spam prefs patch is not an object");
  const next = { ...cur };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    switch (k) {
      case "allow":
      case "block":
        next[k] = normalizeList(k, v);
        break;
      case "junkScore":
        if (v !== null && (typeof v !== "number" || !Number.isFinite(v))) {
          throw new StoreError("invalid", "spam junkScore must be a finite number or null");
        }
        next.junkScore = v;
        break;
      case "fileIntoJunk":
        if (v !== null && typeof v !== "boolean")
          throw new StoreError("invalid", "spam fileIntoJunk must be a boolean or null");
        next.fileIntoJunk = v;
        break;
      default:
        throw new StoreError("invalid", `unknown spam pref ${k}`);
    }
  }
  return next;
}
