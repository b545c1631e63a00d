// AUTH mechanism [initial-response] — RFC 5034 (POP3 SASL), with SASL PLAIN (RFC 4616), and
// OAUTHBEARER/XOAUTH2 when [oauth] is configured (auth-oauth.ts).
// The initial response may come on the AUTH line (as SASL-IR does for IMAP), "=" meaning empty;
// otherwise the server sends "+ " and reads one base64 line; "*" cancels (RFC 5034 §4).
// "AUTH" alone lists the mechanisms, as many clients still expect (the RFC 1734 era form).

import { isOAuthMechanism, oauthMechanisms } from "../../oauth/sasl.js";
import { errors } from "../errors.js";
import type { AuthorizationState } from "../state.js";
import { authOAuth, oauthOffered } from "./auth-oauth.js";
import type { Conn, Handler } from "./types.js";

export const mechanisms = ["PLAIN"] as const;

/** What AUTH offers on this connection: PLAIN, and OAUTHBEARER/XOAUTH2 when [oauth] is set. */
export function offeredMechanisms(conn: Pick<Conn, "ctx">): readonly string[] {
  return oauthOffered(conn) ? [...mechanisms, ...oauthMechanisms] : mechanisms;
}

export const auth: Handler<AuthorizationState> = async (conn, cmd, state) => {
  const [mech, initial, extra] = cmd.args;
  if (mech === undefined) {
    const list = conn.plaintextAuthAllowed ? offeredMechanisms(conn).map((m) => `${m}\r\n`) : [];
    await conn.multiline("SASL mechanisms follow", list);
    return;
  }
  if (extra !== undefined) throw errors.syntax("AUTH mechanism [initial-response]");
  const upper = mech.toUpperCase();
  const oauth = isOAuthMechanism(upper) && oauthOffered(conn);
  if (upper !== "PLAIN" && !oauth) throw errors.unsupportedMechanism(mech);
  if (!conn.plaintextAuthAllowed) throw errors.plaintextRefused();
  if (oauth && isOAuthMechanism(upper)) {
    state.user = null;
    return authOAuth(conn, upper, initial);
  }
  state.user = null;
  const response = initial ?? (await conn.continuation(""));
  if (response === "*") throw errors.authCancelled();
  const creds = decodePlain(response);
  if (!creds) throw errors.badSasl();
  await conn.login(creds.username, creds.password);
  await conn.ok("logged in");
};

/** RFC 4616 §2: [authzid] NUL authcid NUL passwd, base64; "=" is the empty response. */
export function decodePlain(b64: string): { username: string; password: string } | null {
  if (b64 === "=") return null;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return null;
  const parts = Buffer.from(b64, "base64").toString("utf8").split("\0");
  if (parts.length !== 3) return null;
  const [authzid, authcid, passwd] = parts as [string, string, string];
  if (authcid === "" || passwd === "") return null;
  // No proxy authorization: acting as another user is not a thing POP3 clients need.
  if (authzid !== "" && authzid !== authcid) return null;
  return { username: authcid, password: passwd };
}
