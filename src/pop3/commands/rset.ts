// RSET — RFC 1939 §5: unmark every message marked deleted in this session.
import { errors } from "../errors.js";
import type { TransactionState } from "../state.js";
import type { Handler } from "./types.js";

export const rset: Handler<TransactionState> = async (conn, cmd, state) => {
  if (cmd.args.length > 0) throw errors.syntax("RSET");
  state.maildrop.reset();
  await conn.ok(`maildrop has ${state.maildrop.live().length} messages`);
};
