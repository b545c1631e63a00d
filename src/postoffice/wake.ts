// Stage "wake": something was queued, so the delivery engine looks at the queue now rather than at
// its next poll (outbound.pollIntervalMs). Unset when the engine does not run in this process.
import type { Stage } from "./types.js";

export const wakeStage: Stage = {
  name: "wake",
  doors: new Set(["inbound", "submission", "jmap", "system", "redirect"]),
  async run(work, { ctx }) {
    if (work.queued) ctx.kickQueue?.();
    return "next";
  },
};
