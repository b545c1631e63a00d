// PUTSCRIPT <name> <script> — RFC 5804 §2.6: check the script, then store it under that name
// (replacing one of the same name, which keeps its active flag). An invalid script is refused with
// NO and its errors (line and column) and is not stored.
import { errors } from "../errors.js";
import type { AuthState } from "../state.js";
import { putLimits, requireValid, scriptName, scriptText, storeRefusal } from "./scripts-common.js";
import type { Handler } from "./types.js";

const usage = 'PUTSCRIPT "name" {n+} script';

export const putscript: Handler<AuthState> = async (conn, cmd, state) => {
  const [nameArg, scriptArg, extra] = cmd.args;
  if (extra !== undefined) throw errors.syntax(usage);
  const name = scriptName(nameArg, usage);
  const source = scriptText(conn, scriptArg, usage);
  requireValid(conn, source);
  await conn.ctx.store.sieve
    .put(state.account.id, name, source, putLimits(conn))
    .catch((e: unknown) => storeRefusal(e, conn));
  conn.log.info("script stored", { user: state.account.address, name, bytes: Buffer.byteLength(source) });
  await conn.ok();
};
