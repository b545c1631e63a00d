// RFC 5228 4.2: a redirect target must be a valid RFC 5322 mailbox address (an addr-spec, with or
// without a display name and angle brackets). Checked without a regular expression over the whole
// text: split at the last "@", each side checked by character class.

import { isDotAtom as dotAtom } from "../message.js";

/** The bare address of "Name <a@b>" or "a@b". */
export function bareAddress(s: string): string {
  const t = s.trim();
  const lt = t.lastIndexOf("<");
  if (lt !== -1 && t.endsWith(">")) return t.slice(lt + 1, -1);
  return t;
}

/**
 * The address a redirect goes to, normalized (RFC 5228 4.2: an RFC 5322 address; whitespace
 * around its parts is allowed, as CFWS is in RFC 5322 3.4.1), or null when it is not one:
 * `" Stephan Bosch < stephan @ example.org > "` -> `stephan@example.org`, a quoted local part
 * that needs no quotes loses them (`"Sirius"@example.net` -> `Sirius@example.net`).
 */
export function normalizeRedirectAddress(s: string): string | null {
  const bare = bareAddress(s).trim();
  const at = bare.lastIndexOf("@");
  if (at <= 0) return null;
  let local = bare.slice(0, at).trim();
  const domain = bare.slice(at + 1).trim();
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) {
    const inner = local.slice(1, -1);
    const unescaped = inner.replace(/\\(.)/g, "$1");
    if (dotAtom(unescaped)) local = unescaped;
    else if (/(?<!\\)"/.test(inner)) return null;
  } else if (!looseLocalPart(local)) return null;
  const domainOk = dotAtom(domain) || (domain.startsWith("[") && domain.endsWith("]"));
  return domainOk ? `${local}@${domain}` : null;
}

const ATEXT = "!#$%&'*+-/=?^_`{|}~";

/**
 * An unquoted local part as mail really has it: ASCII atext and dots, the dots anywhere
 * (".japanese..name."—RFC 5322 4.4's obsolete forms, which Japanese mobile carriers hand out and
 * Pigeonhole accepts). Non-ASCII is refused: a redirect goes out over SMTP, where a UTF-8 local
 * part needs SMTPUTF8 at every hop (RFC 6531), which a forward cannot promise.
 */
function looseLocalPart(s: string): boolean {
  if (s === "") return false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const ok =
      c === "." ||
      (c >= "a" && c <= "z") ||
      (c >= "A" && c <= "Z") ||
      (c >= "0" && c <= "9") ||
      ATEXT.includes(c);
    if (!ok) return false;
  }
  return true;
}

export function validRedirectAddress(s: string): boolean {
  return normalizeRedirectAddress(s) !== null;
}
