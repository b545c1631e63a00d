// UNAUTHENTICATE — RFC 5804 §2.14: back to the non-authenticated state (the login deadline starts
// again); the connection keeps its TLS.
import { errors } from "../errors.js";
import type { AuthState } from "../state.js";
import type { Handler } from "./types.js";

export const unauthenticate: Handler<AuthState> = async (conn, cmd) => {
  if (cmd.args.length > 0) throw errors.syntax("UNAUTHENTICATE");
  conn.leave();
  await conn.ok();
};
