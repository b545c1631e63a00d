// RFC 9051 6.2.2 AUTHENTICATE, mechanisms PLAIN (RFC 4616) and, when [oauth] is configured,
// OAUTHBEARER (RFC 7628) and XOAUTH2 (authenticate-oauth.ts), with the initial response on the
// command line (SASL-IR, RFC 4959) or after a "+ " continuation. "*" cancels (BAD).
import { isOAuthMechanism } from "../../oauth/sasl.js";
import { oauthOffered, plaintextAuthAllowed } from "../capabilities.js";
import { bad, no } from "../errors.js";
import { authenticateOAuth } from "./authenticate-oauth.js";
import { completeLogin } from "./login-common.js";
import { decodeBase64Strict, saslResponse } from "./sasl-response.js";
import { type CommandSpec, NOT_AUTH } from "./types.js";

export const authenticate: CommandSpec<"AUTHENTICATE"> = {
  states: NOT_AUTH,
  async run(cmd, s) {
    const oauth = isOAuthMechanism(cmd.mechanism) && oauthOffered(s);
    if (cmd.mechanism !== "PLAIN" && !oauth) throw no("Unsupported mechanism", "CANNOT");
    if (!plaintextAuthAllowed(s)) throw no("Use STARTTLS first", "PRIVACYREQUIRED");
    if (oauth && isOAuthMechanism(cmd.mechanism)) return authenticateOAuth(s, cmd.mechanism, cmd.initial);
    const decoded = decodeBase64Strict(cmd.initial ?? (await saslResponse(s, "")));
    if (decoded === null) throw bad("Invalid base64");
    const parts = decoded.toString("utf8").split("\0");
    if (parts.length !== 3) throw bad("Invalid PLAIN response");
    const [authzid, authcid, password] = parts as [string, string, string];
    if (authzid !== "" && authzid.toLowerCase() !== authcid.toLowerCase())
      throw no("Authorization identity not allowed", "AUTHENTICATIONFAILED");
    return completeLogin(s, authcid, password);
  },
};
