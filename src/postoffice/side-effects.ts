// Stage "side effects": what filing a message sets off, after it is durable: vacation auto-replies
// (src/delivery/vacation.ts, RFC 3834), which come back in through the "system" door. Never for
// system mail (a DSN or a vacation reply is not answered: RFC 3834 §2), never for copies filed as
// junk (a reply would be backscatter). sendVacationReplies logs its failures and never throws:
// the original delivery stands.
import { sendVacationReplies } from "../delivery/vacation.js";
import type { Stage } from "./types.js";

export const sideEffectsStage: Stage = {
  name: "side effects",
  doors: new Set(["inbound", "submission", "jmap"]),
  async run(work, { ctx }) {
    const recipients = work.letter.recipients.flatMap((r) =>
      r.accountIds
        .filter((accountId) => work.folders.get(accountId) !== "junk")
        .map((accountId) => ({ accountId, addresses: [r.address] })),
    );
    if (recipients.length === 0) return "next";
    await sendVacationReplies(ctx, { body: work.body, mailFrom: work.letter.mailFrom, recipients });
    return "next";
  },
};
