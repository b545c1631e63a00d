// RFC 9051 6.4.4 SEARCH / UID SEARCH, RFC 4731 ESEARCH (RETURN MIN MAX ALL COUNT), RFC 5182 SAVE,
// RFC 7162 3.1.5 MODSEQ criterion (the response then carries the highest MODSEQ found). After
// ENABLE IMAP4rev2 a plain SEARCH is answered with ESEARCH and NEW/OLD/RECENT are refused.
import type { MailStore, MessageMeta, ParsedMessage } from "../../store/types.js";
import { bad, no } from "../errors.js";
import {
  type Candidate,
  indexedHeaderKeys,
  matches,
  matchesMeta,
  maybeUids,
  needsContent,
  type SetResolver,
  type TextSets,
  uidOnly,
  usesModseq,
  usesRecent,
} from "../search/evaluate.js";
import { narrowUids, textField, textKeys } from "../search/narrow.js";
import { isRecent, type SelectedMailbox } from "../state.js";
import type { SearchKey } from "../wire/search.js";
import { formatSet } from "../wire/sequence.js";
import { enableCondstore } from "./condstore.js";
import type { Session } from "./context.js";
import { type CommandSpec, SELECTED } from "./types.js";

const BATCH = 1000;

export const search: CommandSpec<"SEARCH"> = {
  states: SELECTED,
  async run(cmd, s) {
    const sel = s.requireSelected();
    const { args } = cmd;
    if (args.charset && !["UTF-8", "US-ASCII"].includes(args.charset.toUpperCase()))
      throw no("Unsupported charset", "BADCHARSET (UTF-8 US-ASCII)");
    rejectRemovedKeys(s, args.key);
    const modseq = usesModseq(args.key);
    if (modseq) {
      enableCondstore(s, sel); // RFC 7162 3.1: a CONDSTORE-enabling command
    }
    const mail = s.app.store.mail;
    const sets = await resolverFor(mail, sel, args.key);
    let uids: number[];
    let highest = 0;
    if (!modseq && uidOnly(args.key, sets, true)) {
      // Nothing but UIDs needed: no listing of the mailbox (SEARCH FROM x is one index query,
      // SEARCH BODY x one or a few). Only the messages the indexes leave are looked at, and only
      // those the full-text index could not decide are read. Messages known to be expunged
      // elsewhere (not yet reported) match nothing, as below.
      uids = await uidSearch(mail, sel, args.key, sets);
    } else {
      const found = await runSearch(mail, sel, args.key, sets);
      uids = found.map((m) => m.uid);
      highest = highestReturned(found, args.returns);
    }
    const nums = cmd.uid ? uids : uids.map((u) => sel.uids.seqOf(u));
    // RFC 9051 6.4.4: in IMAP4rev2 a SEARCH without RETURN is RETURN (ALL), answered by ESEARCH.
    const returns = args.returns ?? (s.rev2 ? ["ALL"] : null);
    if (returns?.includes("SAVE")) sel.savedSearch = uids;
    if (returns === null) {
      const tail = modseq && nums.length > 0 ? ` (MODSEQ ${highest})` : "";
      s.sendLine(`* SEARCH${nums.length > 0 ? ` ${nums.join(" ")}` : ""}${tail}`);
    } else if (returns.some((r) => r !== "SAVE")) {
      // RFC 5182 2.4: with SAVE alone no ESEARCH response is sent.
      // A tag never contains quoted-specials (RFC 9051 9), so it can be quoted as is.
      let line = `* ESEARCH (TAG "${cmd.tag}")`;
      if (cmd.uid) line += " UID";
      if (nums.length > 0) {
        // nums ascend: UIDs and sequence numbers grow together.
        if (returns.includes("MIN")) line += ` MIN ${nums[0]}`;
        if (returns.includes("MAX")) line += ` MAX ${nums[nums.length - 1]}`;
        if (returns.includes("ALL")) line += ` ALL ${formatSet(nums)}`;
      }
      if (returns.includes("COUNT")) line += ` COUNT ${nums.length}`;
      if (modseq && nums.length > 0) line += ` MODSEQ ${highest}`;
      s.sendLine(line);
    }
    return undefined;
  },
};

/** The MODSEQ an answer carries (RFC 4731 3.2 as RFC 7162 3.1.5 keeps it): with MIN or MAX alone,
 *  that message's; with MIN and MAX but neither ALL nor COUNT, the higher of those two; otherwise
 *  the highest of all messages found. `found` ascends by UID. */
