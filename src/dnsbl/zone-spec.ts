// A DNS list as the admin writes it in [dnsbl], in Postfix postscreen_dnsbl_sites syntax, which
// admins already know:
//
//   "zone"                               any 127.0.0.0/8 answer, weight 1
//   "zone*3"                             any answer, weight 3
//   "zone=127.0.0.[2..3;9]*reject"       only those answers; a listing refuses the client outright
//   "list.dnswl.org=127.0.[0..255].[1..3]*-5"   an allowlist: a negative weight
//
// Each of the four octets of the pattern is a number, "[a..b]" or "[a;b;c]" (mixable:
// "[1;4..6]"). Answers outside 127.0.0.0/8 and 127.255.255.0/24 (Spamhaus' "query refused" /
// "public resolver" codes) never match: they are errors, not listings (RFC 5782 §2.1, §5).

export type Weight = number | "reject";

export interface ZoneSpec {
  /** As written, for logs and replies. */
  text: string;
  zone: string;
  /** Per octet, the values that match; null = any 127.0.0.0/8 answer. */
  pattern: ReadonlySet<number>[] | null;
  weight: Weight;
}

const ZONE_RE =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** Parse one entry; a message naming the problem when it is malformed. */
export function parseZoneSpec(text: string): ZoneSpec | string {
  const m = /^([^=*\s]+)(?:=([^*\s]+))?(?:\*(-?\d{1,4}|reject))?$/.exec(text.trim());
  if (!m) return `"${text}": expected zone[=pattern][*weight], e.g. "bl.example=127.0.0.[2..11]*3"`;
  const zone = m[1]!.toLowerCase();
  if (!ZONE_RE.test(zone)) return `"${text}": "${zone}" is not a DNS zone name`;
  let pattern: ReadonlySet<number>[] | null = null;
  if (m[2] !== undefined) {
    const p = parsePattern(m[2]);
    if (typeof p === "string") return `"${text}": ${p}`;
    pattern = p;
  }
  const w = m[3];
  const weight: Weight = w === undefined ? 1 : w === "reject" ? "reject" : Number(w);
  if (weight === 0) return `"${text}": weight 0 would make the list do nothing`;
  return { text: text.trim(), zone, pattern, weight };
}

function parsePattern(p: string): ReadonlySet<number>[] | string {
  const octets = splitOutsideBrackets(p); // dots outside "[a..b]"
  if (octets.length !== 4) return `pattern "${p}" must have four octets`;
  const out: Set<number>[] = [];
  for (const o of octets) {
    const set = new Set<number>();
    const body = o.startsWith("[") && o.endsWith("]") ? o.slice(1, -1) : o;
    for (const part of body.split(";")) {
      const r = /^(\d{1,3})(?:\.\.(\d{1,3}))?$/.exec(part);
      const lo = Number(r?.[1]);
      const hi = r?.[2] === undefined ? lo : Number(r[2]);
      if (!r || lo > 255 || hi > 255 || lo > hi) return `pattern octet "${o}" must be n, [a..b] or [a;b]`;
      for (let i = lo; i <= hi; i++) set.add(i);
    }
    out.push(set);
  }
  if (!out[0]?.has(127) || out[0].size !== 1) return `pattern "${p}" must start with 127 (RFC 5782 §2.1)`;
  return out;
}

/** For the config's validate hook: the first malformed entry, or null. */
export function checkZoneSpecs(list: string[]): string | null {
  for (const t of list) {
    const r = parseZoneSpec(t);
    if (typeof r === "string") return r;
  }
  return null;
}

export type AnswerClass = "listing" | "refused" | "invalid";

/** RFC 5782 §2.1: listings are 127.0.0.0/8 except 127.0.0.1 (reserved for the "not listed"
 *  case of some lists, §5); Spamhaus answers 127.255.255.x when it refuses the query. */
export function classifyAnswer(ip: string): AnswerClass {
  const o = ip.split(".").map(Number);
  if (o.length !== 4 || o[0] !== 127 || o.some((n) => !Number.isInteger(n) || n < 0 || n > 255))
    return "invalid";
  if (o[1] === 255 && o[2] === 255) return "refused";
  return "listing";
}

/** Whether a listing answer is one the spec counts. */
export function matches(spec: ZoneSpec, ip: string): boolean {
  if (classifyAnswer(ip) !== "listing") return false;
  if (!spec.pattern) return true;
  const o = ip.split(".").map(Number);
  return spec.pattern.every((set, i) => set.has(o[i]!));
}

/** Splits at the dots that are not inside "[...]", in one pass. */
function splitOutsideBrackets(p: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "[") depth++;
    else if (c === "]") depth = Math.max(0, depth - 1);
    else if (c === "." && depth === 0) {
      parts.push(p.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(p.slice(start));
  return parts;
}
