// LOGOUT — RFC 5804 §2.3: OK, then the server closes the connection.
import { errors } from "../errors.js";
import type { SessionState } from "../state.js";
import type { Handler } from "./types.js";

export const logout: Handler<SessionState> = async (conn, cmd) => {
  if (cmd.args.length > 0) throw errors.syntax("LOGOUT");
  conn.endAfterReply();
  await conn.ok("Logout completed");
};
