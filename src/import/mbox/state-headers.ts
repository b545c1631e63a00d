// The header fields mbox writers keep a message's state in, rather than its content: flags
// (Status, X-Status, X-Mozilla-Status), keywords (X-Keywords, X-Mozilla-Keys), Dovecot's and
// UW-IMAP's UID bookkeeping (X-UID, X-IMAPbase, X-IMAP) and mboxcl's Content-Length.
//
// They are taken out of the message on import and written fresh on export, as Dovecot's mbox
// driver hides them from IMAP clients: they are the old mailbox's bookkeeping, and kept in the
// stored message they would go stale at the first flag change (a client reading the header would
// see "Status: RO" on a message now unread), make two copies of one message differ (so the
// duplicate check by content would miss them) and, for Content-Length, describe a body whose
// line ends the import has changed. Taking them out is also what makes export → import
// byte-identical: the export adds exactly these fields.
//
// One pass over the header lines (CRLF, as the splitter leaves them): linear, no regex.

export const MBOX_STATE_FIELDS: ReadonlySet<string> = new Set([
  "status",
  "x-status",
  "x-keywords",
  "x-uid",
  "x-imapbase",
  "x-imap",
  "content-length",
  "x-mozilla-status",
  "x-mozilla-status2",
  "x-mozilla-keys",
]);

/** Header fields the import reads, lower-case name → unfolded value (the first of each). */
export type FieldValues = Map<string, string>;

export interface Stripped {
  /** The message without its state fields (the same Buffer when it had none). */
  body: Buffer;
  /** The state fields' values, and "date" (the Date field, left in the message). */
  fields: FieldValues;
  /** Where the header ends in `body`: the start of the empty line, of the first line that is no
   *  field, or the body's length. The export writes its state fields here, so that this scan
   *  finds them again whatever the message looks like. */
  headerEnd: number;
}

/** The lower-case name of the field starting at `start`, or null when the line is no field. */
function fieldName(body: Buffer, start: number, lineEnd: number): string | null {
  const colon = body.indexOf(0x3a, start);
  if (colon === -1 || colon >= lineEnd || colon === start) return null;
  // RFC 5322 3.6.8: field-name is printable ASCII but ":"; obsolete syntax allows WSP before ":".
  let end = colon;
  while (end > start && (body[end - 1] === 0x20 || body[end - 1] === 0x09)) end--;
  if (end === start || end - start > 64) return null; // none of ours is that long
  // ftext (RFC 5322 3.6.8): printable ASCII but ":"; a line starting with white space or
  // holding a control character before its colon is no field.
  for (let i = start; i < end; i++) {
    const c = body[i]!;
    if (c <= 0x20 || c >= 0x7f) return null;
  }
  return body.toString("latin1", start, end).toLowerCase();
}

/** Removes the state fields from the message's header and returns their values. The header
 *  ends at the empty line, or at the first line that is neither a field nor a continuation. */
export function stripStateFields(body: Buffer): Stripped {
  const fields: FieldValues = new Map();
  const drop: [number, number][] = [];
  let field: { start: number; name: string; valueStart: number } | null = null;
  const endField = (end: number) => {
    if (!field) return;
    const strip = MBOX_STATE_FIELDS.has(field.name);
    if ((strip || field.name === "date") && !fields.has(field.name)) {
      // Unfold (RFC 5322 2.2.3): CRLF before WSP is removed.
      const raw = body.toString("latin1", field.valueStart, end);
      fields.set(field.name, raw.replaceAll("\r\n", "").replaceAll("\n", "").trim());
    }
    if (strip) drop.push([field.start, end]);
    field = null;
  };
  let pos = 0;
  while (pos < body.length) {
    const nl = body.indexOf(0x0a, pos);
    const lineEnd = nl === -1 ? body.length : nl + 1;
    const contentEnd = nl === -1 ? body.length : nl > pos && body[nl - 1] === 0x0d ? nl - 1 : nl;
    if (contentEnd === pos) break; // the empty line
    const c = body[pos];
    if ((c === 0x20 || c === 0x09) && field) {
      pos = lineEnd; // a continuation line
      continue;
    }
    endField(pos);
    const name = fieldName(body, pos, contentEnd);
    if (name === null) break;
    field = { start: pos, name, valueStart: body.indexOf(0x3a, pos) + 1 };
    pos = lineEnd;
  }
  endField(pos);
  if (drop.length === 0) return { body, fields, headerEnd: pos };
  const keep: Buffer[] = [];
  let at = 0;
  let removed = 0;
  for (const [s, e] of drop) {
    keep.push(body.subarray(at, s));
    removed += e - s;
    at = e;
  }
  keep.push(body.subarray(at));
  return { body: Buffer.concat(keep), fields, headerEnd: pos - removed };
}

/** Flags and keywords from the state fields (mutt's, Dovecot's, Thunderbird's). */
export function flagsFromFields(fields: FieldValues): string[] {
  const out = new Set<string>();
  // Status: R = read (O = "old", seen by a client before: not a flag here, as imported mail is
  // never \Recent).
  if (fields.get("status")?.includes("R")) out.add("\\Seen");
  const xs = fields.get("x-status") ?? "";
  if (xs.includes("A")) out.add("\\Answered");
  if (xs.includes("F")) out.add("\\Flagged");
  if (xs.includes("T")) out.add("\\Draft");
  if (xs.includes("D")) out.add("\\Deleted");
  // Thunderbird (nsMsgMessageFlags): 0x1 read, 0x2 replied, 0x4 marked, 0x8 deleted (not yet
  // compacted away), 0x1000 forwarded.
  const moz = fields.get("x-mozilla-status");
  if (moz !== undefined && /^[0-9a-f]{1,8}$/i.test(moz)) {
    const bits = Number.parseInt(moz, 16);
    if (bits & 0x1) out.add("\\Seen");
    if (bits & 0x2) out.add("\\Answered");
    if (bits & 0x4) out.add("\\Flagged");
    if (bits & 0x8) out.add("\\Deleted");
    if (bits & 0x1000) out.add("$Forwarded");
  }
  for (const name of ["x-keywords", "x-mozilla-keys"]) {
    const v = fields.get(name);
    if (!v) continue;
    // Dovecot separates keywords with spaces; some writers add commas ("a, b").
    for (let k of v.split(/[ \t]+/)) {
      while (k.endsWith(",")) k = k.slice(0, -1);
      if (isKeyword(k)) out.add(k);
    }
  }
  return [...out];
}

/** RFC 3501 flag-keyword = atom: printable ASCII but SP and atom-specials; not "\"-prefixed. */
export function isKeyword(k: string): boolean {
  return k.length > 0 && k.length <= 255 && !/[^\x21-\x7e]|[(){%*"\\\]]/.test(k);
}
