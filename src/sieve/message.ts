// The message as the tests of one run see it, parsed at most once per run: the header is scanned
// on first use and grouped by field name; decoded values (RFC 5228 2.7.2: unfolded, RFC 2047
// encoded words decoded), addresses and the MIME structure are cached the first time a test asks.

import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from "../mime/address.js";
import { decodeHeaderValue } from "../mime/encoded-word.js";
import { fieldValue, type RawField, scanHeader } from "../mime/headers.js";
import { parseStructure } from "../mime/parse.js";
import type { MessageStructure } from "../mime/types.js";

export interface SieveAddress {
  local: string;
  domain: string;
  /** RFC 5228 2.7.4: an address that is not syntactically valid (no local part or no domain)
   *  is matched by :all only, as its text; :localpart, :domain... never match it. */
  invalid?: string;
}

const EMPTY: readonly string[] = [];
const NO_ADDRESSES: readonly SieveAddress[] = [];

export class MessageView {
  private byName: Map<string, RawField[]> | null = null;
  private fieldList: RawField[] = [];
  private decodedCache = new Map<string, readonly string[]>();
  private rawCache = new Map<string, readonly string[]>();
  private addressCache = new Map<string, readonly SieveAddress[]>();
  private structureCache: MessageStructure | null = null;
  private derivedCache = new Map<string, unknown>();
  private bodyStart = 0;

  constructor(readonly raw: Buffer) {}

  get size(): number {
    return this.raw.length;
  }

  private index(): Map<string, RawField[]> {
    if (this.byName !== null) return this.byName;
    const block = scanHeader(this.raw, 0, this.raw.length);
    this.bodyStart = block.bodyStart;
    this.fieldList = block.fields;
    const m = new Map<string, RawField[]>();
    for (const f of block.fields) {
      const list = m.get(f.lname);
      if (list === undefined) m.set(f.lname, [f]);
      else list.push(f);
    }
    this.byName = m;
    return m;
  }

  /** Where the body starts (after the blank line ending the header). */
  bodyOffset(): number {
    this.index();
    return this.bodyStart;
  }

  /** All header fields in order (editheader, :index counting). */
  fields(): readonly RawField[] {
    this.index();
    return this.fieldList;
  }

  /** Whether the header has a field of this (lower-case) name. */
  has(lname: string): boolean {
    return this.index().has(lname);
  }

  /** The fields' values unfolded but not decoded (lower-case name). */
  rawValues(lname: string): readonly string[] {
    const cached = this.rawCache.get(lname);
    if (cached !== undefined) return cached;
    const fields = this.index().get(lname);
    const out = fields === undefined ? EMPTY : fields.map((f) => fieldValue(this.raw, f));
    this.rawCache.set(lname, out);
    return out;
  }

  /** The fields' values as the header test compares them (RFC 5228 5.7, 2.7.2: encoded words decoded). */
  values(lname: string): readonly string[] {
    const cached = this.decodedCache.get(lname);
    if (cached !== undefined) return cached;
    const raw = this.rawValues(lname);
    const out = raw.length === 0 ? EMPTY : raw.map(decodeHeaderValue);
    this.decodedCache.set(lname, out);
    return out;
  }

  /** The addresses in the fields of this name (RFC 5228 5.1), groups flattened. */
  addresses(lname: string): readonly SieveAddress[] {
    const cached = this.addressCache.get(lname);
    if (cached !== undefined) return cached;
    const raw = this.rawValues(lname);
    let out: SieveAddress[] | readonly SieveAddress[] = NO_ADDRESSES;
    if (raw.length > 0) {
      const list: SieveAddress[] = [];
      for (const v of raw) list.push(...addressesOf(v));
      out = list;
    }
    this.addressCache.set(lname, out);
    return out;
  }

  /** Something derived from this message (the body test's texts), computed once per view: a
   *  view is one message, so an edited or replaced message never sees stale values. */
  derived<T>(key: string, init: () => T): T {
    if (this.derivedCache.has(key)) return this.derivedCache.get(key) as T;
    const v = init();
    this.derivedCache.set(key, v);
    return v;
  }

  /** RFC 5173 5: false when the header is not followed by an empty line (then there is no body
   *  at all, not even an empty one). */
  hasBody(): boolean {
    const start = this.bodyOffset();
    if (start < this.raw.length) return true;
    const r = this.raw;
    const n = r.length;
    return (
      n >= 2 && r[n - 1] === 0x0a && (r[n - 2] === 0x0a || (n >= 3 && r[n - 2] === 0x0d && r[n - 3] === 0x0a))
    );
  }

  /** The MIME structure (body extension, enotify...), parsed on first use. */
  structure(): MessageStructure {
    this.structureCache ??= parseStructure(this.raw);
    return this.structureCache;
  }
}

/** Addresses of one header value; group markers are left out, a missing part is "". */
export function addressesOf(value: string): SieveAddress[] {
  const out: SieveAddress[] = [];
  // An empty field is one (invalid) empty address: `address :all "resent-to" ""` matches it.
  if (value.trim() === "") return [{ local: "", domain: "", invalid: "" }];
  const list = parseAddressList(value);
  for (const a of list) {
    if (a.host === null || a.mailbox === null) continue;
    const local = a.mailbox === MISSING_MAILBOX ? "" : unquoteLocal(a.mailbox);
    const domain = a.host === MISSING_DOMAIN ? "" : a.host;
    if (local === "" || domain === "")
      out.push({
        local,
        domain,
        invalid: list.length === 1 ? value.trim() : domain === "" ? local : `${local}@${domain}`,
      });
    else out.push({ local, domain });
  }
  return out;
}

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

/** RFC 5322 3.2.3 dot-atom-text. */
export function isDotAtom(s: string): boolean {
  if (s === "" || s.startsWith(".") || s.endsWith(".") || s.includes("..")) return false;
  for (const c of s) if (c !== "." && !isAtext(c)) return false;
  return true;
}

/** A quoted local part loses its quotes when it needs none ("\"sirius\"" -> "sirius", as
 *  Pigeonhole normalizes); one that needs them ("\"john doe\"") keeps them. */
export function unquoteLocal(s: string): string {
  if (s.length < 2 || s[0] !== '"' || s[s.length - 1] !== '"') return s;
  const inner = s.slice(1, -1).replace(/\\(.)/g, "$1");
  return isDotAtom(inner) ? inner : s;
}

/** Splits an envelope address "local@domain" (RFC 5228 5.4) at its last "@"; "" for <>. */
export function splitAddress(addr: string): SieveAddress {
  let a = addr.trim();
  if (a.startsWith("<") && a.endsWith(">")) a = a.slice(1, -1);
  const at = a.lastIndexOf("@");
  if (at === -1) return { local: a, domain: "" };
  return { local: unquoteLocal(a.slice(0, at)), domain: a.slice(at + 1) };
}
