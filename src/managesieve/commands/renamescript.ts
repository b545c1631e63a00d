// RENAMESCRIPT <old> <new> — RFC 5804 §2.11: NONEXISTENT when old is unknown, ALREADYEXISTS when
// new is taken; an active script stays active under its new name.
import { errors } from "../errors.js";
import type { AuthState } from "../state.js";
import { scriptName, storeRefusal } from "./scripts-common.js";
import type { Handler } from "./types.js";

const usage = 'RENAMESCRIPT "old name" "new name"';

export const renamescript: Handler<AuthState> = async (conn, cmd, state) => {
  const [fromArg, toArg, extra] = cmd.args;
  if (extra !== undefined) throw errors.syntax(usage);
  const from = scriptName(fromArg, usage);
  const to = scriptName(toArg, usage);
  await conn.ctx.store.sieve.rename(state.account.id, from, to).catch((e: unknown) => storeRefusal(e, conn));
  await conn.ok();
};
