// DELE msg — RFC 1939 §5: mark only; the message leaves the store at QUIT (UPDATE state).
import { errors } from "../errors.js";
import type { TransactionState } from "../state.js";
import { parseMessageNumber } from "../wire/command.js";
import type { Handler } from "./types.js";

export const dele: Handler<TransactionState> = async (conn, cmd, state) => {
  const n = parseMessageNumber(cmd.args[0]);
  if (n === null || cmd.args.length !== 1) throw errors.syntax("DELE msg");
  state.maildrop.markDeleted(n);
  await conn.ok(`message ${n} deleted`);
};
