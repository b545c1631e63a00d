// HAVESPACE <name> <size> — RFC 5804 §2.5: would PUTSCRIPT of that size under that name fit?
// QUOTA/MAXSIZE over [sieve] maxScriptBytes, QUOTA/MAXSCRIPTS when a new name would pass
// [sieve] maxScripts.
import { errors } from "../errors.js";
import type { AuthState } from "../state.js";
import { numberOf } from "../wire/command.js";
import { scriptName } from "./scripts-common.js";
import type { Handler } from "./types.js";

const usage = 'HAVESPACE "name" size';

export const havespace: Handler<AuthState> = async (conn, cmd, state) => {
  const [nameArg, sizeArg, extra] = cmd.args;
  const name = scriptName(nameArg, usage);
  const size = numberOf(sizeArg);
  if (size === null || extra !== undefined) throw errors.syntax(usage);
  const cfg = conn.ctx.config.sieve;
  if (size > cfg.maxScriptBytes) throw errors.tooBig(cfg.maxScriptBytes);
  const sieve = conn.ctx.store.sieve;
  if (!(await sieve.get(state.account.id, name))) {
    const count = (await sieve.list(state.account.id)).length;
    if (count >= cfg.maxScripts) throw errors.tooMany(cfg.maxScripts);
  }
  await conn.ok();
};
