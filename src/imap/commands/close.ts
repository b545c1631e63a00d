// RFC 9051 6.4.1 CLOSE (expunges \Deleted messages silently unless read-only) and RFC 3691 UNSELECT.
import { expungeDeleted } from "./expunge.js";
import { type CommandSpec, SELECTED } from "./types.js";

export const close: CommandSpec<"CLOSE"> = {
  states: SELECTED,
  async run(_cmd, s) {
    const sel = s.requireSelected();
    if (!sel.readOnly) await expungeDeleted(s, sel, null, { silent: true });
    s.state = { kind: "authenticated", account: s.requireAccount() };
    return undefined;
  },
};

export const unselect: CommandSpec<"UNSELECT"> = {
  states: SELECTED,
  async run(_cmd, s) {
    s.state = { kind: "authenticated", account: s.requireAccount() };
    return undefined;
  },
};
