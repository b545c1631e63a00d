// HELO (RFC 5321 §4.1.1.1): plain SMTP, no extensions. Like EHLO it ends any transaction.
import { SmtpError } from "../errors.js";
import { reply } from "../wire/reply.js";
import type { CommandHandler } from "./types.js";

export const helo: CommandHandler = (s, arg) => {
  if (arg === "" || arg.includes(" ")) throw new SmtpError("syntax", "HELO hostname");
  s.state = { phase: "ready", helo: { name: arg, esmtp: false } };
  s.send(reply(250, null, s.hostname));
};
