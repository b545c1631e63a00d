// LISTSCRIPTS — RFC 5804 §2.7: one line per script, its name as a string, " ACTIVE" after the
// active one.
import { errors } from "../errors.js";
import type { AuthState } from "../state.js";
import { sieveString } from "../wire/response.js";
import type { Handler } from "./types.js";

export const listscripts: Handler<AuthState> = async (conn, cmd, state) => {
  if (cmd.args.length > 0) throw errors.syntax("LISTSCRIPTS");
  const scripts = await conn.ctx.store.sieve.list(state.account.id);
  await conn.send(
    scripts.map((s) => Buffer.concat([sieveString(s.name), Buffer.from(s.active ? " ACTIVE\r\n" : "\r\n")])),
  );
  await conn.ok();
};
