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
  /** What the store's full-text index says of a BODY or TEXT key (MailStore.matchText), else
   *  undefined (every message is read). */
  textMatch?(key: Extract<SearchKey, { k: "body" | "text" }>): TextSets | undefined;
}

/** A BODY or TEXT key's answer from the full-text index: `sure` match, `maybe` are read and
 *  matched, every other message does not match; `any` is both, `sorted` both ascending. */
export interface TextSets {
  sure: Set<number>;
  maybe: Set<number>;
  any: Set<number>;
  sorted: readonly number[];
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
    case "body":
    case "text": {
      // Decided by the index unless the message is one it could not decide.
      const t = sets.textMatch?.(key);
      if (!t || t.maybe.has(m.meta.uid)) throw new Error("content key");
      return t.sure.has(m.meta.uid);
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
      const t = sets.textMatch?.(key);
      if (t?.sure.has(m.meta.uid)) return true;
      if (t && !t.maybe.has(m.meta.uid)) return false;
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
    case "text": {
      const t = sets?.textMatch?.(key);
      return t === undefined || t.maybe.size > 0;
    }
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

/** Whether a key needs nothing but UIDs: sets, \Recent and the header and text keys `sets`
 *  resolves. matchesMeta then reads no field of the candidate's meta but `uid`. With `maybe`,
 *  text keys whose index answer leaves some messages to read count too: those messages (maybeUids)
 *  go through matches(), which reads their content and nothing else of their meta. */
export function uidOnly(key: SearchKey, sets: SetResolver, maybe = false): boolean {
  switch (key.k) {
    case "all":
    case "none":
    case "uid":
    case "seq":
    case "recent":
      return true;
    case "header":
      return sets.headerUids?.(key) !== undefined;
    case "body":
    case "text": {
      const t = sets.textMatch?.(key);
      return t !== undefined && (maybe || t.maybe.size === 0);
    }
    case "not":
      return uidOnly(key.key, sets, maybe);
    case "or":
      return uidOnly(key.a, sets, maybe) && uidOnly(key.b, sets, maybe);
    case "and":
      return key.keys.every((k) => uidOnly(k, sets, maybe));
    default:
      return false;
  }
}

/** The messages some BODY or TEXT key of `key` leaves to be read (TextSets.maybe, all keys'). */
export function maybeUids(key: SearchKey, sets: SetResolver, out: Set<number> = new Set()): Set<number> {
  switch (key.k) {
    case "body":
    case "text":
      for (const u of sets.textMatch?.(key)?.maybe ?? []) out.add(u);
      break;
    case "not":
      maybeUids(key.key, sets, out);
      break;
    case "or":
      maybeUids(key.a, sets, out);
      maybeUids(key.b, sets, out);
      break;
    case "and":
      for (const k of key.keys) maybeUids(k, sets, out);
      break;
  }
  return out;
}

/** The header keys of a search whose field the store indexes (MailStore.searchHeader). */
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
