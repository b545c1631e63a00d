// UIDL [msg] — RFC 1939 §7: unique-id listings "n id". Ids are "<uidValidity>.<uid>"
// (maildrop.ts): printable, at most 21 characters, stable across sessions and restarts.
import { errors } from "../errors.js";
import type { TransactionState } from "../state.js";
import { parseMessageNumber } from "../wire/command.js";
import type { Handler } from "./types.js";

export const uidl: Handler<TransactionState> = async (conn, cmd, state) => {
  const drop = state.maildrop;
  if (cmd.args.length > 1) throw errors.syntax("UIDL [msg]");
  if (cmd.args.length === 1) {
    const n = parseMessageNumber(cmd.args[0]);
    if (n === null) throw errors.syntax("UIDL [msg]");
    await conn.ok(`${n} ${drop.uidl(n)}`);
    return;
  }
  const lines = drop.live().map((n) => `${n} ${drop.uidl(n)}\r\n`);
  await conn.multiline("unique-id listing follows", lines);
};
