// AUTH OAUTHBEARER (RFC 7628) and XOAUTH2 for POP3 (RFC 5034), offered only when [oauth] names a
// provider. The token is checked by the auth service (same throttle as passwords). On a bad token
// the server sends the JSON error challenge as "+ <base64>" (RFC 7628 §3.2.2), the client answers
// (a lone ^A, "AQ=="), then comes "-ERR [AUTH]". RFC 5034 §4 has clients send responses longer
// than a command line in the continuation, so it is read with maxBearerResponseLength.
import {
  errorChallenge,
  maxBearerResponseLength,
  type OAuthMechanism,
  oauthConfigured,
  parseBearerResponse,
} from "../../oauth/sasl.js";
import { errors, Pop3Error } from "../errors.js";
import type { Conn } from "./types.js";

export function oauthOffered(conn: Pick<Conn, "ctx">): boolean {
  return oauthConfigured(conn.ctx.config.oauth);
}

export async function authOAuth(
  conn: Conn,
  mechanism: OAuthMechanism,
  initial: string | undefined,
): Promise<void> {
  const cfg = conn.ctx.config.oauth;
  const maxLength = maxBearerResponseLength(cfg.maxTokenBytes);
  const response = initial ?? (await conn.continuation("", maxLength));
  if (response === "*") throw errors.authCancelled();
  const msg = parseBearerResponse(mechanism, response);
  if ("error" in msg) throw errors.badSasl();
  const result = await conn.ctx.auth.authenticateBearer({
    token: msg.token,
    username: msg.username,
    ip: conn.remoteIp,
    protocol: "pop3",
  });
  if (!result.ok) {
    // RFC 3206 SYS/TEMP: the provider's keys could not be fetched, not the client's fault.
    if (result.reason === "unavailable")
      throw new Pop3Error("cannot check the token now; try again later", { code: "SYS/TEMP" });
    if (result.reason === "invalid") {
      // The client's answer only closes the exchange (RFC 7628 §3.2.3); the reply is the failure.
      const answer = await conn.continuation(errorChallenge(mechanism, cfg), maxLength);
      if (answer === "*") throw errors.authCancelled();
    }
    return conn.enter(result); // throws the failure, counted like a wrong password
  }
  await conn.enter(result);
  await conn.ok("logged in");
}
