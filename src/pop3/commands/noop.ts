// NOOP — RFC 1939 §5. Also resets the idle timer, as every command does.
import { errors } from "../errors.js";
import type { TransactionState } from "../state.js";
import type { Handler } from "./types.js";

export const noop: Handler<TransactionState> = async (conn, cmd) => {
  if (cmd.args.length > 0) throw errors.syntax("NOOP");
  await conn.ok("");
};
