// CAPABILITY — RFC 5804 §2.4, and the greeting (§1.7) and the response after STARTTLS (§2.2),
// listing only what this connection can do now: SASL mechanisms only where a login may be made
// (TLS, or managesieve.allowPlaintextAuth), STARTTLS only before TLS on a starttls listener,
// OWNER once logged in (§1.7).
import { supportedExtensions } from "../../sieve/index.js";
import { errors } from "../errors.js";
import type { SessionState } from "../state.js";
import { sieveString } from "../wire/response.js";
import { offeredMechanisms } from "./authenticate.js";
import type { Conn, Handler } from "./types.js";

export const capability: Handler<SessionState> = async (conn, cmd, state) => {
  if (cmd.args.length > 0) throw errors.syntax("CAPABILITY");
  await conn.send(capabilityLines(conn, state));
  await conn.ok();
};

export function capabilityLines(
  conn: Pick<Conn, "ctx" | "offersStartTls" | "plaintextAuthAllowed">,
  state: SessionState,
): Buffer[] {
  const pairs: [string, string | null][] = [["IMPLEMENTATION", "Yubin"]];
  const sasl = state.kind === "nonauth" && conn.plaintextAuthAllowed ? offeredMechanisms(conn).join(" ") : "";
  pairs.push(["SASL", sasl]);
  pairs.push(["SIEVE", [...supportedExtensions].join(" ")]);
  if (conn.offersStartTls) pairs.push(["STARTTLS", null]);
  pairs.push(["MAXREDIRECTS", String(conn.ctx.config.sieve.maxRedirects)]);
  // RFC 5804 §1.7: NOTIFY is listed when the enotify extension is (RFC 5435), with its methods.
  if (supportedExtensions.has("enotify")) pairs.push(["NOTIFY", "mailto"]);
  if (state.kind === "auth") pairs.push(["OWNER", state.account.address]);
  pairs.push(["UNAUTHENTICATE", null]);
  pairs.push(["VERSION", "1.0"]);
  return pairs.map(([name, value]) =>
    Buffer.concat([
      sieveString(name),
      value === null ? Buffer.alloc(0) : Buffer.concat([Buffer.from(" "), sieveString(value)]),
      Buffer.from("\r\n"),
    ]),
  );
}
