// AUTH OAUTHBEARER (RFC 7628 §3, its §4.3 shows this SMTP exchange) and XOAUTH2, offered only
// when [oauth] names a provider. The token is checked by the auth service (same throttle as
// passwords). On a bad token the server sends the JSON error challenge as a 334 (RFC 7628
// §3.2.2), the client answers (a lone ^A for OAUTHBEARER, an empty line for XOAUTH2), and then
// comes 535 5.7.8. Bearer responses may be longer than a command line (maxBearerResponseLength).
import {
  errorChallenge,
  maxBearerResponseLength,
  type OAuthMechanism,
  parseBearerMessage,
} from "../../oauth/sasl.js";
import { SmtpError } from "../errors.js";
import type { Session } from "../session.js";
import { acceptLogin } from "./auth-accept.js";
import { challenge, decode } from "./auth-challenge.js";

export function oauthOffered(s: Session): boolean {
  return s.ctx.config.oauth.issuer !== "";
}

export async function authOAuth(
  s: Session,
  mechanism: OAuthMechanism,
  initial: string | null,
): Promise<void> {
  const cfg = s.ctx.config.oauth;
  const maxLength = maxBearerResponseLength(cfg.maxTokenBytes);
  const response = initial !== null ? decode(initial) : await challenge(s, "", maxLength);
  if (response === null) return; // the connection ended during the exchange
  const msg = parseBearerMessage(mechanism, response);
  if ("error" in msg) throw new SmtpError("auth-protocol", `Invalid ${mechanism} response: ${msg.error}`);
  const result = await s.ctx.auth.authenticateBearer({
    token: msg.token,
    username: msg.username,
    ip: s.remoteIp,
    protocol: "smtp",
  });
  if (result.ok) return acceptLogin(s, { account: result.account, mechanism });
  s.log.warn("authentication failed", { user: msg.username, mechanism, reason: result.reason });
  // RFC 4954 §6: 454 4.7.0 is the temporary failure (the provider's keys could not be fetched).
  if (result.reason === "unavailable") throw new SmtpError("auth-temporary");
  if (result.reason === "throttled") throw new SmtpError("auth-throttled");
  try {
    if ((await challenge(s, errorChallenge(mechanism, cfg), maxLength)) === null) return;
  } catch (e) {
    // The client's answer only closes the exchange; whatever it is, the answer is 535.
    if (!(e instanceof SmtpError && e.kind === "auth-protocol")) throw e;
  }
  throw new SmtpError("auth-invalid");
}
