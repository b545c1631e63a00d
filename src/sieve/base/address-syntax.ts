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
  } else if (!dotAtom(local)) return null;
  const domainOk = dotAtom(domain) || (domain.startsWith("[") && domain.endsWith("]"));
  return domainOk ? `${local}@${domain}` : null;
}

export function validRedirectAddress(s: string): boolean {
  return normalizeRedirectAddress(s) !== null;
}
