// RFC 9051 6.4.5 FETCH / UID FETCH (RFC 3501 6.4.5 for RFC822.*), BINARY[], BINARY.PEEK and
// BINARY.SIZE (RFC 3516 4.1, 4.2), CONDSTORE's MODSEQ item and CHANGEDSINCE modifier (RFC 7162
// 3.1.4, 3.1.4.1), EMAILID/THREADID (RFC 8474 5), SAVEDATE (RFC 8514 4), and QRESYNC's VANISHED
// modifier (RFC 7162 3.2.6): UID FETCH first reports the
// UIDs of the set expunged since CHANGEDSINCE as VANISHED (EARLIER). Responses are written message
// by message and the handler waits for the client to read them (session.io.drain) before going on,
// so a huge FETCH never sits in memory. Structure comes from the cache made at store time: never
// re-parsed.

import { StoreError } from "../../store/errors.js";
import type { MessageFlags, MessageMeta, ParsedMessage } from "../../store/types.js";
import { bad } from "../errors.js";
import { binaryBytes } from "../format/binary.js";
import { bodyStructureItem } from "../format/bodystructure.js";
import { imapDateTime } from "../format/date.js";
import { envelopeItem } from "../format/envelope.js";
import { emailObjectId, threadObjectId } from "../format/objectid.js";
import { applyPartial, sectionBytes } from "../format/section.js";
import { ownChanges, type SelectedMailbox } from "../state.js";
import { binaryLabel, type FetchAtt, sectionLabel } from "../wire/fetch-att.js";
import { formatSet } from "../wire/sequence.js";
import { type Item, Lit, q } from "../wire/writer.js";
import { enableCondstore } from "./condstore.js";
import type { Session } from "./context.js";
import { vanishedSince } from "./select.js";
import { type CommandSpec, SELECTED } from "./types.js";

const BATCH = 256;

/** The whole message (BODY[], RFC822): its bytes as stored, no parse needed. */
function wholeMessage(a: FetchAtt): boolean {
  return (
    a.kind === "RFC822" || (a.kind === "section" && a.section.part.length === 0 && a.section.spec === null)
  );
}

function needsStructure(a: FetchAtt): boolean {
  return (
    !wholeMessage(a) &&
    a.kind !== "FLAGS" &&
    a.kind !== "INTERNALDATE" &&
    a.kind !== "RFC822.SIZE" &&
    a.kind !== "UID" &&
    a.kind !== "MODSEQ" &&
    a.kind !== "EMAILID" &&
    a.kind !== "THREADID" &&
    a.kind !== "SAVEDATE"
  );
}

/** Items answered from UID, FLAGS and MODSEQ alone (e.g. a client's flag resync, FETCH 1:*
 *  (UID FLAGS)): the store's lean flag read is enough, no MessageMeta needed. */
function flagOnly(a: FetchAtt): boolean {
  return a.kind === "UID" || a.kind === "FLAGS" || a.kind === "MODSEQ";
}

function needsBody(a: FetchAtt): boolean {
  return (
    a.kind === "section" ||
    a.kind === "RFC822" ||
    a.kind === "RFC822.HEADER" ||
    a.kind === "RFC822.TEXT" ||
    a.kind === "binary" ||
    a.kind === "binary.size"
  );
}

function setsSeen(a: FetchAtt): boolean {
  return (
    ((a.kind === "section" || a.kind === "binary") && !a.peek) ||
    a.kind === "RFC822" ||
    a.kind === "RFC822.TEXT"
  );
}

