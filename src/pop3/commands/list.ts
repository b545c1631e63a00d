// LIST [msg] — RFC 1939 §5: scan listings "n size", size being the message's octets unstuffed (§11).
// Messages marked deleted are not listed, and asking for one is an error.
import { errors } from "../errors.js";
import type { TransactionState } from "../state.js";
import { parseMessageNumber } from "../wire/command.js";
import type { Handler } from "./types.js";

export const list: Handler<TransactionState> = async (conn, cmd, state) => {
  const drop = state.maildrop;
  if (cmd.args.length > 1) throw errors.syntax("LIST [msg]");
  if (cmd.args.length === 1) {
    const n = parseMessageNumber(cmd.args[0]);
    if (n === null) throw errors.syntax("LIST [msg]");
    await conn.ok(`${n} ${await drop.size(n)}`);
    return;
  }
  const live = drop.live();
  const lines: string[] = [];
  for (const n of live) lines.push(`${n} ${await drop.size(n)}\r\n`);
  await conn.multiline(`${live.length} messages`, lines);
};
