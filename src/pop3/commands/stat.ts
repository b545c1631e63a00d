// STAT — RFC 1939 §5: "+OK nn mm", messages not marked deleted and the sum of their LIST sizes.
import { errors } from "../errors.js";
import type { TransactionState } from "../state.js";
import type { Handler } from "./types.js";

export const stat: Handler<TransactionState> = async (conn, cmd, state) => {
  if (cmd.args.length > 0) throw errors.syntax("STAT");
  const { count, octets } = await state.maildrop.stat();
  await conn.ok(`${count} ${octets}`);
};
