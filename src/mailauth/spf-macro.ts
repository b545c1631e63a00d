// SPF macros (RFC 7208 §7): "%{d}", "%{ir}.%{v}._spf.%{d2}", "%%", "%_", "%-" in the domain-specs
// of a record. Scanned by hand in one pass (no regex over the record), so the work is linear in
// the record, and the output is bounded: a record of many "%{s}" cannot make a string of
// megabytes (MAX_EXPANSION).
import { nibbles } from "./spf-ip.js";

export class SpfError extends Error {
  constructor(
    readonly result: "permerror" | "temperror" | "none",
    readonly text: string,
  ) {
    super(text);
  }
}

export interface MacroContext {
  /** <sender> (MAIL FROM, or postmaster@HELO): "s"; its local-part "l", its domain "o". */
  sender: string;
  /** The client's address, as octets (4 or 16). */
  ip: Uint8Array;
  /** The HELO/EHLO name ("h"). */
  helo: string;
}

/** More than this from one macro-string is refused (permerror): a domain name has at most 253. */
export const MAX_EXPANSION = 4096;

const DELIMITERS = ".-+,/_=";

/** Expands a macro-string with `domain` as the current domain ("d"). Throws SpfError
 *  ("permerror") on a syntax error. "c", "r" and "t" exist only in explanations (§7.2), which we
 *  never fetch: elsewhere they are a syntax error. "p" (§7.3, "SHOULD NOT be used") is "unknown":
 *  we never validate the client's name for it, which §7.3 allows. */
export function expandMacros(spec: string, domain: string, ctx: MacroContext): string {
  if (spec.indexOf("%") < 0) return spec;
  let out = "";
  for (let i = 0; i < spec.length; ) {
    const pct = spec.indexOf("%", i);
    if (pct < 0) {
      out += spec.slice(i);
      break;
    }
    out += spec.slice(i, pct);
    const next = spec[pct + 1];
    if (next === "%") out += "%";
    else if (next === "_") out += " ";
    else if (next === "-") out += "%20";
    else if (next === "{") {
      const close = spec.indexOf("}", pct + 2);
      if (close < 0) throw new SpfError("permerror", `unterminated macro in ${spec}`);
      out += expandOne(spec.slice(pct + 2, close), domain, ctx);
      i = close + 1;
      if (out.length > MAX_EXPANSION) throw new SpfError("permerror", "macro expansion too long");
      continue;
    } else throw new SpfError("permerror", `Unexpected % in macro ${spec}`);
    i = pct + 2;
  }
  return out;
}

function expandOne(body: string, domain: string, ctx: MacroContext): string {
  const letter = body[0] ?? "";
  let value = letterValue(letter.toLowerCase(), domain, ctx);
  if (value === null) throw new SpfError("permerror", `Unknown macro letter "${letter}"`);
  let i = 1;
  let digits = "";
  while (i < body.length && body[i]! >= "0" && body[i]! <= "9") digits += body[i++];
  const reverse = body[i] === "r" || body[i] === "R";
  if (reverse) i++;
  let delims = "";
  for (; i < body.length; i++) {
    if (DELIMITERS.indexOf(body[i]!) < 0) throw new SpfError("permerror", `invalid macro %{${body}}`);
    delims += body[i];
  }
  if (digits !== "" && (Number(digits) === 0 || digits.length > 3))
    throw new SpfError("permerror", `invalid macro %{${body}}`);
  if (digits !== "" || reverse || delims !== "") {
    let parts = splitAny(value, delims === "" ? "." : delims);
    if (reverse) parts.reverse();
    if (digits !== "") parts = parts.slice(-Number(digits));
    value = parts.join(".");
  }
  // §7.3: an upper-case letter asks for the value URL-escaped (RFC 3986 unreserved kept).
  return letter !== letter.toLowerCase() ? urlEscape(value) : value;
}

function letterValue(letter: string, domain: string, ctx: MacroContext): string | null {
  const at = ctx.sender.lastIndexOf("@");
  switch (letter) {
    case "s":
      return ctx.sender;
    case "l":
      return at >= 0 ? ctx.sender.slice(0, at) : "postmaster";
    case "o":
      return at >= 0 ? ctx.sender.slice(at + 1) : ctx.sender;
    case "d":
      return domain;
    case "i":
      return ctx.ip.length === 4 ? ctx.ip.join(".") : nibbles(ctx.ip).join(".");
    case "p":
      return "unknown";
    case "v":
      return ctx.ip.length === 4 ? "in-addr" : "ip6";
    case "h":
      return ctx.helo;
    default:
      return null;
  }
}

function splitAny(value: string, delims: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++)
    if (delims.indexOf(value[i]!) >= 0) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  parts.push(value.slice(start));
  return parts;
}

function urlEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
