// SEARCH key evaluation (RFC 9051 6.4.4). Metadata keys (flags, size, dates, UIDs, MODSEQ) use the
// message list only; header and text keys load the cached structure and the body lazily, and match
// case-insensitively on decoded text (RFC 2047 words, transfer encodings and charsets undone).
// Header keys on the fields the store indexes come as UID sets (SetResolver.headerUids), asked of
// the store once per search, and are then evaluated like metadata keys.
import { decodeHeaderValue } from "../../mime/encoded-word.js";
import { headerSearchValues } from "../../mime/header-search.js";
import { getHeaderFields } from "../../mime/headers.js";
import { textOf } from "../../mime/text.js";
import type { MessageStructure, MimePart } from "../../mime/types.js";
import type { IndexedHeaderField, MessageMeta, ParsedMessage } from "../../store/types.js";
import { emailObjectId, threadObjectId } from "../format/objectid.js";
import type { SearchKey } from "../wire/search.js";
import { sentDay } from "./sent-day.js";

export interface Candidate {
  meta: MessageMeta;
  seq: number;
  parsed(): Promise<ParsedMessage | null>;
  body(): Promise<Buffer>;
}

export interface SetResolver {
  uidsOf(key: Extract<SearchKey, { k: "uid" | "seq" }>): Set<number>;
  /** \Recent in this session (RFC 3501 2.3.2). */
  isRecent(uid: number): boolean;
  /** The UIDs matching a header key, when the store answered it from its index (else undefined). */
  headerUids?(key: Extract<SearchKey, { k: "header" }>): Set<number> | undefined;
  /** A superset of the UIDs matching a BODY or TEXT key, from the store's full-text index (else
   *  undefined): a message outside it does not match, one inside is matched exactly. */
  textUids?(key: Extract<SearchKey, { k: "body" | "text" }>): Set<number> | undefined;
}

/** Keys that need only the message list, evaluated without a promise per message. */
export function matchesMeta(key: SearchKey, m: Candidate, sets: SetResolver): boolean {
  switch (key.k) {
    case "all":
      return true;
    case "none":
      return false;
    case "recent":
      return sets.isRecent(m.meta.uid) === key.set;
    case "emailid":
      return emailObjectId(m.meta.id) === key.id;
    case "threadid":
      return threadObjectId(m.meta.threadId) === key.id;
    case "flag": {
      const want = key.flag.toLowerCase();
      return m.meta.flags.some((f) => f.toLowerCase() === want) === key.set;
    }
    case "size":
      return key.op === "larger" ? m.meta.size > key.n : m.meta.size < key.n;
    case "uid":
    case "seq":
      return sets.uidsOf(key).has(m.meta.uid);
    case "modseq":
      return m.meta.modseq >= key.n;
    case "date": {
      if (key.which === "sent") throw new Error("content key");
      const day = utcDay(key.which === "saved" ? m.meta.savedDate : m.meta.internalDate);
      const want = utcDay(key.date);
      return key.op === "before" ? day < want : key.op === "on" ? day === want : day >= want;
    }
    case "not":
      return !matchesMeta(key.key, m, sets);
    case "or":
      return matchesMeta(key.a, m, sets) || matchesMeta(key.b, m, sets);
    case "and":
      return key.keys.every((k) => matchesMeta(k, m, sets));
    case "header": {
      const found = sets.headerUids?.(key);
      if (!found) throw new Error("content key");
      return found.has(m.meta.uid);
    }
    default:
      throw new Error("content key");
  }
}

export async function matches(key: SearchKey, m: Candidate, sets: SetResolver): Promise<boolean> {
  if (!needsContent(key, sets)) return matchesMeta(key, m, sets);
  switch (key.k) {
    case "date": {
      // SENT*: the Date header's day, time and zone disregarded (RFC 9051 6.4.4).
      const p = await m.parsed();
      const day = sentDay(p?.structure.envelope.date);
      if (day === null) return false;
      const want = utcDay(key.date);
      return key.op === "before" ? day < want : key.op === "on" ? day === want : day >= want;
    }
    case "header": {
      const found = sets.headerUids?.(key);
      if (found) return found.has(m.meta.uid);
      const p = await m.parsed();
      if (!p) return false;
      const body = await m.body();
      return headerMatches(body, p.structure.root, key.field, key.value);
    }
    case "body":
    case "text": {
      if (sets.textUids?.(key)?.has(m.meta.uid) === false) return false;
      const p = await m.parsed();
      if (!p) return false;
      const body = await m.body();
      const needle = key.value.toLowerCase();
      if (key.k === "text" && headerText(body, p.structure.root).includes(needle)) return true;
      return bodyContains(body, p.structure, needle);
    }
    case "not":
      return !(await matches(key.key, m, sets));
    case "or":
      return (await matches(key.a, m, sets)) || (await matches(key.b, m, sets));
    case "and":
      for (const k of key.keys) if (!(await matches(k, m, sets))) return false;
      return true;
    default:
      return matchesMeta(key, m, sets);
  }
}

