// Header field values in the parsed forms of RFC 8621 4.1.2: Raw, Text, Addresses,
// GroupedAddresses, MessageIds, Date, URLs; and the "header:{name}[:as{Form}][:all]" property
// syntax (4.1.3).

import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from "../../mime/address.js";
import { headerText } from "../../mime/bytes.js";
import { decodeHeaderValue } from "../../mime/encoded-word.js";
import { extractMessageIds } from "../../mime/envelope.js";
import { fieldValue, type RawField, scanHeader } from "../../mime/headers.js";
import type { MimePart } from "../../mime/types.js";
import type { Json } from "../core/types.js";

export type HeaderForm = "Raw" | "Text" | "Addresses" | "GroupedAddresses" | "MessageIds" | "Date" | "URLs";
const FORMS = new Set<string>(["Raw", "Text", "Addresses", "GroupedAddresses", "MessageIds", "Date", "URLs"]);

export interface HeaderProperty {
  name: string; // as the client wrote it (the response key keeps it)
  lname: string;
  form: HeaderForm;
  all: boolean;
}

/** Parses "header:From:asAddresses:all"; null if it is not a valid header property. */
export function parseHeaderProperty(prop: string): HeaderProperty | null {
  if (!prop.startsWith("header:")) return null;
  const parts = prop.slice(7).split(":");
  const name = parts[0] ?? "";
  if (name === "" || !/^[\x21-\x39\x3b-\x7e]+$/.test(name)) return null;
  let form: HeaderForm = "Raw";
  let all = false;
  let i = 1;
  const p1 = parts[i];
  if (p1?.startsWith("as")) {
    if (!FORMS.has(p1.slice(2))) return null;
    form = p1.slice(2) as HeaderForm;
    i++;
  }
  if (parts[i] === "all") {
    all = true;
    i++;
  }
  if (i !== parts.length) return null;
  return { name, lname: name.toLowerCase(), form, all };
}

export interface HeaderBlockView {
  buf: Buffer;
  fields: RawField[];
}

export function headerView(body: Buffer, part: Pick<MimePart, "headerStart" | "bodyStart">): HeaderBlockView {
  return { buf: body, fields: scanHeader(body, part.headerStart, part.bodyStart).fields };
}

/** RFC 8621 4.1.2.1 Raw: the octets after the colon up to the final CRLF, not unfolded. */
export function rawValue(v: HeaderBlockView, f: RawField): string {
  return headerText(v.buf, f.valueStart, f.valueEnd);
}

export interface EmailAddress {
  name: string | null;
  email: string;
}

export interface EmailAddressGroup {
  name: string | null;
  addresses: EmailAddress[];
}

function cleanName(raw: string | null): string | null {
  if (raw === null) return null;
  const s = decodeHeaderValue(raw).trim();
  return s === "" ? null : s;
}

function groupedAddresses(value: string): EmailAddressGroup[] {
  const out: EmailAddressGroup[] = [];
  let current: EmailAddressGroup | null = null;
  for (const a of parseAddressList(value)) {
    if (a.host === null && a.mailbox !== null) {
      current = { name: cleanName(a.mailbox), addresses: [] };
      out.push(current);
      continue;
    }
    if (a.host === null && a.mailbox === null) {
      current = null;
      continue;
    }
    const local = a.mailbox === MISSING_MAILBOX ? "" : (a.mailbox ?? "");
    const host = a.host === MISSING_DOMAIN ? "" : (a.host ?? "");
    const email = host === "" ? local : `${local}@${host}`;
    const addr: EmailAddress = { name: cleanName(a.name), email };
    if (current) current.addresses.push(addr);
    else {
      const last = out[out.length - 1];
      if (last && last.name === null) last.addresses.push(addr);
      else out.push({ name: null, addresses: [addr] });
    }
  }
  return out;
}

/** Longest Date value looked at: a date-time is ~40 characters, and RFC 5322 2.1.1 caps a line
 *  at 998; anything longer is not a date, however it is folded or commented. */
export const MAX_DATE_CHARS = 998;

/** Each "(" up to the next ")" replaced by a space, as value.replace(/\([^)]*\)/g, " ") did, in
 *  one pass: that regex rescanned to the end at every "(" without a ")" (quadratic, issue 18).
 *  Comments do not nest here (RFC 5322 3.2.2 allows it; Date.parse never minded the leftovers). */
export function blankComments(value: string): string {
  let out = "";
  let last = 0;
  let i = value.indexOf("(");
  while (i !== -1) {
    const close = value.indexOf(")", i + 1);
    if (close === -1) break; // no ")" after this "(", so none after a later one either
    out += `${value.slice(last, i)} `;
    last = close + 1;
    i = value.indexOf("(", last);
  }
  return last === 0 ? value : out + value.slice(last);
}

/** RFC 5322 date-time to RFC 3339 (4.1.2.6 Date), or null when unparseable. */
export function parseDate(value: string): string | null {
  if (value.length > MAX_DATE_CHARS) return null;
  const t = Date.parse(blankComments(value));
  if (!Number.isFinite(t)) return null;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** One field's value in the given form (null where the form does not parse). */
export function formValue(v: HeaderBlockView, f: RawField, form: HeaderForm): Json {
  if (form === "Raw") return rawValue(v, f);
  const value = fieldValue(v.buf, f);
  switch (form) {
    case "Text":
      return decodeHeaderValue(value).trim();
    case "Addresses":
      return groupedAddresses(value).flatMap((g) => g.addresses) as unknown as Json;
    case "GroupedAddresses":
      return groupedAddresses(value) as unknown as Json;
    case "MessageIds": {
      const ids = extractMessageIds(value).map((id) => id.slice(1, -1));
      return ids.length === 0 ? null : ids;
    }
    case "Date":
      return parseDate(value);
    case "URLs": {
      const urls = [...value.matchAll(/<([^<>]*)>/g)].map((m) => m[1]!.replace(/\s+/g, ""));
      return urls.length === 0 ? null : urls;
    }
  }
}

/** The value of a header property: the last field of that name (or all, in order). */
export function headerPropertyValue(v: HeaderBlockView, p: HeaderProperty): Json {
  const matching = v.fields.filter((f) => f.lname === p.lname);
  if (p.all) return matching.map((f) => formValue(v, f, p.form));
  const last = matching[matching.length - 1];
  if (!last) return null;
  return formValue(v, last, p.form);
}

/** All header fields as [{name, value}] with Raw values (the "headers" property). */
export function allHeaders(v: HeaderBlockView): { name: string; value: string }[] {
  return v.fields.map((f) => ({ name: f.name, value: rawValue(v, f) }));
}