function highestReturned(found: MessageMeta[], returns: string[] | null): number {
  const first = found[0];
  const last = found[found.length - 1];
  if (!first || !last) return 0;
  const r = new Set(returns ?? []);
  if (!r.has("ALL") && !r.has("COUNT")) {
    if (r.has("MIN") && r.has("MAX")) return Math.max(first.modseq, last.modseq);
    if (r.has("MIN")) return first.modseq;
    if (r.has("MAX")) return last.modseq;
  }
  return found.reduce((a, m) => Math.max(a, m.modseq), 0);
}

/** NEW, OLD and RECENT are not IMAP4rev2 search keys (RFC 9051 Appendix E, item 2). */
export function rejectRemovedKeys(s: Session, key: SearchKey): void {
  if (s.rev2 && usesRecent(key)) throw bad("NEW, OLD and RECENT are not IMAP4rev2 search keys");
}

/** A search whose key passed uidOnly(key, sets, true), ascending UIDs. */
async function uidSearch(
  mail: MailStore,
  sel: SelectedMailbox,
  key: SearchKey,
  sets: SetResolver,
): Promise<number[]> {
  const only = narrowUids(key, sets);
  const read = maybeUids(key, sets);
  const uids: number[] = [];
  const probe = uidCandidate(0, 0);
  // A lone BODY or TEXT key: its answer is ascending already.
  const lone = key.k === "body" || key.k === "text" ? sets.textMatch?.(key)?.sorted : undefined;
  const order = lone ?? (only ? Float64Array.from(only).sort() : null);
  const count = order ? order.length : sel.uids.size;
  for (let i = 0; i < count; i++) {
    const uid = order ? order[i]! : sel.uids.uidAt(i + 1);
    const seq = order ? sel.uids.seqOf(uid) : i + 1;
    if (seq === 0 || sel.deferredExpunges?.has(uid)) continue;
    // Synchronous unless the message is to be read: no promise (nor object) per message decided
    // by the indexes; matchesMeta reads the candidate's UID only, and keeps nothing of it.
    if (read.has(uid)) {
      if (await matches(key, contentCandidate(mail, sel, uid, seq), sets)) uids.push(uid);
    } else {
      probe.meta.uid = uid;
      probe.seq = seq;
      if (matchesMeta(key, probe, sets)) uids.push(uid);
    }
  }
  return uids;
}

/** A candidate for a key that passed uidOnly(): matchesMeta reads nothing of it but meta.uid. */
function uidCandidate(uid: number, seq: number): Candidate {
  return { meta: { uid } as MessageMeta, seq, parsed: noContent, body: noContent };
}
const noContent = () => Promise.reject(new Error("a UID-only key reads no message"));

/** As uidCandidate, for a message the full-text index left to read: matches() reads its content
 *  (for BODY and TEXT keys) and of its meta only the UID. */
function contentCandidate(mail: MailStore, sel: SelectedMailbox, uid: number, seq: number): Candidate {
  let parsed: Promise<ParsedMessage | null> | null = null;
  const load = () => {
    parsed ??= mail.getMessage(sel.mailbox.id, uid);
    return parsed;
  };
  return {
    meta: { uid } as MessageMeta,
    seq,
    parsed: load,
    body: async () => {
      const p = await load();
      if (!p) throw new Error("message gone");
      return mail.readBody(p.meta.blobId);
    },
  };
}

