// SORT ordering (RFC 5256 3, RFC 5957 DISPLAYFROM/DISPLAYTO). Keys are computed once per message
// from the cached structure; strings compare by i;ascii-casemap, ties by mailbox order (UID).
import { decodeHeaderValue } from "../../mime/encoded-word.js";
import { extractMessageIds } from "../../mime/envelope.js";
import type { EnvelopeAddress } from "../../mime/types.js";
import type { MessageMeta, ParsedMessage } from "../../store/types.js";
import type { SortCriterion, SortKey } from "../wire/sort.js";
import { baseSubject, casemap } from "./base-subject.js";

/** What SORT and THREAD need of one message. */
export interface SortRecord {
  uid: number;
  size: number;
  arrival: number;
  /** Date header in UTC ms; the internal date when missing or unparsable (RFC 5256 2.2). */
  sent: number;
  subject: string; // base subject, case-mapped
  rawBase: string; // base subject as written
  isReply: boolean;
  from: string;
  to: string;
  cc: string;
  displayFrom: string;
  displayTo: string;
  messageId: string | null;
  references: string[];
}

/** addr-mailbox of the first address (RFC 5256 3), case-mapped. A group's first entry is its
 *  start, whose mailbox is the group's name (RFC 3501 7.4.2): that name is the key, as Dovecot
 *  sorts it, rather than the first member's mailbox. */
function firstMailbox(list: EnvelopeAddress[]): string {
  return casemap(list[0]?.mailbox ?? "");
}

/** RFC 5957 2: the first address's decoded display name, else its addr-spec; a group's name for a
 *  group (its start entry has no host), as Dovecot does. */
function display(list: EnvelopeAddress[]): string {
  const a = list[0];
  if (!a || a.mailbox === null) return "";
  const name = a.name ? decodeHeaderValue(a.name).trim() : "";
  if (name !== "") return casemap(name);
  return casemap(a.host === null ? a.mailbox : `${a.mailbox}@${a.host}`);
}

/** `parsed`: the message as getMessage gives it, or just its envelope and References
 *  (MailStore.listEnvelopes); null when the message is gone. */
export function sortRecord(
  meta: MessageMeta,
  parsed: { structure: Pick<ParsedMessage["structure"], "envelope" | "references"> } | null,
): SortRecord {
  const env = parsed?.structure.envelope;
  const arrival = meta.internalDate.getTime();
  const parsedDate = env?.date ? Date.parse(env.date) : Number.NaN;
  const subj = baseSubject(env?.subject ?? null);
  const ids = env?.messageId ? extractMessageIds(env.messageId) : [];
  return {
    uid: meta.uid,
    size: meta.size,
    arrival,
    sent: Number.isNaN(parsedDate) ? arrival : parsedDate,
    subject: casemap(subj.base),
    rawBase: subj.base,
    isReply: subj.isReply,
    from: firstMailbox(env?.from ?? []),
    to: firstMailbox(env?.to ?? []),
    cc: firstMailbox(env?.cc ?? []),
    displayFrom: display(env?.from ?? []),
    displayTo: display(env?.to ?? []),
    messageId: ids[0] ?? null,
    references: parsed?.structure.references ?? [],
  };
}

function keyOf(r: SortRecord, k: SortKey): string | number {
  switch (k) {
    case "ARRIVAL":
      return r.arrival;
    case "DATE":
      return r.sent;
    case "SIZE":
      return r.size;
    case "SUBJECT":
      return r.subject;
    case "FROM":
      return r.from;
    case "TO":
      return r.to;
    case "CC":
      return r.cc;
    case "DISPLAYFROM":
      return r.displayFrom;
    case "DISPLAYTO":
      return r.displayTo;
  }
}

export function compareRecords(a: SortRecord, b: SortRecord, criteria: SortCriterion[]): number {
  for (const c of criteria) {
    const x = keyOf(a, c.key);
    const y = keyOf(b, c.key);
    const d = x < y ? -1 : x > y ? 1 : 0;
    if (d !== 0) return c.reverse ? -d : d;
  }
  return a.uid - b.uid;
}

export function sortRecords(records: SortRecord[], criteria: SortCriterion[]): SortRecord[] {
  return [...records].sort((a, b) => compareRecords(a, b, criteria));
}
