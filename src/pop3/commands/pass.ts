// PASS string — RFC 1939 §7. The whole rest of the line is the password (spaces included, as
// §7 allows). Whatever the outcome, a new USER is needed before the next PASS.
import { errors } from "../errors.js";
import type { AuthorizationState } from "../state.js";
import type { Handler } from "./types.js";

export const pass: Handler<AuthorizationState> = async (conn, cmd, state) => {
  if (!conn.plaintextAuthAllowed) throw errors.plaintextRefused();
  const username = state.user;
  if (username === null) throw errors.noUser();
  state.user = null;
  if (cmd.rest === "") throw errors.syntax("PASS password");
  await conn.login(username, cmd.rest);
  await conn.ok("logged in");
};
