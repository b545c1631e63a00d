// How an Email/query (RFC 8621 4.4) is answered, decided once from its arguments and shared by
// Email/query and Email/queryChanges:
//  - the common case of a message list, filter {inMailbox} alone and sort by receivedAt alone
//    (either direction, with or without collapseThreads), is read page by page from the store's
//    date index (store.mail.mailboxMessageIds): the cost is that of the page, whatever the
//    mailbox's size;
//  - anything else is computed over the candidate messages (the one mailbox named by a top-level
//    inMailbox, else the whole account), loading a message's parse or body only when a filter or
//    sort needs it (filter.ts).
// Ties in the sort are broken by message id, in the direction of the first comparator, so both
// ways give the same order for the same messages.
import { decodeHeaderValue } from "../../mime/encoded-word.js";
import type { Mailbox, MessageMeta, ParsedMessage } from "../../store/types.js";
import { isObject, optBool } from "../core/args.js";
import { invalidArgs, MethodError } from "../core/errors.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import type { MailboxSet } from "../mailbox/load.js";
import { type Candidate, compileFilter, type TextNeedle, textNeedles } from "./filter.js";
import { keywordToFlag } from "./keywords.js";

type Key = (c: Candidate) => Promise<string | number>;

interface Comparator {
  key: Key;
  dir: 1 | -1;
}

export interface QueryPlan {
  collapse: boolean;
  /** The indexed case: every message of one mailbox by internal date. */
  fast: { mailbox: Mailbox; ascending: boolean } | null;
  /** The filter names a mailbox that is not this account's: nothing matches. */
  empty: boolean;
  check: ((c: Candidate) => Promise<boolean>) | null;
  comparators: Comparator[];
  /** Where candidates come from in the general case: one mailbox, or the account (null). */
  source: Mailbox | null;
  /** The filter's text conditions, narrowed by the store's full-text index before evaluation. */
  needles: TextNeedle[];
}

function sortKey(c: JsonObject): Key {
  switch (c.property) {
    case "receivedAt":
      return async (x) => x.meta.internalDate.getTime();
    case "size":
      return async (x) => x.meta.size;
    case "sentAt":
      return async (x) => {
        const d = (await x.parsed())?.structure.envelope.date;
        const t = d ? Date.parse(d) : Number.NaN;
        return Number.isFinite(t) ? t : x.meta.internalDate.getTime();
      };
    case "subject":
      return async (x) =>
        decodeHeaderValue((await x.parsed())?.structure.envelope.subject ?? "").toLowerCase();
    case "from":
    case "to": {
      const k = c.property;
      return async (x) => {
        const a = (await x.parsed())?.structure.envelope[k][0];
        return a ? `${a.mailbox ?? ""}@${a.host ?? ""}`.toLowerCase() : "";
      };
    }
    case "hasKeyword": {
      if (typeof c.keyword !== "string") throw invalidArgs("hasKeyword sort needs a keyword");
      const f = keywordToFlag(c.keyword).toLowerCase();
      return async (x) => (x.meta.flags.some((g) => g.toLowerCase() === f) ? 1 : 0);
    }
    default:
      throw new MethodError("unsupportedSort", `cannot sort on ${String(c.property)}`);
  }
}

