// SETACTIVE <name> — RFC 5804 §2.8: make that script the one run at delivery; "" deactivates.
import { errors } from "../errors.js";
import type { AuthState } from "../state.js";
import { scriptName, storeRefusal } from "./scripts-common.js";
import type { Handler } from "./types.js";

const usage = 'SETACTIVE "name"';

export const setactive: Handler<AuthState> = async (conn, cmd, state) => {
  const [nameArg, extra] = cmd.args;
  if (extra !== undefined) throw errors.syntax(usage);
  const name = scriptName(nameArg, usage, true);
  await conn.ctx.store.sieve
    .setActive(state.account.id, name === "" ? null : name)
    .catch((e: unknown) => storeRefusal(e, conn));
  await conn.ok();
};
