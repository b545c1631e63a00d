// Stage "file": one store.mail.deliver for all local accounts (all-or-nothing: a full mailbox
// means QuotaError and nothing stored), durable when its promise resolves, which is what the door
// waits for before it acknowledges. The copy is Return-Path (final delivery, RFC 5321 §4.4) +
// our Received + our Authentication-Results + filter fields + the content, built in one concat.
import { junkTargets } from "../mailauth/inbound.js";
import type { DeliveryTarget } from "../store/types.js";
import { returnPathHeader } from "./trace-fields.js";
import type { Stage } from "./types.js";

export const fileLocalStage: Stage = {
  name: "file",
  doors: new Set(["inbound", "submission", "jmap", "system"]),
  async run(work, { ctx }) {
    if (work.accountIds.length === 0) return "next";
    const local = Buffer.concat([
      Buffer.from(returnPathHeader(work.letter.mailFrom), "utf8"),
      work.received,
      work.authFields,
      work.filterFields,
      work.body,
    ]);
    const junk = work.accountIds.filter((id) => work.folders.get(id) === "junk");
    const targets: DeliveryTarget[] = work.accountIds
      .filter((id) => work.folders.get(id) !== "junk")
      .map((accountId) => ({ accountId }));
    if (junk.length > 0) targets.push(...(await junkTargets(ctx.store.mail, junk)));
    await ctx.store.mail.deliver(local, targets);
    return "next";
  },
};
