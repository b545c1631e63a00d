// USER name — RFC 1939 §7. Refused before the password is ever sent when plaintext logins are
// not allowed on this connection (RFC 2595 §2: use STLS or implicit TLS first). The reply never
// says whether the user exists.
import { errors } from "../errors.js";
import type { AuthorizationState } from "../state.js";
import type { Handler } from "./types.js";

export const user: Handler<AuthorizationState> = async (conn, cmd, state) => {
  if (!conn.plaintextAuthAllowed) throw errors.plaintextRefused();
  if (cmd.args.length !== 1) throw errors.syntax("USER name");
  state.user = cmd.args[0]!;
  await conn.ok("send PASS");
};
