// DELETESCRIPT <name> — RFC 5804 §2.10: NONEXISTENT for an unknown name, ACTIVE for the active
// script (deactivate it first).
import { errors } from "../errors.js";
import type { AuthState } from "../state.js";
import { scriptName, storeRefusal } from "./scripts-common.js";
import type { Handler } from "./types.js";

const usage = 'DELETESCRIPT "name"';

export const deletescript: Handler<AuthState> = async (conn, cmd, state) => {
  const [nameArg, extra] = cmd.args;
  if (extra !== undefined) throw errors.syntax(usage);
  const name = scriptName(nameArg, usage);
  await conn.ctx.store.sieve.remove(state.account.id, name).catch((e: unknown) => storeRefusal(e, conn));
  await conn.ok();
};
