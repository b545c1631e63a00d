// STARTTLS — RFC 5804 §2.2: only before login, on a "starttls" listener, once. After the OK the
// TLS handshake; whatever the client pipelined is dropped (io.ts detach), and the server sends its
// capabilities again (now with SASL mechanisms) and OK.
import { errors } from "../errors.js";
import type { NonAuthState } from "../state.js";
import { capabilityLines } from "./capability.js";
import type { Handler } from "./types.js";

export const starttls: Handler<NonAuthState> = async (conn, cmd, state) => {
  if (cmd.args.length > 0) throw errors.syntax("STARTTLS");
  if (conn.secure) throw errors.alreadyTls();
  if (!conn.offersStartTls) throw errors.noTls();
  await conn.ok("Begin TLS negotiation now");
  await conn.startTls();
  await conn.send(capabilityLines(conn, state));
  await conn.ok();
};
