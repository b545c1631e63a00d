// RFC 9051 6.4.6 STORE / UID STORE (+FLAGS, -FLAGS, FLAGS, .SILENT) with CONDSTORE's UNCHANGEDSINCE
// and the MODIFIED response code (RFC 7162 3.1.3).
import type { MessageFlags } from "../../store/types.js";
import { no } from "../errors.js";
import { ownChanges } from "../state.js";
import { formatSet } from "../wire/sequence.js";
import type { Item } from "../wire/writer.js";
import { enableCondstore } from "./condstore.js";
import { SYSTEM_FLAGS } from "./mailbox-common.js";
import { type CommandSpec, SELECTED } from "./types.js";

const BATCH = 500;
const SYSTEM = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

/** System flags in their canonical case; \Recent cannot be stored (RFC 3501 2.3.2). */
export function normalizeFlags(flags: string[]): string[] {
  const out = new Set<string>();
  for (const f of flags) {
    const sys = SYSTEM.get(f.toLowerCase());
    if (sys) out.add(sys);
    else if (f.startsWith("\\")) {
      if (f.toLowerCase() !== "\\recent") throw no(`Flag ${f} cannot be stored`, "CANNOT");
    } else out.add(f);
  }
  return [...out];
}

export const store: CommandSpec<"STORE"> = {
  states: SELECTED,
  async run(cmd, s) {
    const sel = s.requireSelected();
    if (sel.readOnly) throw no("Mailbox is read-only", "NOPERM");
    const flags = normalizeFlags(cmd.flags);
    if (cmd.unchangedSince !== null) {
      enableCondstore(s, sel); // RFC 7162 3.1: a CONDSTORE-enabling command
    }
    const uids = cmd.uid
      ? sel.uids.resolveUid(cmd.set, sel.savedSearch)
      : sel.uids.resolveSeq(cmd.set, sel.savedSearch);
    if (cmd.mode !== "remove") s.announceKeywords(sel, flags);
    const failed: number[] = [];
    const mail = s.app.store.mail;
    for (let i = 0; i < uids.length; i += BATCH) {
      const batch = uids.slice(i, i + BATCH);
      const r = await mail.setFlags(sel.mailbox.id, batch, {
        mode: cmd.mode,
        flags,
        unchangedSince: cmd.unchangedSince ?? undefined,
      });
      for (const u of r.updated) ownChanges(sel).set(u.uid, u.modseq);
      failed.push(...r.failedUnchangedSince);
      const updated = new Set(r.updated.map((u) => u.uid));
      // RFC 9051 6.4.6: without .SILENT, the new flags of each message; with CONDSTORE, the new
      // MODSEQ of each updated message even when silent (RFC 7162 3.2).
      if (cmd.silent && !sel.condstore) continue;
      // The store returned the new flags of what it changed; only messages it left alone (flags
      // already so) need reading back.
      const metas: MessageFlags[] =
        r.updated.length + r.failedUnchangedSince.length === batch.length
          ? r.updated
          : await mail.listFlags(sel.mailbox.id, {
              minUid: batch[0]!,
              maxUid: batch[batch.length - 1]!,
            });
      const wanted = new Set(batch);
      for (const m of metas) {
        if (!wanted.has(m.uid) || r.failedUnchangedSince.includes(m.uid)) continue;
        if (cmd.silent && !updated.has(m.uid)) continue;
        const seq = sel.uids.seqOf(m.uid);
        if (seq === 0) continue;
        const items: Item[] = [];
        if (cmd.uid) items.push("UID", m.uid);
        if (!cmd.silent) items.push("FLAGS", s.flagsToShow(sel, m.uid, m.flags));
        if (sel.condstore) items.push("MODSEQ", [m.modseq]);
        s.send([seq, "FETCH", items]);
      }
      await s.io.drain();
    }
    if (failed.length > 0) {
      const nums = (cmd.uid ? failed : failed.map((u) => sel.uids.seqOf(u))).sort((a, b) => a - b);
      return { code: `MODIFIED ${formatSet(nums)}`, text: "Some messages were modified meanwhile" };
    }
    return undefined;
  },
};
