// Stage "trace": the one Received field we add (RFC 5321 §4.4), whatever the door, so a message
// that leaves for another domain carries exactly one Received field of ours, and a local copy the
// same one under its Return-Path (added at filing, final delivery only: RFC 5321 §4.4).
import { receivedHeader } from "./trace-fields.js";
import type { Stage } from "./types.js";

export const traceStage: Stage = {
  name: "trace",
  doors: new Set(["inbound", "submission", "jmap", "system", "redirect"]),
  async run(work, { ctx }) {
    const all = work.letter.recipients;
    const received = receivedHeader({
      origin: work.letter.origin,
      hostname: ctx.config.server.hostname,
      id: work.id,
      recipient: all.length === 1 ? all[0]!.address : null,
      date: new Date(),
    });
    work.received = Buffer.from(received, "utf8");
    return "next";
  },
};
