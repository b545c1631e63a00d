// ENVELOPE (RFC 3501 7.4.2) and the Message-IDs used for threading (RFC 5256 2.2), built from the
// first occurrence of each header field. Strings are raw (unfolded, trimmed, not decoded).

import { parseAddressList } from "./address.js";
import type { Envelope } from "./types.js";

export const ENVELOPE_FIELDS: readonly string[] = [
  "date",
  "subject",
  "from",
  "sender",
  "reply-to",
  "to",
  "cc",
  "bcc",
  "in-reply-to",
  "message-id",
  "references",
];

export function buildEnvelope(values: ReadonlyMap<string, string>): Envelope {
  const list = (name: string) => {
    const v = values.get(name);
    return v === undefined ? [] : parseAddressList(v);
  };
  const from = list("from");
  const sender = list("sender");
  const replyTo = list("reply-to");
  return {
    date: values.get("date") ?? null,
    subject: values.get("subject") ?? null,
    from,
    // RFC 3501 7.4.2: the server defaults sender and reply-to to from.
    sender: sender.length > 0 ? sender : from,
    replyTo: replyTo.length > 0 ? replyTo : from,
    to: list("to"),
    cc: list("cc"),
    bcc: list("bcc"),
    inReplyTo: values.get("in-reply-to") ?? null,
    messageId: values.get("message-id") ?? null,
  };
}

/** msg-ids in a header value, each as "<id>" with whitespace removed, duplicates dropped.
 *  Ids without angle brackets (broken mailers) are accepted when no bracketed id is present. */
export function extractMessageIds(value: string): string[] {
  const seen = new Set<string>();
  for (const m of value.matchAll(/<([^<>]*)>/g)) {
    const id = m[1]!.replace(/[ \t\r\n]+/g, "");
    if (id !== "") seen.add(`<${id}>`);
  }
  if (seen.size === 0) {
    for (const w of value.split(/[ \t\r\n,]+/)) if (w.includes("@")) seen.add(`<${w}>`);
  }
  return [...seen];
}

/** RFC 5256 2.2 (REFERENCES step): References ids; without them, the first In-Reply-To id. */
export function buildReferences(values: ReadonlyMap<string, string>): string[] {
  const refs = extractMessageIds(values.get("references") ?? "");
  if (refs.length > 0) return refs;
  const irt = extractMessageIds(values.get("in-reply-to") ?? "");
  return irt.length > 0 ? [irt[0]!] : [];
}
