// Stage "queue": one store.queue.enqueue for every remote recipient, durable on return. Our users'
// mail and our own (every door but "inbound") is DKIM-signed for its From domain (RFC 6376, with
// every algorithm of [mailauth] algorithms), so receivers applying the domain's DMARC policy see
// an aligned signature; mail relayed from port 25 (forwarding aliases) is not ours to sign: it
// leaves with an SRS envelope sender and our ARC seal instead (forward.ts).
// The copy is our Received + Authentication-Results + filter fields above the signed content.
// A filter's hold (work.hold: e.g. a user's message the spam filter scored as spam) queues the
// entry in state "held": the delivery engine never claims it until an admin releases it (or
// deletes it), nothing is lost, the sender saw success, and postmaster@ is told.
import { mailauthFor } from "../mailauth/services.js";
import type { AppContext } from "../server/context.js";
import { domainOf, forwardSender, sealForwarded } from "./forward.js";
import { tellPostmaster } from "./postmaster-notice.js";
import type { Recipient, Stage, Work } from "./types.js";

export const queueRemoteStage: Stage = {
  name: "queue",
  doors: new Set(["inbound", "submission", "jmap", "system", "redirect"]),
  async run(work, { ctx }) {
    if (work.remote.length === 0) return "next";
    const l = work.letter;
    const relayed = l.door === "inbound" || l.door === "redirect";
    const signed =
      !relayed && ctx.config.mailauth.signOutbound
        ? await mailauthFor(ctx).signer.sign(work.body)
        : work.body;
    let body: Buffer = Buffer.concat([work.received, work.authFields, work.filterFields, signed]);
    if (relayed) {
      // Forwarded for someone else (an alias, a reversed SRS bounce): SRS and ARC (forward.ts).
      const via = l.recipients.find((r) => r.remote.length > 0);
      if (via) body = await sealForwarded(ctx, work, { copy: body, domain: domainOf(via.address) });
    }
    const queued = await ctx.store.queue.enqueue({
      body,
      mailFrom: relayed ? await forwardSender(ctx, l.mailFrom) : l.mailFrom,
      recipients: work.remote,
      envId: l.envId ?? null,
      ret: l.ret ?? null,
      accountId: l.accountId,
      // The same id in the delivery engine's lines about this entry (src/outbound/runner.ts).
      cid: work.id,
      ...(work.hold !== null ? { state: "held" as const } : {}),
    });
    work.queued = true;
    if (work.hold !== null) {
      work.log.warn("queued held", { id: work.id, queueId: queued.id, reason: work.hold });
      await noticeHeld(ctx, work, queued.id);
    } else work.log.info("queued", { id: work.id, queueId: queued.id, recipients: work.remote.length });
    return "next";
  },
};

/** Postmaster@ of the sender's domain (of the envelope sender's when the account is unknown) is
 *  told. Never fails the delivery: the entry is already durably held. */
async function noticeHeld(ctx: AppContext, work: Work, queueId: number): Promise<void> {
  // The system door never runs a filter's hold, so a notice cannot hold itself; belt and braces.
  if (work.letter.door === "system") return;
  const accountId = work.letter.accountId;
  const account =
    accountId === null ? null : await ctx.store.directory.getAccount(accountId).catch(() => null);
  const sender = account?.address ?? work.letter.mailFrom;
  await tellPostmaster(
    ctx,
    {
      about: sender,
      subject: `Outgoing message held from ${sender}`,
      kind: "held",
      lines: [
        `A message from ${sender} to ${work.remote.length} recipient(s) on other servers is held`,
        `in the queue (entry ${queueId}), not sent and not deleted:`,
        "",
        `  ${work.hold}`,
        "",
        "The sender was told it was accepted. Look at it and release it or delete it (admin pages,",
        `or yubin queue list / yubin queue delete ${queueId}). Many of these from one account`,
        "usually mean a stolen password.",
      ],
    },
    { id: work.id, queueId },
  );
}

/** Remote recipients with their DSN parameters, each address once. */
export function remoteRecipients(recipients: readonly Recipient[]): {
  address: string;
  notify: string[] | null;
  orcpt: string | null;
}[] {
  const seen = new Set<string>();
  const out: { address: string; notify: string[] | null; orcpt: string | null }[] = [];
  for (const r of recipients) {
    for (const address of r.remote) {
      const key = address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      // A forward keeps the address the client gave as ORCPT (RFC 3461 §4.2), for its DSNs.
      const orcpt = r.orcpt ?? (address === r.address ? null : `rfc822;${r.address}`);
      out.push({ address, notify: r.notify ?? null, orcpt });
    }
  }
  return out;
}
