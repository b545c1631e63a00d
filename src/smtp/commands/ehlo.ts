// EHLO (RFC 5321 §4.1.1.1): greets and lists the service extensions. Ends any transaction.
// AUTH (RFC 4954) is listed only where it may be used: submission, over TLS unless
// smtp.plaintextAuth allows otherwise; STARTTLS (RFC 3207) only before TLS.
import { SmtpError } from "../errors.js";
import { reply } from "../wire/reply.js";
import { oauthOffered } from "./auth-oauth.js";
import type { CommandHandler } from "./types.js";

export const ehlo: CommandHandler = (s, arg) => {
  if (arg === "" || arg.includes(" ")) throw new SmtpError("syntax", "EHLO hostname");
  // Port 25 screening (src/dnsbl): the name's sanity; input already waiting behind this line was
  // pipelined before we offered PIPELINING (RFC 2920 §3.1).
  s.screen?.helo(arg, { localIp: s.localIp, pipelined: s.io.pendingInput > 0 });
  s.state = { phase: "ready", helo: { name: arg, esmtp: true } };
  const lines = [
    s.hostname,
    "PIPELINING", // RFC 2920
    `SIZE ${s.cfg.maxMessageSize}`, // RFC 1870
    "8BITMIME", // RFC 6152
    "SMTPUTF8", // RFC 6531
    "ENHANCEDSTATUSCODES", // RFC 2034
    "CHUNKING", // RFC 3030
    "DSN", // RFC 3461
  ];
  if (s.offersStartTls) lines.push("STARTTLS");
  // OAUTHBEARER (RFC 7628) and XOAUTH2 only when [oauth] names a provider (auth-oauth.ts).
  if (s.authAllowed && s.identity.kind !== "account")
    lines.push(oauthOffered(s) ? "AUTH PLAIN LOGIN OAUTHBEARER XOAUTH2" : "AUTH PLAIN LOGIN");
  s.send(reply(250, null, ...lines));
};