/** Reads filter, sort and collapseThreads; throws invalidArguments / unsupportedSort / unsupportedFilter. */
export function planQuery(args: JsonObject, boxes: MailboxSet, mc: MethodContext): QueryPlan {
  const filter = args.filter;
  if (filter !== undefined && filter !== null && !isObject(filter))
    throw invalidArgs("filter must be an object");
  const check = isObject(filter) ? compileFilter(filter, boxes, mc) : null;
  const sort = args.sort ?? [{ property: "receivedAt", isAscending: false }];
  if (!Array.isArray(sort)) throw invalidArgs("sort must be a list");
  const comparators = (sort as Json[]).map((c): Comparator => {
    if (!isObject(c)) throw invalidArgs("bad Comparator");
    if (c.isAscending !== undefined && typeof c.isAscending !== "boolean")
      throw invalidArgs("isAscending must be a boolean");
    // RFC 8620 5.5: isAscending defaults to true. Text sorts compare lower-cased strings.
    return { key: sortKey(c), dir: c.isAscending === false ? -1 : 1 };
  });
  const collapse = optBool(args, "collapseThreads", false);
  const inMailbox = isObject(filter) && typeof filter.inMailbox === "string" ? filter.inMailbox : null;
  const source = inMailbox === null ? null : boxes.find(inMailbox);
  const onlyMailbox = isObject(filter) && Object.keys(filter).length === 1 && inMailbox !== null;
  const first = (sort as Json[])[0];
  const byDate = (sort as Json[]).length === 1 && isObject(first) && first.property === "receivedAt";
  return {
    collapse,
    fast:
      onlyMailbox && byDate && source
        ? { mailbox: source, ascending: isObject(first) && first.isAscending !== false }
        : null,
    empty: inMailbox !== null && source === null,
    check,
    comparators,
    source,
    needles: isObject(filter) ? textNeedles(filter) : [],
  };
}

/** Per text condition, the message ids the full-text index leaves (a superset of the matches;
 *  absent when the index cannot answer that needle). */
async function textCandidates(mc: MethodContext, plan: QueryPlan): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>();
  for (const { field, needle } of plan.needles) {
    const id = `${field}\0${needle}`;
    if (out.has(id)) continue;
    const ids = await mc.services.app.store.mail.searchText({ accountId: mc.account.id }, field, needle);
    if (ids) out.set(id, new Set(ids));
  }
  return out;
}

function candidate(mc: MethodContext, meta: MessageMeta, text?: Map<string, Set<number>>): Candidate {
  let parsed: Promise<ParsedMessage | null> | null = null;
  let body: Promise<Buffer> | null = null;
  return {
    meta,
    mayContain: (field, needle) => text?.get(`${field}\0${needle}`)?.has(meta.id) ?? true,
    parsed: () => {
      parsed ??= mc.services.app.store.mail.getMessageById(meta.id);
      return parsed;
    },
    body: () => {
      body ??= mc.services.app.store.mail.readBody(meta.blobId);
      return body;
    },
  };
}

/** Every matching message id in query order (the general case, and queryChanges' indexes). */
export async function allResults(mc: MethodContext, plan: QueryPlan): Promise<number[]> {
  if (plan.empty) return [];
  const store = mc.services.app.store.mail;
  if (plan.fast) {
    const order = { ascending: plan.fast.ascending, collapseThreads: plan.collapse };
    const n = Number.MAX_SAFE_INTEGER;
    return store.mailboxMessageIds(plan.fast.mailbox.id, order, { offset: 0, limit: n });
  }
  const all = plan.source
    ? await store.listMessages(plan.source.id)
    : await store.listAccountMessages(mc.account.id);
  const matched: Candidate[] = [];
  const text = plan.check ? await textCandidates(mc, plan) : undefined;
  for (const meta of all) {
    const c = candidate(mc, meta, text);
    if (!plan.check || (await plan.check(c))) matched.push(c);
  }
  const cmps = plan.comparators;
  const keyed = await Promise.all(
    matched.map(async (c) => ({ c, keys: await Promise.all(cmps.map((x) => x.key(c))) })),
  );
  const tie = cmps[0]?.dir ?? -1;
  keyed.sort((a, b) => {
    for (let i = 0; i < cmps.length; i++) {
      const x = a.keys[i]!;
      const y = b.keys[i]!;
      if (x < y) return -cmps[i]!.dir;
      if (x > y) return cmps[i]!.dir;
    }
    return tie * (a.c.meta.id - b.c.meta.id);
  });
  const ordered = keyed.map((k) => k.c.meta);
  if (!plan.collapse) return ordered.map((m) => m.id);
  const seen = new Set<number>();
  const out: number[] = [];
  for (const m of ordered) {
    if (seen.has(m.threadId)) continue;
    seen.add(m.threadId);
    out.push(m.id);
  }
  return out;
}
