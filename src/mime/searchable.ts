// The text a full-text index holds for one message: every string IMAP SEARCH TEXT/BODY (RFC 9051
// 6.4.4) and JMAP Email/query's text filters (RFC 8621 4.4.1) compare a needle with, lower-cased
// the way they lower-case it (String.prototype.toLowerCase), so that a needle found by the exact
// matchers is a substring of what is indexed: the index narrows, the exact match decides, and
// results are never fewer than a scan's (imap/search/evaluate.ts, jmap/email/filter.ts).
//  - head: the top-level header as evaluate.ts's headerText renders it ("Name: decoded value"
//    lines): exactly what IMAP TEXT matches besides the body;
//  - body: the decoded text parts outside attached messages joined with "\n" (filter.ts's allText),
//    then each attached message's header and text parts (evaluate.ts descends into them): exactly
//    the strings IMAP BODY matches, each on its own, so the index can answer for them (fulltext.ts);
//  - more: the decoded Subject and the addresses as filter.ts's addrText renders them, which JMAP
//    reads and IMAP does not. (Attachment file names are not indexed: no matcher reads them.)
// The "\n" between strings separates words for the index and is not a cased letter, so lower-
// casing them joined gives what lower-casing each alone gives (final sigma included).
// HTML parts are indexed as decoded, tags included: the matchers search them so, and "only text"
// would miss a needle like "href" that a scan finds.
import { decodeHeaderValue } from "./encoded-word.js";
import { getHeaderFields } from "./headers.js";
import { textPrefixOf } from "./text.js";
import type { EnvelopeAddress, MessageStructure, MimePart } from "./types.js";

export interface SearchableText {
  head: string;
  body: string;
  more: string;
  /** False when the message had more text than `maxBytes`: the index does not hold all of it. */
  complete: boolean;
}

const MAX_PARTS_WALKED = 10000; // the parse caps parts; this bounds the walk regardless

/** Lower-cased head and body text of a message, the text parts' encoded octets read up to
 *  `maxBytes` in total (0: no limit). */
export function searchableText(body: Buffer, s: MessageStructure, maxBytes: number): SearchableText {
  let budget = maxBytes > 0 ? maxBytes : Number.POSITIVE_INFINITY;
  let complete = true;
  const text = (p: MimePart): string => {
    if (budget <= 0) {
      complete = false;
      return "";
    }
    const limit = Number.isFinite(budget) ? Math.max(1, Math.floor(budget)) : 0;
    const r = textPrefixOf(body, p, limit);
    budget -= p.bodyEnd - p.bodyStart;
    if (r.truncated) complete = false;
    return r.text;
  };
  const env = s.envelope;
  const head = headerText(body, s.root);
  const more = [
    decodeHeaderValue(env.subject ?? ""),
    addrText([...env.from, ...env.to, ...env.cc, ...env.bcc]),
  ].join("\n");

  const top: string[] = [];
  const attached: MessageStructure[] = [];
  let walked = 0;
  const walk = (p: MimePart, out: string[], nested: MessageStructure[]) => {
    if (walked++ > MAX_PARTS_WALKED) return;
    if (p.parts.length > 0) for (const c of p.parts) walk(c, out, nested);
    else if (p.message) nested.push(p.message);
    else if (p.type === "text") out.push(text(p));
  };
  walk(s.root, top, attached);
  const bodyParts = [top.join("\n")];
  // Attached messages, breadth first, each header then its own text parts.
  for (let i = 0; i < attached.length && walked <= MAX_PARTS_WALKED; i++) {
    const m = attached[i]!;
    const own: string[] = [];
    bodyParts.push(headerText(body, m.root));
    walk(m.root, own, attached);
    bodyParts.push(own.join("\n"));
  }
  if (walked > MAX_PARTS_WALKED) complete = false;
  return {
    head: head.toLowerCase(),
    body: bodyParts.join("\n").toLowerCase(),
    more: more.toLowerCase(),
    complete,
  };
}

/** As evaluate.ts renders a header for TEXT: "Name: decoded value" lines. */
function headerText(body: Buffer, root: MimePart): string {
  return getHeaderFields(body.subarray(root.headerStart, root.bodyStart))
    .map((f) => `${f.name}: ${decodeHeaderValue(f.value)}`)
    .join("\n");
}

/** As jmap/email/filter.ts renders addresses for from/to/cc/bcc/text. */
function addrText(l: EnvelopeAddress[]): string {
  return l
    .map((a) => `${a.name ? decodeHeaderValue(a.name) : ""} ${a.mailbox ?? ""}@${a.host ?? ""}`)
    .join(" ");
}
