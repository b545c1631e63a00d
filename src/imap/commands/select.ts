// RFC 9051 6.3.2 SELECT and 6.3.3 EXAMINE (RFC 3501 6.3.1/6.3.2 for RECENT), with the CONDSTORE
// select parameter and HIGHESTMODSEQ (RFC 7162 3.1.8, 3.1.2.1), and the QRESYNC parameter
// (RFC 7162 3.2.5): with a matching UIDVALIDITY the client learns, before the tagged OK, which of
// its known UIDs vanished since its modseq (VANISHED (EARLIER)) and which messages changed (FETCH).
// MAILBOXID (RFC 8474 4.3) always; after ENABLE IMAP4rev2 no RECENT/UNSEEN but a LIST response.

import type { MessageFlags } from "../../store/types.js";
import { bad, no } from "../errors.js";
import { mailboxObjectId } from "../format/objectid.js";
import { addRecent, recentCount, type SelectedMailbox, sessionMailbox, withKeywords } from "../state.js";
import { UidMap } from "../uid-map.js";
import type { QresyncParams } from "../wire/command.js";
import { formatSet, type SequenceSet, STAR } from "../wire/sequence.js";
import { MailboxName, Str } from "../wire/writer.js";
import type { Session } from "./context.js";
import { BASIC, listEntries } from "./list.js";
import { DELIMITER } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

/** The keywords set on any message (RFC 9051 7.3.5: FLAGS lists those defined in the mailbox). */
function keywordsIn(metas: { flags: string[] }[]): string[] | null {
  let known: string[] | null = null;
  for (const m of metas) known = withKeywords(known, m.flags);
  return known;
}

export const select: CommandSpec<"SELECT" | "EXAMINE"> = {
  states: AUTH,
  async run(cmd, s) {
    const account = s.requireAccount();
    if (cmd.qresync && !s.qresync) throw bad("QRESYNC is not enabled"); // RFC 7162 3.2.5
    if (s.state.kind === "selected") {
      // Selecting again deselects first, with no expunge (RFC 9051 6.3.2); CLOSED marks the point.
      s.state = { kind: "authenticated", account };
      s.sendLine("* OK [CLOSED] Previous mailbox closed");
    }
    const readOnly = cmd.name === "EXAMINE";
    const heard = s.eventsHeard;
    // The mailbox, its UIDs and flags (UNSEEN and QRESYNC need no more) and, before IMAP4rev2,
    // the \Recent claim: this session becomes the one that sees the new messages as recent;
    // EXAMINE only looks. One store call (on PostgreSQL one statement).
    const found = await s.app.store.mail.selectMailbox(account.id, cmd.mailbox, {
      recent: s.rev2 ? "none" : readOnly ? "peek" : "claim",
    });
    if (!found) throw no("No such mailbox", "NONEXISTENT");
    const { mailbox, messages: metas } = found;
    const uids = new UidMap(metas.map((m) => m.uid));
    const firstUnseen = metas.findIndex((m) => !m.flags.includes("\\Seen"));
    const condstore = cmd.condstore || s.enabled.has("CONDSTORE") || s.qresync;
    if (cmd.condstore) s.enabled.add("CONDSTORE");
    s.markClean();
    s.state = {
      kind: "selected",
      account,
      selected: {
        mailbox: sessionMailbox(mailbox),
        readOnly,
        uids,
        knownModseq: mailbox.highestModseq,
        deferredExpunges: null,
        ownChanges: null,
        savedSearch: null,
        condstore,
        keywords: keywordsIn(metas),
        recent: null,
      },
    };
    const sel = s.state.selected;
    if (found.recent) addRecent(sel, found.recent.from, found.recent.to);
    const uidNext = Math.max(mailbox.uidNext, uids.maxUid() + 1);
    s.sendFlagList(sel);
    s.sendLine(`* ${uids.size} EXISTS`);
    if (s.rev2) {
      // RFC 9051 6.3.2: a LIST response for the mailbox instead of RECENT and UNSEEN.
      const all = await s.app.store.mail.listMailboxes(account.id);
      const entry = listEntries(all, [mailbox.name], { ...BASIC, extended: true }).find(
        (e) => e.name === mailbox.name,
      );
      s.send(["LIST", entry?.attrs ?? [], new Str(DELIMITER), new MailboxName(mailbox.name)]);
    } else {
      s.sendLine(`* ${recentCount(sel)} RECENT`);
      if (firstUnseen >= 0) s.sendLine(`* OK [UNSEEN ${firstUnseen + 1}] First unseen`);
    }
    s.sendLine(`* OK [UIDVALIDITY ${mailbox.uidValidity}] UIDs valid`);
    s.sendLine(`* OK [UIDNEXT ${uidNext}] Predicted next UID`);
    s.sendLine(`* OK [HIGHESTMODSEQ ${mailbox.highestModseq}] Highest`);
    s.sendLine(`* OK [MAILBOXID (${mailboxObjectId(mailbox.id)})] Ok`); // RFC 8474 4.3
    if (cmd.qresync && cmd.qresync.uidValidity === mailbox.uidValidity)
      await resync(s, sel, cmd.qresync, metas);
    // The listing holds every change up to mailbox.highestModseq. A change committed after it has
    // an event, heard once the session is selected (and reported as usual) or before: then the
    // mailbox is read again, and a newer HIGHESTMODSEQ is picked up at the next report. With no
    // event heard meanwhile (nearly always) that read is saved.
    if (s.eventsHeard !== heard) {
      const again = await s.app.store.mail.getMailboxById(mailbox.id);
      if (again && again.highestModseq !== mailbox.highestModseq) s.markDirty();
    }
    return { code: readOnly ? "READ-ONLY" : "READ-WRITE", text: `${cmd.name} completed` };
  },
};