export const fetch: CommandSpec<"FETCH"> = {
  states: SELECTED,
  async run(cmd, s) {
    const sel = s.requireSelected();
    if (cmd.vanished && !cmd.uid) throw bad("VANISHED is only allowed with UID FETCH");
    if (cmd.vanished && !s.qresync) throw bad("QRESYNC is not enabled");
    const atts = [...cmd.atts];
    if (cmd.uid && !atts.some((a) => a.kind === "UID")) atts.unshift({ kind: "UID" });
    if (cmd.changedSince !== null || atts.some((a) => a.kind === "MODSEQ")) {
      enableCondstore(s, sel); // RFC 7162 3.1: a CONDSTORE-enabling command
    }
    if (sel.condstore && cmd.changedSince !== null && !atts.some((a) => a.kind === "MODSEQ"))
      atts.push({ kind: "MODSEQ" });
    const uids = cmd.uid
      ? sel.uids.resolveUid(cmd.set, sel.savedSearch)
      : sel.uids.resolveSeq(cmd.set, sel.savedSearch);
    const markSeen = !sel.readOnly && atts.some(setsSeen);
    const lean = atts.every(flagOnly); // then markSeen is false: no item here sets \Seen
    if (cmd.vanished && cmd.changedSince !== null) {
      const gone = await vanishedSince(s, sel, cmd.changedSince, cmd.set);
      if (gone.length > 0) s.sendLine(`* VANISHED (EARLIER) ${formatSet(gone)}`);
    }
    for (let i = 0; i < uids.length; i += BATCH) {
      const batch = uids.slice(i, i + BATCH);
      if (lean) {
        let rows = await inBatch(batch, (o) => s.app.store.mail.listFlags(sel.mailbox.id, o));
        if (cmd.changedSince !== null) rows = rows.filter((m) => m.modseq > cmd.changedSince!);
        // One write per batch: these lines are all atoms and numbers, so plain text does
        // (UID FETCH 1:* (FLAGS) on a large mailbox is what clients sync with).
        let text = "";
        for (const m of rows) {
          const seq = sel.uids.seqOf(m.uid);
          if (seq === 0) continue;
          text += `* ${seq} FETCH (${flagItemsText(s, sel, m, atts)})\r\n`;
        }
        if (text !== "") s.io.write(text);
        await s.io.drain();
        continue;
      }
      // One message whose structure or body is needed (a client opening a message): one read for
      // the row, the structure and the body (on PostgreSQL one round trip, not two or three).
      const withBody = atts.some(needsBody);
      const one =
        batch.length === 1 && (withBody || atts.some(needsStructure))
          ? await s.app.store.mail.getMessage(sel.mailbox.id, batch[0]!, { body: withBody })
          : undefined;
      let metas: MessageMeta[];
      if (one === undefined)
        metas = await inBatch(batch, (o) => s.app.store.mail.listMessages(sel.mailbox.id, o));
      else metas = one ? [one.meta] : [];
      if (cmd.changedSince !== null) metas = metas.filter((m) => m.modseq > cmd.changedSince!);
      const seenNow = markSeen ? await markAsSeen(s, sel, metas) : new Set<number>();
      for (const meta of metas) {
        const seq = sel.uids.seqOf(meta.uid);
        if (seq === 0) continue;
        const items = await fetchItems(s, sel, meta, atts, seenNow.has(meta.uid), one ?? null);
        if (items === null) continue; // expunged meanwhile: nothing to say (RFC 9051 7.5.1 allows it)
        s.send([seq, "FETCH", items]);
        await s.io.drain();
      }
    }
    return undefined;
  },
};

/** The messages of an ascending UID batch, read as one UID range and filtered to the batch. */
async function inBatch<T extends { uid: number }>(
  batch: number[],
  read: (range: { minUid: number; maxUid: number }) => Promise<T[]>,
): Promise<T[]> {
  if (batch.length === 0) return [];
  const wanted = new Set(batch);
  const metas = await read({ minUid: batch[0]!, maxUid: batch[batch.length - 1]! });
  return metas.filter((m) => wanted.has(m.uid));
}

/** fetchItems for flag-only items (see flagOnly), as text: same items, same order. Flags and
 *  keywords are atoms (the store accepts no other), so nothing needs quoting. */
function flagItemsText(s: Session, sel: SelectedMailbox, m: MessageFlags, atts: FetchAtt[]): string {
  let out = "";
  for (const a of atts) {
    if (out !== "") out += " ";
    if (a.kind === "UID") out += `UID ${m.uid}`;
    else if (a.kind === "FLAGS") out += `FLAGS (${s.flagsToShow(sel, m.uid, m.flags).join(" ")})`;
    else if (a.kind === "MODSEQ") out += `MODSEQ (${m.modseq})`;
  }
  return out;
}