function utcDay(d: Date): number {
  return Math.floor(d.getTime() / 86400000);
}

function headerMatches(body: Buffer, root: MimePart, field: string, value: string): boolean {
  const needle = value.toLowerCase();
  for (const f of getHeaderFields(body.subarray(root.headerStart, root.bodyStart))) {
    if (f.name.toUpperCase() !== field) continue;
    if (needle === "" || headerSearchValues(field, f.value).some((v) => v.includes(needle))) return true;
  }
  return false;
}

function headerText(body: Buffer, root: MimePart): string {
  return getHeaderFields(body.subarray(root.headerStart, root.bodyStart))
    .map((f) => `${f.name}: ${decodeHeaderValue(f.value)}`)
    .join("\n")
    .toLowerCase();
}

function bodyContains(body: Buffer, m: MessageStructure, needle: string): boolean {
  const stack: MimePart[] = [m.root];
  let budget = 10000; // the parse already caps parts; this bounds the walk regardless
  while (stack.length > 0 && budget-- > 0) {
    const p = stack.pop()!;
    if (p.parts.length > 0) stack.push(...p.parts);
    else if (p.message) {
      if (headerText(body, p.message.root).includes(needle)) return true;
      stack.push(p.message.root);
    } else if (p.type === "text" && textOf(body, p).toLowerCase().includes(needle)) return true;
  }
  return false;
}

/** Whether a key needs more than the message list (and the header sets `sets` resolves). */
export function needsContent(key: SearchKey, sets?: SetResolver): boolean {
  switch (key.k) {
    case "header":
      return sets?.headerUids?.(key) === undefined;
    case "body":
    case "text":
      return true;
    case "date":
      return key.which === "sent";
    case "not":
      return needsContent(key.key, sets);
    case "or":
      return needsContent(key.a, sets) || needsContent(key.b, sets);
    case "and":
      return key.keys.some((k) => needsContent(k, sets));
    default:
      return false;
  }
}

const INDEXED_FIELDS: ReadonlySet<string> = new Set<IndexedHeaderField>([
  "FROM",
  "TO",
  "CC",
  "BCC",
  "SUBJECT",
]);

export type IndexedHeaderKey = Extract<SearchKey, { k: "header" }> & { field: IndexedHeaderField };

/** The header keys of a search whose field the store indexes (MailStore.searchHeader). */
/** Whether a key needs nothing but UIDs: sets, \Recent and the header keys `sets` resolves.
 *  matchesMeta then reads no field of the candidate's meta but `uid`. */
export function uidOnly(key: SearchKey, sets: SetResolver): boolean {
  switch (key.k) {
    case "all":
    case "none":
    case "uid":
    case "seq":
    case "recent":
      return true;
    case "header":
      return sets.headerUids?.(key) !== undefined;
    case "not":
      return uidOnly(key.key, sets);
    case "or":
      return uidOnly(key.a, sets) && uidOnly(key.b, sets);
    case "and":
      return key.keys.every((k) => uidOnly(k, sets));
    default:
      return false;
  }
}

export function indexedHeaderKeys(key: SearchKey, out: IndexedHeaderKey[] = []): IndexedHeaderKey[] {
  switch (key.k) {
    case "header":
      if (INDEXED_FIELDS.has(key.field)) out.push(key as IndexedHeaderKey);
      break;
    case "not":
      indexedHeaderKeys(key.key, out);
      break;
    case "or":
      indexedHeaderKeys(key.a, out);
      indexedHeaderKeys(key.b, out);
      break;
    case "and":
      for (const k of key.keys) indexedHeaderKeys(k, out);
      break;
  }
  return out;
}

export function usesModseq(key: SearchKey): boolean {
  switch (key.k) {
    case "modseq":
      return true;
    case "not":
      return usesModseq(key.key);
    case "or":
      return usesModseq(key.a) || usesModseq(key.b);
    case "and":
      return key.keys.some(usesModseq);
    default:
      return false;
  }
}

/** Whether a key uses NEW, OLD or RECENT, which IMAP4rev2 removed (RFC 9051 Appendix E). */
export function usesRecent(key: SearchKey): boolean {
  switch (key.k) {
    case "recent":
      return true;
    case "not":
      return usesRecent(key.key);
    case "or":
      return usesRecent(key.a) || usesRecent(key.b);
    case "and":
      return key.keys.some(usesRecent);
    default:
      return false;
  }
}
