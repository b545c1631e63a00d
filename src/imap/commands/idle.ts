// RFC 2177 IDLE: "+ idling", then changes to the selected mailbox are pushed as they happen
// (EXPUNGE included) until the client sends DONE. The autologout timer still applies.
// After the "+" the connection takes over (ImapConnection.idle): an idle client then holds no
// pending handler, promise or timer of its own, which is most of what 10,000 idle connections
// would otherwise cost (bench/imap.ts phase 3).
import { AUTH, type CommandSpec } from "./types.js";

export const idle: CommandSpec<"IDLE"> = {
  states: AUTH,
  async run(cmd, s) {
    s.sendLine("+ idling");
    await s.flushUpdates({ expunges: true });
    if (s.state.kind === "logout") return { done: true };
    s.io.idle(cmd.tag);
    return { done: true };
  },
};
