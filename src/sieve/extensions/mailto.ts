// mailto URIs (RFC 6068) as the enotify mailto method reads them (RFC 5436): recipients from the
// "to" part and the to/cc fields, subject, body, and the other header fields minus the ones a
// notification must not take from a script (RFC 5436 2.7: the message's own trace and identity
// fields, Auto-Submitted which we set). One left-to-right pass; the URI comes from the script and
// from variables filled with message text, so everything is bounded and linear.

export interface MailtoRecipient {
  address: string;
  cc: boolean;
  /** The display name when the URI gave a mailbox ("Name <address>", as clients write and
   *  Pigeonhole accepts), as written (RFC 2047 encoded words left as they are). */
  name?: string;
}

export interface MailtoUri {
  recipients: MailtoRecipient[];
  subject: string | null;
  body: string | null;
  /** Other header fields the notification carries, in URI order. */
  headers: { name: string; value: string }[];
}

export type MailtoParse = { ok: true; uri: MailtoUri } | { ok: false; error: string };

export interface MailtoLimits {
  /** Recipients kept (the rest dropped, RFC 5436 2.7 leaves the policy to the server). */
  maxRecipients: number;
  /** Header fields kept. */
  maxHeaders: number;
}

/** URI header fields kept: a notification needs a subject, a body and a few more; past that a URI
 *  is a way to stuff a message, not to notify. */
export const MAILTO_MAX_HEADERS = 16;

/** The defaults ([sieve] notifyMaxRecipients is 8 unless configured). */
const DEFAULT_LIMITS: MailtoLimits = { maxRecipients: 8, maxHeaders: MAILTO_MAX_HEADERS };

/** RFC 5436 2.7 / RFC 6068 7: fields a URI may not set (ignored, not an error). */
const RESERVED = new Set([
  "auto-submitted",
  "received",
  "message-id",
  "date",
  "bcc",
  "in-reply-to",
  "references",
  "resent-date",
  "resent-from",
  "resent-sender",
  "resent-to",
  "resent-cc",
  "resent-bcc",
  "resent-msg-id",
  "from",
  "sender",
  "return-path",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
]);
/** Fields a notification carries once (later copies ignored). */
const UNIQUE = new Set(["reply-to"]);

/** RFC 6068 2: qchar = unreserved / pct-encoded / some-delims (the "%" handled apart). */
function isQchar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x5f || // _
    c === 0x7e || // ~
    c === 0x21 || // !
    c === 0x24 || // $
    c === 0x27 || // '
    c === 0x28 || // (
    c === 0x29 || // )
    c === 0x2a || // *
    c === 0x2b || // +
    c === 0x2c || // ,
    c === 0x3b || // ;
    c === 0x3a || // :
    c === 0x40 // @
  );
}

const hex = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x61 + 10 : -1;

class MailtoError extends Error {}

/** Decodes one part (up to a stop character), checking raw characters; returns UTF-8 text. */
function decodePart(s: string, from: number, stop: string, what: string): { text: string; end: number } {
  const bytes: number[] = [];
  let i = from;
  for (; i < s.length && !stop.includes(s[i]!); i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const v = (hex(s.charCodeAt(i + 1)) << 4) | hex(s.charCodeAt(i + 2));
      if (hex(s.charCodeAt(i + 1)) < 0 || hex(s.charCodeAt(i + 2)) < 0 || v === 0) {
        throw new MailtoError(`invalid %-encoding in ${what}`);
      }
      bytes.push(v);
      i += 2;
    } else if (isQchar(c) || (c === 0x3d && what !== "header field name")) {
      bytes.push(c);
    } else {
      throw new MailtoError(`invalid character '${s[i]}' in ${what}`);
    }
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(Uint8Array.from(bytes));
  return { text, end: i };
}

// RFC 5322 3.2.3 atext and 3.4.1 addr-spec, without the obsolete forms or comments.
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const QUOTED_LOCAL = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\uffff]|\\[\x20-\x7e])*"$/;
const DOMAIN_LITERAL = /^\[[\x21-\x5a\x5e-\x7e]*\]$/;
const UTF8_ATEXT =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*$/;

/** An RFC 5322 addr-spec (RFC 6531 UTF-8 allowed in the local part and domain)? */
export function isAddrSpec(a: string): boolean {
  if (a.length === 0 || a.length > 320) return false;
  const at = a.lastIndexOf("@");
  if (at <= 0 || at === a.length - 1) return false;
  const local = a.slice(0, at);
  const domain = a.slice(at + 1);
  const localOk = UTF8_ATEXT.test(local) || QUOTED_LOCAL.test(local);
  const domainOk = (ATEXT.test(domain) || UTF8_ATEXT.test(domain)) && domain.includes(".");
  return localOk && (domainOk || DOMAIN_LITERAL.test(domain) || /^[A-Za-z0-9-]+$/.test(domain));
}

