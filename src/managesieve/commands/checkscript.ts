// CHECKSCRIPT <script> — RFC 5804 §2.12: the checks of PUTSCRIPT, nothing stored.
import { errors } from "../errors.js";
import type { AuthState } from "../state.js";
import { requireValid, scriptText } from "./scripts-common.js";
import type { Handler } from "./types.js";

const usage = "CHECKSCRIPT {n+} script";

export const checkscript: Handler<AuthState> = async (conn, cmd) => {
  const [scriptArg, extra] = cmd.args;
  if (extra !== undefined) throw errors.syntax(usage);
  requireValid(conn, scriptText(conn, scriptArg, usage));
  await conn.ok();
};
