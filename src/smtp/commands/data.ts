// DATA (RFC 5321 §4.1.1.4): 354, then the message up to CRLF.CRLF, dot-unstuffed. Only a real
// CRLF.CRLF ends it (wire/dot-decoder.ts: the SMTP smuggling defence). The transaction ends
// here whatever the outcome; the 250 is sent only once the message is durably stored.
import { SmtpError } from "../errors.js";
import { acceptMessage } from "../message/accept.js";
import { replies } from "../replies.js";
import { DotDecoder } from "../wire/dot-decoder.js";
import type { CommandHandler } from "./types.js";

export const data: CommandHandler = async (s, arg) => {
  if (arg !== "") throw new SmtpError("syntax", "DATA takes no argument");
  if (s.state.phase !== "mail") throw new SmtpError("bad-sequence", "Need MAIL and RCPT before DATA");
  const tx = s.state.tx;
  if (tx.chunks !== null) throw new SmtpError("bad-sequence", "DATA cannot follow BDAT");
  if (tx.recipients.length === 0) throw new SmtpError("no-recipients");

  s.send(replies.startData());
  const decoder = new DotDecoder({
    maxSize: s.cfg.maxMessageSize,
    maxLineLength: s.cfg.maxDataLineLength,
    normalize: s.cfg.bareLineEnds === "normalize",
  });
  const outcome = await s.io.readData(decoder, s.cfg.dataTimeoutSec * 1000);
  s.resetTransaction();
  if (outcome !== "done") {
    s.endOnWait(outcome);
    return;
  }
  const id = await acceptMessage(s, tx, decoder.result());
  s.noteMessage();
  s.send(replies.accepted(id));
};