/** RFC 5322 3.6.8 field-name: printable US-ASCII but ":". */
export function isFieldName(n: string): boolean {
  return /^[\x21-\x39\x3b-\x7e]+$/.test(n);
}

/** The items of a decoded to/cc list: split at commas outside quoted strings. */
function splitList(list: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) {
      out.push(list.slice(start, i));
      start = i + 1;
    }
  }
  out.push(list.slice(start));
  return out;
}

/** An addr-spec, or a mailbox "Name <addr-spec>": the address and the name; null when neither. */
function mailbox(item: string): { address: string; name?: string } | null {
  const s = item.trim();
  if (isAddrSpec(s)) return { address: s };
  const lt = s.lastIndexOf("<");
  if (lt === -1 || !s.endsWith(">")) return null;
  const address = s.slice(lt + 1, -1).trim();
  if (!isAddrSpec(address)) return null;
  const name = s.slice(0, lt).trim();
  return name === "" ? { address } : { address, name };
}

function addRecipients(uri: MailtoUri, list: string, cc: boolean, limits: MailtoLimits): void {
  if (list.trim() === "") return;
  for (const item of splitList(list)) {
    const m = mailbox(item);
    if (m === null) throw new MailtoError(`invalid recipient '${item.trim().slice(0, 80)}'`);
    const seen = uri.recipients.find((r) => r.address.toLowerCase() === m.address.toLowerCase());
    if (seen) seen.cc &&= cc;
    else if (uri.recipients.length < limits.maxRecipients) uri.recipients.push({ ...m, cc });
  }
}

/** Parses and checks a mailto URI; `ok: false` carries the first problem found. */
export function parseMailto(uri: string, limits: MailtoLimits = DEFAULT_LIMITS): MailtoParse {
  if (uri.slice(0, 7).toLowerCase() !== "mailto:") return { ok: false, error: "not a mailto URI" };
  const out: MailtoUri = { recipients: [], subject: null, body: null, headers: [] };
  try {
    let i = 7;
    // RFC 6068 2: to = addr-spec *("," addr-spec), each percent-encoded as needed.
    const toStart = i;
    for (; i < uri.length && uri[i] !== "?"; i++) {
      const c = uri[i]!;
      if (c === ";" || c === ":") throw new MailtoError(`invalid character '${c}' in 'to' part`);
    }
    const to = decodePart(uri.slice(toStart, i), 0, "", "'to' part").text;
    if (to !== "") addRecipients(out, to, false, limits);
    if (uri[i] === "?") i++;
    let fields = 0;
    while (i < uri.length) {
      const name = decodePart(uri, i, "=&", "header field name");
      i = name.end;
      if (uri[i] === "=") i++;
      const value = decodePart(uri, i, "&", "header field value");
      i = value.end;
      if (uri[i] === "&") i++;
      if (!isFieldName(name.text)) throw new MailtoError("invalid header field name");
      const lname = name.text.toLowerCase();
      if (lname !== "body" && /[\r\n]/.test(value.text.replace(/\r\n(?=[ \t])/g, ""))) {
        throw new MailtoError("invalid header field value");
      }
      if (++fields > limits.maxHeaders) continue;
      if (lname === "to" || lname === "cc") addRecipients(out, value.text, lname === "cc", limits);
      else if (lname === "subject") out.subject ??= value.text;
      else if (lname === "body") out.body ??= value.text;
      else if (RESERVED.has(lname)) continue;
      else if (UNIQUE.has(lname) && out.headers.some((h) => h.name.toLowerCase() === lname)) continue;
      else out.headers.push({ name: name.text, value: value.text });
    }
  } catch (e) {
    if (e instanceof MailtoError) return { ok: false, error: e.message };
    throw e;
  }
  if (out.recipients.length === 0) return { ok: false, error: "no recipients" };
  return { ok: true, uri: out };
}

/** RFC 5436 2.3: a :from value must be an address, bare or as "Name <address>". */
export function isValidFrom(from: string): boolean {
  const f = from.trim();
  const lt = f.lastIndexOf("<");
  if (lt !== -1 && f.endsWith(">")) return isAddrSpec(f.slice(lt + 1, -1));
  return isAddrSpec(f);
}
