// RETR msg — RFC 1939 §5. "+OK n octets" with LIST's size: what follows before ".CRLF", un-stuffed.
// The body is written piece by piece, waiting for the socket to drain (server/line-io.ts), so a client that
// stops reading costs at most this one message in memory.
// With pop3.markSeenOnRetr, the message is flagged \Seen after it was sent whole (in the
// background, batched: maildrop.ts).
import { errors } from "../errors.js";
import type { TransactionState } from "../state.js";
import { parseMessageNumber } from "../wire/command.js";
import { stuffedPieces } from "../wire/dot-stuff.js";
import type { Handler } from "./types.js";

export const retr: Handler<TransactionState> = async (conn, cmd, state) => {
  const n = parseMessageNumber(cmd.args[0]);
  if (n === null || cmd.args.length !== 1) throw errors.syntax("RETR msg");
  const drop = state.maildrop;
  drop.check(n);
  const body = await drop.body(n);
  const size = await drop.size(n, body);
  await conn.multiline(`${size} octets`, stuffedPieces(body));
  if (conn.cfg.markSeenOnRetr) drop.markSeen(n);
};
