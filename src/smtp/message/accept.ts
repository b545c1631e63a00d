// The end of a transaction (after DATA's CRLF.CRLF or BDAT LAST): the SMTP door of the post office.
// Here only what is SMTP's own: size, line ends (RFC 5321 §2.3.8), line length, NUL, and the
// author fields of submitted mail; then the message is posted (src/postoffice: door "inbound" for
// port 25, "submission" for an authenticated or POP-before-SMTP client). The caller replies 250
// only after this resolves, i.e. after the store has fsync'd every copy; a refusal of the post
// office becomes a reply here (a full mailbox, QuotaError, is 452 4.2.2 in the session).

import { SCREEN_FIELD, screenHeader, withScreenField } from "../../dnsbl/index.js";
import { PostOfficeError } from "../../postoffice/errors.js";
import { SmtpError } from "../errors.js";
import { nextId } from "../ids.js";
import type { Session } from "../session.js";
import type { Transaction } from "../state.js";
import { normalizeLineEnds } from "../wire/line-ends.js";
import { checkAuthors } from "./sender.js";

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
    s.screen?.bareNewline(); // port 25: accepted (normalised), but scored as postscreen does
  }
  if (content.lineTooLong)
    throw new SmtpError("bad-content", `line longer than ${s.cfg.maxDataLineLength} octets`);
  // RFC 5322 2.3 / RFC 6152 3: no NUL in 7bit or 8bit content (only BINARYMIME, not offered, allows
  // it). Readers that stop at a NUL would show a different message than the one filters checked.
  if (s.cfg.nulBytes === "reject" && body.includes(0))
    throw new SmtpError("bad-content", "NUL octet in message (RFC 5322 2.3, RFC 6152 3)");

  await checkAuthors(s.ctx.store.directory, s.identity, body, s.cfg.allowAddressDisplayNames);

  // Port 25: the connection's screen result (src/dnsbl) goes with the letter and, when it found
  // something, as one header field with the message; the client's own such fields are removed.
  const screen = s.screen ? await s.screen.result() : undefined;
  if (screen) body = withScreenField(body, screen);
  const helo = s.state.phase === "connected" ? null : s.state.helo;
  // The rest is the post office's (src/postoffice): trace fields, inbound authentication, filters,
  // filing, signing and queueing, waking the delivery engine, vacation replies.
  const id = nextId();
  try {
    const posted = await s.ctx.postOffice.post({
      door: s.identity.kind === "anonymous" ? "inbound" : "submission",
      mailFrom: tx.from,
      recipients: tx.recipients,
      body,
      origin: {
        kind: "smtp",
        helo: helo?.name ?? null,
        ip: s.remoteIp,
        esmtp: helo?.esmtp ?? false,
        utf8: tx.smtpUtf8,
        authenticated: s.identity.kind === "account",
        tls: s.tls,
      },
      accountId: s.identity.kind === "account" ? s.identity.account.id : null,
      envId: tx.envId,
      ret: tx.ret,
      id,
      log: s.log,
      screen: screen && { score: screen.score, reasons: screen.reasons },
    });
    s.log.info("message accepted", {
      id,
      from: tx.from,
      local: posted.local,
      remote: posted.remote,
      discarded: posted.discarded,
      size: body.length,
      ...(posted.verdicts.length > 0 ? { verdicts: posted.verdicts.join(" ") } : {}),
      ...(screen && screen.reasons.length > 0
        ? { screen: screenHeader(screen).slice(`${SCREEN_FIELD}: `.length) }
        : {}),
    });
  } catch (e) {
    if (e instanceof PostOfficeError) throw smtpErrorOf(e);
    throw e;
  }
  return id;
}

/** The post office's refusals as SMTP replies (replies.ts has the codes). */
function smtpErrorOf(e: PostOfficeError): SmtpError {
  switch (e.kind) {
    case "too-many-hops":
      return new SmtpError("too-many-hops");
    case "malformed":
      return new SmtpError("bad-content", e.message);
    case "dmarc-reject":
      return new SmtpError("dmarc-reject");
    case "dmarc-temporary":
      return new SmtpError("dmarc-temporary");
    case "rejected":
      // A filter's refusal, in the dialogue (RFC 5321 §6.2: refuse rather than bounce later).
      return new SmtpError("policy-rejected", e.message);
    case "sending-limit":
      return new SmtpError("sending-limit", e.message);
    case "virus":
      return new SmtpError("virus", `virus found (${e.message})`);
    case "filter-temporary":
      // 4xx: the client keeps the message and retries (RFC 5321 §4.2.5), so nothing unchecked
      // gets in and nothing is lost while a scanner is down.
      return new SmtpError("temporary", e.message);
  }
}