/** True when `uid` is in a UID set; "*" stands for the largest UID the mailbox has had. */
export function inUidSet(set: SequenceSet, uid: number, maxUid: number): boolean {
  if (set.kind !== "ranges") return false;
  return set.ranges.some(([a0, b0]) => {
    const a = a0 === STAR ? maxUid : a0;
    const b = b0 === STAR ? maxUid : b0;
    return uid >= Math.min(a, b) && uid <= Math.max(a, b);
  });
}

/** Expunged UIDs with modseq > since, within `set` if given, ascending. */
export async function vanishedSince(
  s: Session,
  sel: SelectedMailbox,
  since: number,
  set: SequenceSet | null,
): Promise<number[]> {
  const changes = await s.app.store.mail.changesSince(sel.mailbox.id, since);
  const maxUid = Math.max(sel.mailbox.uidNext - 1, sel.uids.maxUid());
  const out = new Set<number>();
  for (const ch of changes) {
    if (ch.kind !== "expunged" || sel.uids.seqOf(ch.uid) !== 0) continue;
    if (set && !inUidSet(set, ch.uid, maxUid)) continue;
    out.add(ch.uid);
  }
  return [...out].sort((a, b) => a - b);
}

async function resync(
  s: Session,
  sel: SelectedMailbox,
  q: QresyncParams,
  metas: MessageFlags[],
): Promise<void> {
  const gone = await vanishedSince(s, sel, q.modseq, q.knownUids);
  if (gone.length > 0) s.sendLine(`* VANISHED (EARLIER) ${formatSet(gone)}`);
  const maxUid = sel.uids.maxUid();
  for (const m of metas) {
    if (m.modseq <= q.modseq) continue;
    if (q.knownUids && !inUidSet(q.knownUids, m.uid, maxUid)) continue;
    const flags = s.flagsToShow(sel, m.uid, m.flags);
    s.send([sel.uids.seqOf(m.uid), "FETCH", ["UID", m.uid, "FLAGS", flags, "MODSEQ", [m.modseq]]]);
  }
  await s.io.drain();
}
