// Stage "queue": one store.queue.enqueue for every remote recipient, durable on return. Our users'
// mail and our own (every door but "inbound") is DKIM-signed for its From domain (RFC 6376, with
// every algorithm of [mailauth] algorithms), so receivers applying the domain's DMARC policy see
// an aligned signature; mail relayed from port 25 (forwarding aliases) is not ours to sign.
// The copy is our Received + Authentication-Results + filter fields above the signed content.
import { mailauthFor } from "../mailauth/services.js";
import type { Recipient, Stage } from "./types.js";

export const queueRemoteStage: Stage = {
  name: "queue",
  doors: new Set(["inbound", "submission", "jmap", "system"]),
  async run(work, { ctx }) {
    if (work.remote.length === 0) return "next";
    const l = work.letter;
    const signed =
      l.door !== "inbound" && ctx.config.mailauth.signOutbound
        ? await mailauthFor(ctx).signer.sign(work.body)
        : work.body;
    const queued = await ctx.store.queue.enqueue({
      body: Buffer.concat([work.received, work.authFields, work.filterFields, signed]),
      mailFrom: l.mailFrom,
      recipients: work.remote,
      envId: l.envId ?? null,
      ret: l.ret ?? null,
      accountId: l.accountId,
    });
    work.queued = true;
    work.log.info("queued", { id: work.id, queueId: queued.id, recipients: work.remote.length });
    return "next";
  },
};

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
