// STARTTLS (RFC 3207): reply 220, then the TLS handshake. Plaintext the client pipelined
// after the command is discarded, never read as commands (§4.2, and CVE-2011-0411).
import { SmtpError } from "../errors.js";
import { replies } from "../replies.js";
import type { CommandHandler } from "./types.js";

export const starttls: CommandHandler = async (s, arg) => {
  if (arg !== "") throw new SmtpError("syntax", "STARTTLS takes no argument");
  if (s.tls) throw new SmtpError("bad-sequence", "TLS already active");
  if (!s.offersStartTls) throw new SmtpError("tls-unavailable");
  s.send(replies.startTls());
  await s.startTls();
};
