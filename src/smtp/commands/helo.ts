// HELO (RFC 5321 §4.1.1.1): plain SMTP, no extensions. Like EHLO it ends any transaction.
import { SmtpError } from "../errors.js";
import { reply } from "../wire/reply.js";
import type { CommandHandler } from "./types.js";

export const helo: CommandHandler = (s, arg) => {
  if (arg === "" || arg.includes(" ")) throw new SmtpError("syntax", "HELO hostname");
  // Port 25 screening (src/dnsbl): the name's sanity; input already waiting behind this line was
  // pipelined before we offered PIPELINING (RFC 2920 §3.1).
  s.screen?.helo(arg, { localIp: s.localIp, pipelined: s.io.pendingInput > 0 });
  s.state = { phase: "ready", helo: { name: arg, esmtp: false } };
  s.send(reply(250, null, s.hostname));
};
