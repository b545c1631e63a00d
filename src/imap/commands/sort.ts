// RFC 5256 3 SORT / UID SORT, with DISPLAYFROM and DISPLAYTO (RFC 5957): SEARCH, then order the
// matches by the criteria; ties keep mailbox order. Untagged "* SORT n..." in that order.
import { no } from "../errors.js";
import { type SortRecord, sortRecord, sortRecords } from "../search/sort.js";
import type { SelectedMailbox } from "../state.js";
import type { SearchKey } from "../wire/search.js";
import type { Session } from "./context.js";
import { rejectRemovedKeys, runSearch } from "./search.js";
import { type CommandSpec, SELECTED } from "./types.js";

/** The matching messages' sort keys (shared with THREAD). */
export async function searchRecords(
  s: Session,
  sel: SelectedMailbox,
  charset: string,
  key: SearchKey,
): Promise<SortRecord[]> {
  if (!["UTF-8", "US-ASCII"].includes(charset.toUpperCase()))
    throw no("Unsupported charset", "BADCHARSET (UTF-8 US-ASCII)");
  rejectRemovedKeys(s, key);
  const mail = s.app.store.mail;
  const found = await runSearch(mail, sel, key);
  const out: SortRecord[] = [];
  if (found.length === 0) return out;
  // Envelopes from the store's header index, one query for the range of matches, instead of a
  // parsed message each; a message missing there (filed meanwhile) is read as before.
  const range = { minUid: found[0]!.uid, maxUid: found[found.length - 1]!.uid };
  const envelopes = new Map((await mail.listEnvelopes(sel.mailbox.id, range)).map((e) => [e.uid, e]));
  for (const meta of found) {
    const e = envelopes.get(meta.uid);
    out.push(sortRecord(meta, e ? { structure: e } : await mail.getMessage(sel.mailbox.id, meta.uid)));
  }
  return out;
}

export const sort: CommandSpec<"SORT"> = {
  states: SELECTED,
  async run(cmd, s) {
    const sel = s.requireSelected();
    const records = sortRecords(await searchRecords(s, sel, cmd.charset, cmd.key), cmd.criteria);
    const nums = records.map((r) => (cmd.uid ? r.uid : sel.uids.seqOf(r.uid)));
    s.sendLine(`* SORT${nums.map((n) => " " + n).join("")}`);
    return undefined;
  },
};
