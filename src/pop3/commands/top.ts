// TOP msg n — RFC 1939 §7: the header, the blank line, then the first n body lines, dot-stuffed.
// TOP never flags \Seen: clients use it to preview.
import { errors } from "../errors.js";
import type { TransactionState } from "../state.js";
import { parseLineCount, parseMessageNumber } from "../wire/command.js";
import { stuffedPieces, topOf } from "../wire/dot-stuff.js";
import type { Handler } from "./types.js";

export const top: Handler<TransactionState> = async (conn, cmd, state) => {
  const n = parseMessageNumber(cmd.args[0]);
  const lines = parseLineCount(cmd.args[1]);
  if (n === null || lines === null || cmd.args.length !== 2) throw errors.syntax("TOP msg n");
  const drop = state.maildrop;
  drop.check(n);
  const body = await drop.body(n);
  await conn.multiline("top of message follows", stuffedPieces(topOf(body, lines)));
};
