// STLS — RFC 2595 §4. Only in AUTHORIZATION, only on a "starttls" listener, only once.
// After the +OK the TLS handshake starts; whatever the client pipelined after STLS is dropped
// (server/line-io.ts detach), and the session starts over: a USER given in clear is forgotten.
import { errors } from "../errors.js";
import type { AuthorizationState } from "../state.js";
import type { Handler } from "./types.js";

export const stls: Handler<AuthorizationState> = async (conn, cmd, state) => {
  if (cmd.args.length > 0) throw errors.syntax("STLS");
  if (conn.secure) throw errors.alreadyTls();
  if (!conn.offersStls) throw errors.noTls();
  state.user = null;
  await conn.ok("Begin TLS negotiation");
  await conn.startTls();
};
