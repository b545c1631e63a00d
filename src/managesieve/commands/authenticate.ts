// AUTHENTICATE — RFC 5804 §2.1, mechanisms PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login:
// "Username:" and "Password:" challenges, which Roundcube and older Sieve clients fall back to)
// and, when [oauth] names a provider,
// OAUTHBEARER (RFC 7628) and XOAUTH2, as IMAP offers them. The mechanism and the initial response
// are strings; without an initial response the server sends an empty challenge ("") and reads the
// client's string; "*" cancels (NO). Same auth service, throttle and app passwords (scope
// "managesieve") as IMAP; a disabled account is refused like a wrong password.
import {
  errorChallenge,
  isOAuthMechanism,
  oauthConfigured,
  oauthMechanisms,
  parseBearerResponse,
} from "../../oauth/sasl.js";
import { errors, SieveProtocolError } from "../errors.js";
import type { NonAuthState } from "../state.js";
import { textOf } from "../wire/command.js";
import type { Conn, Handler } from "./types.js";

const mechanisms = ["PLAIN", "LOGIN"] as const;

export function oauthOffered(conn: Pick<Conn, "ctx">): boolean {
  return oauthConfigured(conn.ctx.config.oauth);
}

/** What AUTHENTICATE offers on this connection. */
export function offeredMechanisms(conn: Pick<Conn, "ctx">): readonly string[] {
  return oauthOffered(conn) ? [...mechanisms, ...oauthMechanisms] : mechanisms;
}

export const authenticate: Handler<NonAuthState> = async (conn, cmd) => {
  const [mechArg, initialArg, extra] = cmd.args;
  const mech = mechArg?.kind === "atom" ? mechArg.value : textOf(mechArg);
  if (mech === null || mech === undefined || extra !== undefined)
    throw errors.syntax('AUTHENTICATE "mechanism" ["initial response"]');
  const initial = initialArg === undefined ? undefined : textOf(initialArg);
  if (initial === null) throw errors.badSasl();
  const upper = mech.toUpperCase();
  const oauth = isOAuthMechanism(upper) && oauthOffered(conn);
  if (upper !== "PLAIN" && upper !== "LOGIN" && !oauth) throw errors.unsupportedMechanism(mech);
  if (!conn.plaintextAuthAllowed) throw errors.encryptNeeded();
  if (oauth && isOAuthMechanism(upper)) {
    const response = initial ?? (await conn.saslRound(""));
    const msg = parseBearerResponse(upper, response);
    if ("error" in msg) throw errors.badSasl();
    const result = await conn.ctx.auth.authenticateBearer({
      token: msg.token,
      username: msg.username,
      ip: conn.remoteIp,
      protocol: "managesieve",
    });
    if (!result.ok && result.reason === "unavailable")
      throw new SieveProtocolError("cannot check the token now; try again later", { code: "TRYLATER" });
    if (!result.ok && result.reason === "invalid") {
      // RFC 7628 §3.2.2: the error challenge, answered by the client, then the failure.
      await conn.saslRound(errorChallenge(upper, conn.ctx.config.oauth)).catch((e: unknown) => {
        if (e instanceof SieveProtocolError && e.close) throw e;
      });
    }
    if (!result.ok) return conn.enter(result);
    await conn.enter(result);
    await conn.ok("logged in");
    return;
  }
  const creds =
    upper === "LOGIN"
      ? await loginExchange(conn, initial)
      : decodePlain(initial ?? (await conn.saslRound("")));
  if (!creds) throw errors.badSasl();
  const result = await conn.ctx.auth.authenticate({
    username: creds.username,
    password: creds.password,
    ip: conn.remoteIp,
    protocol: "managesieve",
  });
  await conn.enter(result);
  await conn.ok("logged in");
};

/** SASL LOGIN: the user name (in the initial response, or after "Username:"), then the password
 *  after "Password:", each base64. */
async function loginExchange(
  conn: Conn,
  initial: string | undefined,
): Promise<{ username: string; password: string } | null> {
  const user = decodeBase64(initial ?? (await conn.saslRound(b64("Username:"))));
  if (!user || user.length === 0) return null;
  const pass = decodeBase64(await conn.saslRound(b64("Password:")));
  if (!pass || pass.length === 0) return null;
  return { username: user.toString("utf8"), password: pass.toString("utf8") };
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** RFC 4616 §2: [authzid] NUL authcid NUL passwd, base64. */
export function decodePlain(b64: string): { username: string; password: string } | null {
  const raw = decodeBase64(b64);
  if (!raw) return null;
  const parts = raw.toString("utf8").split("\0");
  if (parts.length !== 3) return null;
  const [authzid, authcid, passwd] = parts as [string, string, string];
  if (authcid === "" || passwd === "") return null;
  // No proxy authorization: acting as another user is not something Sieve clients need.
  if (authzid !== "" && authzid.toLowerCase() !== authcid.toLowerCase()) return null;
  return { username: authcid, password: passwd };
}

function decodeBase64(s: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) return null;
  return Buffer.from(s, "base64");
}
