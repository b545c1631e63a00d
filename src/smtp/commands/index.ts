// The command table (RFC 5321 §4.1.1 and the extensions Yubin offers): each verb's handler and the
// session phases it is allowed in, checked by the dispatcher (session.ts) before the handler runs;
// in another phase the reply is 503 5.5.1 with the entry's text. A verb not listed here gets
// 500 5.5.2.
import { auth } from "./auth.js";
import { bdat } from "./bdat.js";
import { data } from "./data.js";
import { ehlo } from "./ehlo.js";
import { expn } from "./expn.js";
import { helo } from "./helo.js";
import { help } from "./help.js";
import { mail } from "./mail.js";
import { noop } from "./noop.js";
import { quit } from "./quit.js";
import { rcpt } from "./rcpt.js";
import { rset } from "./rset.js";
import { starttls } from "./starttls.js";
import { ANY, allow, type CommandSpec } from "./types.js";
import { vrfy } from "./vrfy.js";

export const commandTable: Readonly<Record<string, CommandSpec>> = {
  HELO: allow(ANY, helo),
  EHLO: allow(ANY, ehlo),
  MAIL: allow(["ready"], mail, { connected: "Send HELO/EHLO first", mail: "Nested MAIL command" }),
  RCPT: allow(["mail"], rcpt, "Need MAIL before RCPT"),
  DATA: allow(["mail"], data, "Need MAIL and RCPT before DATA"),
  // Any phase: BDAT's octets must be read even when the command is refused (RFC 3030 §2), so the
  // handler checks the transaction itself after reading them.
  BDAT: allow(ANY, bdat),
  RSET: allow(ANY, rset),
  NOOP: allow(ANY, noop),
  QUIT: allow(ANY, quit),
  VRFY: allow(ANY, vrfy),
  EXPN: allow(ANY, expn),
  HELP: allow(ANY, help),
  STARTTLS: allow(ANY, starttls),
  // RFC 4954 §4: after EHLO, not during a mail transaction.
  AUTH: allow(["ready"], auth, {
    connected: "Send EHLO first",
    mail: "AUTH not allowed during a transaction",
  }),
};
