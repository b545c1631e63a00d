// RFC 2177 IDLE: "+ idling", then changes to the selected mailbox are pushed as they happen
// (EXPUNGE included) until the client sends DONE. The autologout timer still applies.
import { bad } from "../errors.js";
import { AUTH, type CommandSpec } from "./types.js";

export const idle: CommandSpec<"IDLE"> = {
  states: AUTH,
  async run(_cmd, s) {
    s.sendLine("+ idling");
    await s.flushUpdates({ expunges: true });
    const deadline = Date.now() + s.config.idleTimeoutSec * 1000;
    const next = s.io.readFrame();
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()));
      });
      const r = await Promise.race([
        next.then((f) => ({ frame: f })),
        s.changed().then(() => "changed" as const),
        timeout,
      ]);
      clearTimeout(timer);
      if (r === "timeout") {
        s.sendLine("* BYE Idle for too long");
        s.close();
        return { done: true };
      }
      if (r === "changed") {
        if (s.state.kind === "logout") return { done: true };
        await s.flushUpdates({ expunges: true });
        continue;
      }
      if (!r.frame) return { done: true }; // disconnected
      const text = r.frame.segments.length === 1 ? r.frame.segments[0]!.data.toString("latin1") : "";
      if (text.toUpperCase() !== "DONE") throw bad("Expected DONE");
      return { text: "IDLE terminated" };
    }
  },
};
