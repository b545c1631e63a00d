// BDAT (RFC 3030 §2, CHUNKING): "BDAT <octets> [LAST]" followed by exactly that many octets.
// The octets are always read, even when the command is refused, so they are never taken for
// commands. A refused or oversized chunk ends the transaction; later chunks of it find no
// transaction and are refused in turn (503), as the client should have stopped (§2).
import { SmtpError } from "../errors.js";
import { acceptMessage } from "../message/accept.js";
import { replies } from "../replies.js";
import { checkLineEnds } from "../wire/line-ends.js";
import type { CommandHandler } from "./types.js";

export const bdat: CommandHandler = async (s, arg) => {
  const m = /^(\d{1,15})(?: +(LAST))?$/i.exec(arg);
  // Without a valid size we cannot know where the chunk ends: refuse, and read commands.
  if (!m) throw new SmtpError("syntax", "BDAT <octets> [LAST]");
  const size = Number(m[1]);
  const last = m[2] !== undefined;

  const tx = s.state.phase === "mail" ? s.state.tx : null;
  const refusal =
    tx === null
      ? new SmtpError("bad-sequence", "Need MAIL and RCPT before BDAT")
      : tx.recipients.length === 0
        ? new SmtpError("no-recipients")
        : null;
  if (tx && !refusal) tx.chunks ??= { parts: [], size: 0 };
  const chunks = tx && !refusal ? tx.chunks : null;
  const tooBig = chunks !== null && chunks.size + size > s.cfg.maxMessageSize;
  const keep = chunks !== null && !tooBig;

  const outcome = await s.io.readBytes(size, s.cfg.dataTimeoutSec * 1000, (b) => {
    if (keep) chunks.parts.push(b);
  });
  if (outcome !== "done") {
    s.resetTransaction();
    s.endOnWait(outcome);
    return;
  }
  if (refusal) throw refusal;
  if (!tx || !chunks) return; // unreachable: no refusal means both exist
  if (tooBig) {
    s.resetTransaction();
    throw new SmtpError("too-big");
  }
  chunks.size += size;
  if (!last) {
    s.send(replies.chunkOk(size));
    return;
  }
  s.resetTransaction();
  const body = Buffer.concat(chunks.parts, chunks.size);
  const ends = checkLineEnds(body, s.cfg.maxDataLineLength);
  const id = await acceptMessage(s, tx, { body, size: body.length, tooBig: false, ...ends });
  s.noteMessage();
  s.send(replies.accepted(id));
};
