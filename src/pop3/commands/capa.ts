// CAPA — RFC 2449 §5, listing only what this connection can really do now (§6):
// login methods appear only where a login may be made (TLS, or pop3.allowPlaintextAuth), STLS
// only before TLS on a starttls listener.
// APOP (RFC 1939 §7) is deliberately absent: it needs the plaintext password on the server to
// compute the MD5 digest, and Yubin only keeps argon2id hashes. Use TLS with USER/PASS or AUTH.
import type { SessionState } from "../state.js";
import { offeredMechanisms } from "./auth.js";
import type { Conn, Handler } from "./types.js";

export const capa: Handler<SessionState> = async (conn, _cmd, state) => {
  await conn.multiline(
    "capability list follows",
    capabilities(conn, state).map((c) => `${c}\r\n`),
  );
};

export function capabilities(
  conn: Pick<Conn, "ctx" | "offersStls" | "plaintextAuthAllowed">,
  state: SessionState,
): string[] {
  const caps = ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER"];
  if (state.kind === "authorization") {
    if (conn.offersStls) caps.push("STLS");
    if (conn.plaintextAuthAllowed) caps.push("USER", `SASL ${offeredMechanisms(conn).join(" ")}`);
  }
  caps.push("IMPLEMENTATION Yubin");
  return caps;
}