/** The sets a search's keys refer to: UID and sequence sets, \Recent, indexed header keys. */
async function resolverFor(mail: MailStore, sel: SelectedMailbox, key: SearchKey): Promise<SetResolver> {
  // Indexed header keys first: one store query each (per distinct field and text), then they are
  // matched like metadata keys; a search made of them alone reads no message content.
  const headerSets = new Map<object, Set<number>>();
  const byText = new Map<string, Set<number>>();
  for (const k of indexedHeaderKeys(key)) {
    const id = `${k.field}\0${k.value}`;
    let found = byText.get(id);
    if (!found) {
      found = new Set(await mail.searchHeader(sel.mailbox.id, k.field, k.value));
      byText.set(id, found);
    }
    headerSets.set(k, found);
  }
  // BODY and TEXT: the full-text index's answer (null: it cannot answer; every message is read).
  const textSets = new Map<object, TextSets>();
  const textById = new Map<string, TextSets>();
  for (const k of textKeys(key)) {
    const id = `${k.k}\0${k.value}`;
    let found = textById.get(id);
    if (!found) {
      const m = await mail.matchText({ mailboxId: sel.mailbox.id }, textField(k), k.value);
      if (!m) continue;
      const sure = new Set(m.sure);
      const maybe = new Set(m.maybe);
      found = {
        sure,
        maybe,
        any: maybe.size === 0 ? sure : new Set([...m.sure, ...m.maybe]),
        sorted: maybe.size === 0 ? m.sure : [...m.sure, ...m.maybe].sort((x, y) => x - y),
      };
      textById.set(id, found);
    }
    textSets.set(k, found);
  }
  const setCache = new Map<object, Set<number>>();
  const sets: SetResolver = {
    isRecent: (uid: number) => isRecent(sel, uid),
    headerUids: (k) => headerSets.get(k),
    textMatch: (k) => textSets.get(k),
    uidsOf(k: Extract<SearchKey, { k: "uid" | "seq" }>): Set<number> {
      let r = setCache.get(k);
      if (!r) {
        r = new Set(
          k.k === "uid"
            ? sel.uids.resolveUid(k.set, sel.savedSearch)
            : sel.uids.resolveSeqLenient(k.set, sel.savedSearch),
        );
        setCache.set(k, r);
      }
      return r;
    },
  };
  return sets;
}

/** `sets` as if the full-text index had decided every message (no "maybe"): with it,
 *  needsContent says whether anything but those messages needs reading. */
function decidedText(sets: SetResolver): SetResolver {
  const none = new Set<number>();
  return {
    ...sets,
    textMatch: (k) => {
      const t = sets.textMatch?.(k);
      return t && { ...t, maybe: none };
    },
  };
}

/** The messages of these UIDs that are still there, ascending by UID. */
async function parsedOf(
  mail: MailStore,
  sel: SelectedMailbox,
  uids: Set<number>,
): Promise<Map<number, ParsedMessage>> {
  const out = new Map<number, ParsedMessage>();
  for (const uid of [...uids].sort((a, b) => a - b)) {
    if (sel.uids.seqOf(uid) === 0) continue;
    const p = await mail.getMessage(sel.mailbox.id, uid);
    if (p) out.set(uid, p);
  }
  return out;
}

export async function runSearch(
  mail: MailStore,
  sel: SelectedMailbox,
  key: SearchKey,
  resolver?: SetResolver,
): Promise<MessageMeta[]> {
  const sets = resolver ?? (await resolverFor(mail, sel, key));
  const content = needsContent(key, sets);
  // When only the full-text index's undecided messages need their content, only those are read.
  const read = content && !needsContent(key, decidedText(sets)) ? maybeUids(key, sets) : null;
  const out: MessageMeta[] = [];
  // Messages outside `only` cannot match. Only its messages are loaded (one read each, which a
  // search of their content needs anyway) when the content of all is read or it holds under a
  // quarter of the mailbox; else the whole list is, and the others skipped.
  const only = narrowUids(key, sets);
  const loadOnly = only !== null && ((content && !read) || only.size * 4 < sel.uids.size);
  const early = loadOnly ? await parsedOf(mail, sel, only) : null;
  const all = early ? [...early.values()].map((p) => p.meta) : await mail.listMessages(sel.mailbox.id);
  for (let i = 0; i < all.length; i += BATCH) {
    for (const meta of all.slice(i, i + BATCH)) {
      if (only && !only.has(meta.uid)) continue;
      const seq = sel.uids.seqOf(meta.uid);
      if (seq === 0) continue; // arrived after the client's view: not searchable yet
      let parsed: Promise<ParsedMessage | null> | null = null;
      const known = early?.get(meta.uid);
      if (known) parsed = Promise.resolve(known);
      let body: Promise<Buffer> | null = null;
      const c: Candidate = {
        meta,
        seq,
        parsed: () => {
          parsed ??= mail.getMessage(sel.mailbox.id, meta.uid);
          return parsed;
        },
        body: () => {
          body ??= mail.readBody(meta.blobId);
          return body;
        },
      };
      const reads = content && (!read || read.has(meta.uid));
      if (reads ? await matches(key, c, sets) : matchesMeta(key, c, sets)) out.push(meta);
      if (content) {
        parsed = null;
        body = null;
      }
    }
  }
  return out;
}
