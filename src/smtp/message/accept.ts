// The end of a transaction (after DATA's CRLF.CRLF or BDAT LAST): check the content, add trace
// fields, then store it. The message is stored once for all local recipients (one durable
// store.mail.deliver: all-or-nothing, so a full mailbox means 452 4.2.2 and nothing stored)
// and once in the outbound queue for remote ones. The caller replies 250 only after this
// resolves, i.e. after the store has fsync'd it.
//
// Order: local first, then the queue. If queueing failed after local delivery, the client gets
// 451 and may send again (a duplicate, never a loss).

import { sendVacationReplies } from "../../delivery/vacation.js";
import { stripOwnAuthResults } from "../../mailauth/auth-results.js";
import { checkInbound, junkTargets } from "../../mailauth/inbound.js";
import { mailauthFor } from "../../mailauth/services.js";
import { SmtpError } from "../errors.js";
import { nextId } from "../ids.js";
import type { Session } from "../session.js";
import type { Transaction } from "../state.js";
import { normalizeLineEnds } from "../wire/line-ends.js";
import { receivedCount } from "./headers.js";
import { checkAuthors } from "./sender.js";
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
  // RFC 5322 2.3 / RFC 6152 3: no NUL in 7bit or 8bit content (only BINARYMIME, not offered, allows
  // it). Readers that stop at a NUL would show a different message than the one filters checked.
  if (s.cfg.nulBytes === "reject" && body.includes(0))
    throw new SmtpError("bad-content", "NUL octet in message (RFC 5322 2.3, RFC 6152 3)");

  if (receivedCount(body) >= s.cfg.maxReceivedHeaders) throw new SmtpError("too-many-hops");
  await checkAuthors(s.ctx.store.directory, s.identity, body, s.cfg.allowAddressDisplayNames);

  const helo = s.state.phase === "connected" ? null : s.state.helo;
  // Mail authentication (src/mailauth): inbound mail is checked (SPF, DKIM, DMARC, ARC) and gets
  // our Authentication-Results; forged ones naming us are removed from all mail (RFC 8601 §5).
  const auth = mailauthFor(s.ctx);
  let authFields: Buffer = Buffer.alloc(0);
  let junk = false;
  if (s.identity.kind === "anonymous") {
    const checked = await checkInbound(auth, s.ctx.config.mailauth, {
      body,
      ip: s.remoteIp,
      helo: helo?.name ?? null,
      mailFrom: tx.from,
    });
    const v = checked.verdict;
    s.log.info("mail authentication", {
      spf: v?.spf,
      dkim: v?.dkim.map((d) => `${d.domain}:${d.result}`).join(" "),
      dmarc: v?.dmarc?.result,
      decision: checked.decision,
    });
    if (checked.decision === "malformed") throw new SmtpError("bad-content", checked.reason);
    if (checked.decision === "reject") throw new SmtpError("dmarc-reject");
    if (checked.decision === "defer") throw new SmtpError("dmarc-temporary");
    body = checked.body;
    authFields = checked.headers;
    junk = checked.decision === "junk";
  } else body = stripOwnAuthResults(body, auth.authservId);

  const id = nextId();
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
    const local = Buffer.concat([
      Buffer.from(returnPathHeader(tx.from), "utf8"),
      receivedBuf,
      authFields,
      body,
    ]);
    await s.ctx.store.mail.deliver(
      local,
      junk ? await junkTargets(s.ctx.store.mail, accountIds) : accountIds.map((accountId) => ({ accountId })),
    );
    // Vacation auto-replies (src/delivery/vacation.ts); it logs its own failures, never throws.
    await sendVacationReplies(s.ctx, {
      body,
      mailFrom: tx.from,
      recipients: all.flatMap((r) =>
        r.accountIds.map((accountId) => ({ accountId, addresses: [r.address] })),
      ),
      junk,
    });
  }

  const remote = remoteRecipients(tx);
  if (remote.length > 0) {
    // Our users' mail is DKIM-signed for its From domain (RFC 6376); relayed inbound mail is not.
    const signed =
      s.identity.kind !== "anonymous" && s.ctx.config.mailauth.signOutbound
        ? await auth.signer.sign(body)
        : body;
    const queued = await s.ctx.store.queue.enqueue({
      body: Buffer.concat([receivedBuf, authFields, signed]),
      mailFrom: tx.from,
      recipients: remote,
      envId: tx.envId,
      ret: tx.ret,
      accountId: s.identity.kind === "account" ? s.identity.account.id : null,
    });
    s.log.info("queued", { id, queueId: queued.id, recipients: remote.length });
    s.ctx.kickQueue?.();
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
