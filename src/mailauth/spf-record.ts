// An SPF record's terms (RFC 7208 §4.6, §5, §6), parsed whole before any is evaluated: a syntax
// error anywhere is a permerror whatever would have matched first (§4.6). Domain-specs are kept
// unexpanded: their macros need the domain being evaluated (spf.ts expands them).
import { isIPv4, isIPv6 } from "node:net";
import { ipOctets } from "./spf-ip.js";
import { SpfError } from "./spf-macro.js";

export type Qualifier = "+" | "-" | "~" | "?";

export type Mechanism =
  | { kind: "all"; q: Qualifier }
  | { kind: "include" | "exists"; q: Qualifier; spec: string }
  | { kind: "a" | "mx"; q: Qualifier; spec: string | null; cidr4: number; cidr6: number }
  | { kind: "ptr"; q: Qualifier; spec: string | null }
  | { kind: "ip4" | "ip6"; q: Qualifier; net: Uint8Array; bits: number; text: string };

export interface SpfRecord {
  terms: Mechanism[];
  /** redirect= (§6.1), unexpanded; used only when no mechanism matched. */
  redirect: string | null;
  /** The record as published. */
  rr: string;
}

/** Records longer than this are refused unread (permerror); DNS allows ~64 KB of TXT, §3.4 asks
 *  publishers to stay under 450 octets. */
export const MAX_RECORD = 8192;

/** The SPF record among a name's TXT records: null when none starts with "v=spf1" (§4.5);
 *  permerror when several do. */
export function selectRecord(txt: string[][], domain: string): string | null {
  let found: string | null = null;
  for (const strings of txt) {
    const row = strings.join("");
    const t = row.trim();
    if (t.slice(0, 6).toLowerCase() !== "v=spf1" || (t.length > 6 && !/\s/.test(t[6]!))) continue;
    if (found !== null) throw new SpfError("permerror", `multiple SPF records found for ${domain}`);
    found = row;
  }
  return found;
}

export function parseRecord(rr: string): SpfRecord {
  if (rr.length > MAX_RECORD) throw new SpfError("permerror", `SPF record over ${MAX_RECORD} characters`);
  for (let i = 0; i < rr.length; i++) {
    const c = rr.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new SpfError("permerror", "DNS response includes invalid characters");
  }
  const terms: Mechanism[] = [];
  let redirect: string | null = null;
  let exp = false;
  const words = rr.trim().split(" ");
  for (let w = 1; w < words.length; w++) {
    const term = words[w]!;
    if (term === "") continue;
    const mod = modifierOf(term);
    if (mod) {
      // §6: redirect and exp at most once each; unknown modifiers are ignored (§6, §4.6.1).
      if (mod.name === "redirect") {
        if (redirect !== null) throw new SpfError("permerror", "more than 1 redirect found");
        if (mod.value === "") throw new SpfError("permerror", "Empty modifier value for redirect");
        redirect = mod.value;
      } else if (mod.name === "exp") {
        if (exp) throw new SpfError("permerror", "more than 1 exp found");
        if (mod.value === "") throw new SpfError("permerror", "Empty modifier value for exp");
        exp = true;
      }
      continue;
    }
    terms.push(mechanismOf(term));
  }
  return { terms, redirect, rr };
}

/** name "=" macro-string, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) (§4.6.1, §12). */
function modifierOf(term: string): { name: string; value: string } | null {
  const eq = term.indexOf("=");
  if (eq < 0) return null;
  const name = term.slice(0, eq);
  // "a:x=y" is a mechanism whose domain-spec holds "=" (mailauth's rule: "=" before ":" or "/").
  if (/[:/]/.test(name)) return null;
  if (!/^[a-z][a-z0-9_.-]*$/i.test(name)) throw new SpfError("permerror", `invalid modifier ${term}`);
  return { name: name.toLowerCase(), value: term.slice(eq + 1) };
}

function mechanismOf(term: string): Mechanism {
  let q: Qualifier = "+";
  let rest = term;
  const first = term[0];
  if (first === "+" || first === "-" || first === "~" || first === "?") {
    q = first;
    rest = term.slice(1);
  }
  const end = rest.search(/[:/]/);
  const name = (end < 0 ? rest : rest.slice(0, end)).toLowerCase();
  const arg = end < 0 ? null : rest.slice(end);
  switch (name) {
    case "all":
      if (arg !== null) throw new SpfError("permerror", "unexpected extension for all");
      return { kind: "all", q };
    case "include":
    case "exists":
      return { kind: name, q, spec: required(arg, term) };
    case "a":
    case "mx":
      return { kind: name, q, ...dualCidr(arg) };
    case "ptr":
      if (arg !== null && arg[0] === "/")
        throw new SpfError("permerror", `invalid domain-spec definition: ${arg}`);
      return { kind: "ptr", q, spec: arg === null ? null : required(arg, term) };
    case "ip4":
    case "ip6":
      return { kind: name, q, ...network(name, required(arg, term)) };
    default:
      throw new SpfError("permerror", `Unknown mechanism ${name}`);
  }
}

/** The text after ":" (which must be there, and not empty). */
function required(arg: string | null, term: string): string {
  if (arg === null || arg[0] !== ":" || arg.length === 1)
    throw new SpfError("permerror", arg === ":" ? "unexpected empty value" : `invalid term ${term}`);
  return arg.slice(1);
}

/** [":" domain-spec] [ip4-cidr-length] ["/" ip6-cidr-length] (§5.3, §5.4). Errors name the
 *  value as mailauth did (after the ":"). */
function dualCidr(arg: string | null): { spec: string | null; cidr4: number; cidr6: number } {
  if (arg === null) return { spec: null, cidr4: 32, cidr6: 128 };
  let spec: string | null = null;
  let rest = arg;
  if (arg[0] === ":") {
    const slash = arg.indexOf("/");
    spec = slash < 0 ? arg.slice(1) : arg.slice(1, slash);
    if (spec === "") throw new SpfError("permerror", "unexpected empty value");
    rest = slash < 0 ? "" : arg.slice(slash);
  }
  const val = arg[0] === ":" ? arg.slice(1) : arg;
  let cidr4 = 32;
  let cidr6 = 128;
  if (rest !== "") {
    const m = /^(?:\/(\d+))?(?:\/\/(\d+))?$/.exec(rest);
    if (!m || (m[1] === undefined && m[2] === undefined))
      throw new SpfError("permerror", `invalid address definition: ${val}`);
    if (m[1] !== undefined) cidr4 = cidrLength(m[1], 32, val);
    if (m[2] !== undefined) cidr6 = cidrLength(m[2], 128, val);
  }
  return { spec, cidr4, cidr6 };
}

function network(kind: "ip4" | "ip6", val: string): { net: Uint8Array; bits: number; text: string } {
  const slash = val.indexOf("/");
  const text = slash < 0 ? val : val.slice(0, slash);
  const max = kind === "ip4" ? 32 : 128;
  const bits = slash < 0 ? max : cidrLength(val.slice(slash + 1), max, val);
  const ok = kind === "ip4" ? isIPv4(text) : isIPv6(text);
  const net = ok ? ipOctets(text) : null;
  if (!net) throw new SpfError("permerror", "invalid IP address");
  return { net, bits, text };
}

/** "0" or a number without leading zeros (§5.6), at most `max`. */
function cidrLength(digits: string, max: number, val: string): number {
  if (!/^(?:0|[1-9]\d{0,2})$/.test(digits))
    throw new SpfError("permerror", `invalid address definition: ${val}`);
  if (Number(digits) > max) throw new SpfError("permerror", `invalid cidr definition: ${val}`);
  return Number(digits);
}
