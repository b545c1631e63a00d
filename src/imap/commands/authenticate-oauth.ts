// AUTHENTICATE OAUTHBEARER (RFC 7628 §3, §4.1 shows this IMAP exchange) and XOAUTH2: the token is
// checked by the auth service (same throttle as passwords). On a bad token the server first sends
// the JSON error challenge as a continuation (RFC 7628 §3.2.2), the client answers (a lone ^A,
// "AQ=="), and only then comes the tagged NO [AUTHENTICATIONFAILED].
import { errorChallenge, type OAuthMechanism, parseBearerMessage } from "../../oauth/sasl.js";
import { bad, no } from "../errors.js";
import type { Session } from "./context.js";
import { finishLogin } from "./login-common.js";
import { decodeBase64Strict, saslResponse } from "./sasl-response.js";
import type { CommandResult } from "./types.js";

export async function authenticateOAuth(
  s: Session,
  mechanism: OAuthMechanism,
  initial: string | null,
): Promise<CommandResult> {
  const decoded = decodeBase64Strict(initial ?? (await saslResponse(s, "")));
  if (decoded === null) throw bad("Invalid base64");
  const msg = parseBearerMessage(mechanism, decoded);
  if ("error" in msg) throw bad(`Invalid ${mechanism} response: ${msg.error}`);
  const r = await s.app.auth.authenticateBearer({
    token: msg.token,
    username: msg.username,
    ip: s.io.remoteAddress,
    protocol: "imap",
  });
  if (r.ok || r.reason === "throttled") return finishLogin(s, r);
  if (r.reason === "unavailable") throw no("Cannot check the token now, try again later", "UNAVAILABLE");
  const { issuer, scopes } = s.app.config.oauth;
  // The client's answer to the challenge is read and ignored: the exchange fails either way.
  await saslResponse(s, errorChallenge(mechanism, { issuer, scopes }));
  return finishLogin(s, r);
}
