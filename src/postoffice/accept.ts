// Stage "accept": what every door's message must be before anything is written. Loop detection
// (RFC 5321 §6.3): a message that already has smtp.maxReceivedHeaders Received fields is refused.
// System mail is ours and fresh; it is not counted.
import { scanHeader } from "../mime/headers.js";
import { PostOfficeError } from "./errors.js";
import type { Stage } from "./types.js";

export const acceptStage: Stage = {
  name: "accept",
  doors: new Set(["inbound", "submission", "jmap", "redirect"]),
  async run(work, { ctx }) {
    if (receivedCount(work.body) >= ctx.config.smtp.maxReceivedHeaders)
      throw new PostOfficeError("too-many-hops", "too many Received fields (mail loop?)");
    return "next";
  },
};

export function receivedCount(message: Buffer): number {
  let received = 0;
  for (const f of scanHeader(message, 0, message.length).fields) if (f.lname === "received") received++;
  return received;
}
