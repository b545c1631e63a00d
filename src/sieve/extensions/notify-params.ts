// enotify (RFC 5435) arguments apart from any method: the method URI's scheme, :options,
// :importance, and the :encodeurl variable modifier (RFC 5435 6). Only the mailto method
// (RFC 5436) is implemented, so only it is "valid" (RFC 5435 9.1 valid_notify_method).
import { isValidFrom, parseMailto } from "./mailto.js";

/** The methods this server can notify with. */
export const NOTIFY_METHODS: ReadonlySet<string> = new Set(["mailto"]);

/** The URI scheme (RFC 3986 3.1), lower-cased, or null when the text is not a URI. */
export function uriScheme(uri: string): string | null {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  return m ? m[1]!.toLowerCase() : null;
}

/** Why a method URI is unusable, or null when it is fine (RFC 5435 3.1, RFC 5436 2.1). */
export function methodProblem(uri: string): string | null {
  const scheme = uriScheme(uri);
  if (scheme === null) return `invalid notify method URI '${uri.slice(0, 80)}'`;
  if (!NOTIFY_METHODS.has(scheme)) return `notify method '${scheme}' is not supported`;
  const p = parseMailto(uri);
  return p.ok ? null : `invalid mailto URI: ${p.error}`;
}

/** RFC 5435 9.1 valid_notify_method: every URI names a method we have and is valid for it. */
export function validNotifyMethods(uris: readonly string[]): boolean {
  return uris.length > 0 && uris.every((u) => methodProblem(u) === null);
}

/** RFC 5435 9.2 notify_method_capability for mailto: "online" is "maybe" (RFC 5436 2.2), any
 *  other capability is unknown; null for an unusable URI (the test then fails). */
export function notifyMethodCapability(uri: string, capability: string): string | null {
  if (methodProblem(uri) !== null) return null;
  return capability.toLowerCase() === "online" ? "maybe" : null;
}

/** RFC 5435 3.3 option = optionname "=" value; name starts with a letter or digit. */
export function optionProblem(option: string): string | null {
  const eq = option.indexOf("=");
  if (eq === -1) return `option '${option.slice(0, 40)}' lacks '='`;
  const name = option.slice(0, eq);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) return `invalid option name '${name.slice(0, 40)}'`;
  if (/[\r\n]/.test(option.slice(eq + 1))) return `option '${name}' has a line break in its value`;
  return null;
}

/** RFC 5436 2.3: the :from value. */
export function fromProblem(from: string): string | null {
  return isValidFrom(from) ? null : `invalid :from address '${from.slice(0, 80)}'`;
}

/** RFC 5435 3.4 :importance "1" (high) / "2" (normal) / "3" (low). */
export function parseImportance(v: string): 1 | 2 | 3 | null {
  return v === "1" ? 1 : v === "2" ? 2 : v === "3" ? 3 : null;
}

/** RFC 5435 6 :encodeurl: percent-encode every octet of the UTF-8 text but RFC 3986 unreserved. */
export function encodeUrl(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const unreserved =
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      (b >= 0x30 && b <= 0x39) ||
      b === 0x2d ||
      b === 0x2e ||
      b === 0x5f ||
      b === 0x7e;
    out += unreserved ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
