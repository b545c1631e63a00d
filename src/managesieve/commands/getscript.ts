// GETSCRIPT <name> — RFC 5804 §2.9: the script as a literal ({n} CRLF octets), CRLF, then OK.
import { errors } from "../errors.js";
import type { AuthState } from "../state.js";
import { scriptName } from "./scripts-common.js";
import type { Handler } from "./types.js";

const usage = 'GETSCRIPT "name"';

export const getscript: Handler<AuthState> = async (conn, cmd, state) => {
  const [nameArg, extra] = cmd.args;
  if (extra !== undefined) throw errors.syntax(usage);
  const name = scriptName(nameArg, usage);
  const script = await conn.ctx.store.sieve.get(state.account.id, name);
  if (!script) throw errors.noSuchScript();
  const body = Buffer.from(script.content, "utf8");
  await conn.send([`{${body.length}}\r\n`, body, "\r\n"]);
  await conn.ok();
};
