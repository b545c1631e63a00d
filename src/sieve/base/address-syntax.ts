// RFC 5228 4.2: a redirect target must be a valid RFC 5322 mailbox address (an addr-spec, with or
// without a display name and angle brackets). Checked without a regular expression over the whole
// text: split at the last "@", each side checked by character class.
import { splitAddress } from "../message.js";

const ATEXT = "!#$%&'*+-/=?^_`{|}~";

function isAtext(c: string): boolean {
  return (
    (c >= "a" && c <= "z") ||
    (c >= "A" && c <= "Z") ||
    (c >= "0" && c <= "9") ||
    ATEXT.includes(c) ||
    c > "\x7f"
  );
}

function dotAtom(s: string): boolean {
  if (s === "" || s.startsWith(".") || s.endsWith(".") || s.includes("..")) return false;
  for (const c of s) if (c !== "." && !isAtext(c)) return false;
  return true;
}

/** The bare address of "Name <a@b>" or "a@b", or null when it has no angle brackets part. */
export function bareAddress(s: string): string {
  const lt = s.lastIndexOf("<");
  if (lt !== -1 && s.endsWith(">")) return s.slice(lt + 1, -1);
  return s;
}

export function validRedirectAddress(s: string): boolean {
  const bare = bareAddress(s.trim());
  const at = bare.lastIndexOf("@");
  if (at <= 0) return false;
  const { domain } = splitAddress(bare);
  const local = bare.slice(0, at);
  const localOk = (local.startsWith('"') && local.endsWith('"') && local.length >= 2) || dotAtom(local);
  const domainOk = dotAtom(domain) || (domain.startsWith("[") && domain.endsWith("]"));
  return localOk && domainOk;
}