/** Non-PEEK body fetches set \Seen (RFC 9051 6.4.5); the new flags then go out with the data. */
async function markAsSeen(s: Session, sel: SelectedMailbox, metas: MessageMeta[]): Promise<Set<number>> {
  const unseen = metas.filter((m) => !m.flags.includes("\\Seen")).map((m) => m.uid);
  if (unseen.length === 0) return new Set();
  const r = await s.app.store.mail.setFlags(sel.mailbox.id, unseen, { mode: "add", flags: ["\\Seen"] });
  const byUid = new Map(r.updated.map((u) => [u.uid, u]));
  for (const m of metas) {
    const u = byUid.get(m.uid);
    if (!u) continue;
    m.flags = u.flags;
    m.modseq = u.modseq;
    ownChanges(sel).set(u.uid, u.modseq);
  }
  return new Set(byUid.keys());
}

async function fetchItems(
  s: Session,
  sel: SelectedMailbox,
  meta: MessageMeta,
  atts: FetchAtt[],
  flagsChanged: boolean,
  read: ParsedMessage | null,
): Promise<Item[] | null> {
  const mail = s.app.store.mail;
  let parsed: ParsedMessage | null = null;
  if (atts.some(needsStructure)) {
    parsed = read ?? (await mail.getMessage(sel.mailbox.id, meta.uid));
    if (!parsed) return null;
  }
  let body: Buffer | null = read?.body ?? null;
  if (body === null && atts.some(needsBody)) {
    try {
      body = await mail.readBody(meta.blobId);
    } catch (e) {
      // Expunged (and its body released) since the listing: skipped, as when getMessage finds none.
      if (e instanceof StoreError && e.code === "not-found") return null;
      throw e;
    }
  }
  const out: Item[] = [];
  const root = parsed?.structure.root;
  let sentFlags = false;
  for (const a of atts) {
    switch (a.kind) {
      case "UID":
        out.push("UID", meta.uid);
        break;
      case "FLAGS":
        out.push("FLAGS", s.flagsToShow(sel, meta.uid, meta.flags));
        sentFlags = true;
        break;
      case "INTERNALDATE":
        out.push("INTERNALDATE", q(imapDateTime(meta.internalDate)));
        break;
      case "RFC822.SIZE":
        out.push("RFC822.SIZE", meta.size);
        break;
      case "MODSEQ":
        out.push("MODSEQ", [meta.modseq]);
        break;
      case "EMAILID":
        out.push("EMAILID", [emailObjectId(meta.id)]);
        break;
      case "THREADID":
        out.push("THREADID", [threadObjectId(meta.threadId)]);
        break;
      case "SAVEDATE":
        out.push("SAVEDATE", q(imapDateTime(meta.savedDate)));
        break;
      case "ENVELOPE":
        out.push("ENVELOPE", envelopeItem(parsed!.structure.envelope));
        break;
      case "BODYSTRUCTURE":
        out.push("BODYSTRUCTURE", bodyStructureItem(root!, true));
        break;
      case "BODY":
        out.push("BODY", bodyStructureItem(root!, false));
        break;
      case "RFC822":
        out.push("RFC822", new Lit(body!));
        break;
      case "RFC822.HEADER":
        out.push("RFC822.HEADER", new Lit(body!.subarray(root!.headerStart, root!.bodyStart)));
        break;
      case "RFC822.TEXT":
        out.push("RFC822.TEXT", new Lit(body!.subarray(root!.bodyStart, root!.bodyEnd)));
        break;
      case "binary":
        out.push(
          binaryLabel(a),
          new Lit(applyPartial(binaryBytes(body!, parsed!.structure, a.part), a.partial), true),
        );
        break;
      case "binary.size":
        out.push(binaryLabel(a), binaryBytes(body!, parsed!.structure, a.part).length);
        break;
      case "section":
        out.push(
          sectionLabel(a),
          new Lit(
            applyPartial(
              wholeMessage(a) ? body! : sectionBytes(body!, parsed!.structure, a.section),
              a.partial,
            ),
          ),
        );
        break;
    }
  }
  if (flagsChanged && !sentFlags) out.push("FLAGS", s.flagsToShow(sel, meta.uid, meta.flags));
  if (sel.condstore && flagsChanged && !atts.some((a) => a.kind === "MODSEQ"))
    out.push("MODSEQ", [meta.modseq]);
  return out;
}
