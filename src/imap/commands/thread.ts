// RFC 5256 4 THREAD / UID THREAD with ORDEREDSUBJECT and REFERENCES: SEARCH, then thread the
// matches; one untagged "* THREAD" with a thread-list per thread.
import { formatThreads, orderedSubject, references } from "../search/thread.js";
import { searchRecords } from "./sort.js";
import { type CommandSpec, SELECTED } from "./types.js";

export const thread: CommandSpec<"THREAD"> = {
  states: SELECTED,
  async run(cmd, s) {
    const sel = s.requireSelected();
    const records = await searchRecords(s, sel, cmd.charset, cmd.key);
    const roots = cmd.algorithm === "ORDEREDSUBJECT" ? orderedSubject(records) : references(records);
    const text = formatThreads(roots, (r) => (cmd.uid ? r.uid : sel.uids.seqOf(r.uid)));
    s.sendLine(text ? `* THREAD ${text}` : "* THREAD");
    return undefined;
  },
};
