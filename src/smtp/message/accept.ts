// The end of a transaction (after DATA's CRLF.CRLF or BDAT LAST): check the content, add trace
// fields, then store it. The message is stored once for all local recipients (one durable
// store.mail.deliver: all-or-nothing, so a full mailbox means 452 4.2.2 and nothing stored)
// and once in the outbound queue for remote ones. The caller replies 250 only after this
// resolves, i.e. after the store has fsync'd it.
//
// Order: local first, then the queue. If queueing failed after local delivery, the client gets
// 451 and may send again (a duplicate, never a loss).

import { SmtpError } from "../errors.js";
import { nextId } from "../ids.js";
import type { Session } from "../session.js";
import type { Transaction } from "../state.js";
import { normalizeLineEnds } from "../wire/line-ends.js";
import { headerFacts } from "./headers.js";
import { checkSender } from "./sender.js";
import { receivedHeader, returnPathHeader } from "./trace.js";

export interface ReceivedContent {
  body: Buffer;
  size: number;
  tooBig: boolean;
  bareLf: boolean;
  bareCr: boolean;
  lineTooLong: boolean;
}

/** Validate and store; returns the id given in the 250 reply and the Received field. */
export async function acceptMessage(s: Session, tx: Transaction, content: ReceivedContent): Promise<string> {
  if (content.tooBig) throw new SmtpError("too-big");
  let body = content.body;
  if (content.bareLf || content.bareCr) {
    if (s.cfg.bareLineEnds === "reject")
      throw new SmtpError(
        "bad-content",
        "bare CR or LF in message; lines must end with CRLF (RFC 5321 2.3.8)",
      );
    body = normalizeLineEnds(body);
  }
  if (content.lineTooLong)
    throw new SmtpError("bad-content", `line longer than ${s.cfg.maxDataLineLength} octets`);

  const facts = headerFacts(body, s.identity.kind !== "anonymous");
  if (facts.received >= s.cfg.maxReceivedHeaders) throw new SmtpError("too-many-hops");
  if (s.identity.kind !== "anonymous") {
    if (facts.fromInvalid) throw new SmtpError("sender-denied", "From header has an invalid address");
    for (const a of facts.from ?? []) await checkSender(s.ctx.store.directory, s.identity, a, "header");
  }

  const id = nextId();
  const helo = s.state.phase === "connected" ? null : s.state.helo;
  const all = tx.recipients;
  const received = receivedHeader({
    helo: helo?.name ?? "unknown",
    ip: s.remoteIp,
    hostname: s.hostname,
    esmtp: helo?.esmtp ?? false,
    utf8: tx.smtpUtf8,
    authenticated: s.identity.kind === "account",
    tls: s.tls,
    id,
    recipient: all.length === 1 ? all[0]!.address : null,
    date: new Date(),
  });
  const receivedBuf = Buffer.from(received, "utf8");

  const accountIds = [...new Set(all.flatMap((r) => r.accountIds))];
  if (accountIds.length > 0) {
    const local = Buffer.concat([Buffer.from(returnPathHeader(tx.from), "utf8"), receivedBuf, body]);
    await s.ctx.store.mail.deliver(
      local,
      accountIds.map((accountId) => ({ accountId })),
    );
  }

  const remote = remoteRecipients(tx);
  if (remote.length > 0) {
    const queued = await s.ctx.store.queue.enqueue({
      body: Buffer.concat([receivedBuf, body]),
      mailFrom: tx.from,
      recipients: remote,
      envId: tx.envId,
      ret: tx.ret,
      accountId: s.identity.kind === "account" ? s.identity.account.id : null,
    });
    s.log.info("queued", { id, queueId: queued.id, recipients: remote.length });
  }
  s.log.info("message accepted", {
    id,
    from: tx.from,
    local: accountIds.length,
    remote: remote.length,
    size: body.length,
  });
  return id;
}

/** Remote recipients with their DSN parameters, each address once. */
function remoteRecipients(tx: Transaction) {
  const seen = new Set<string>();
  const out: { address: string; notify: string[] | null; orcpt: string | null }[] = [];
  for (const r of tx.recipients) {
    for (const address of r.remote) {
      const key = address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      // A forward keeps the address the client gave as ORCPT (RFC 3461 §4.2), for its DSNs.
      const orcpt = r.orcpt ?? (address === r.address ? null : `rfc822;${r.address}`);
      out.push({ address, notify: r.notify, orcpt });
    }
  }
  return out;
}
