// AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN, and OAUTHBEARER/XOAUTH2 (auth-oauth.ts).
// Only on submission listeners, only where offered (TLS, or smtp.plaintextAuth), never during a
// transaction (§4), once per session.
// Failures are counted and delayed by ctx.auth (per IP and per account) and logged; the reply
// never says whether the user or the password was wrong.
//
// SCRAM-SHA-256 (RFC 7677) is not offered: it needs salted SCRAM keys stored per account,
// which cannot be derived from the argon2id password hashes Yubin keeps.
import { isOAuthMechanism } from "../../oauth/sasl.js";
import { SmtpError } from "../errors.js";
import { decodeLoginField, passwordPrompt, usernamePrompt } from "../sasl/login.js";
import { type Credentials, decodePlain } from "../sasl/plain.js";
import type { Session } from "../session.js";
import { acceptLogin } from "./auth-accept.js";
import { challenge, decode } from "./auth-challenge.js";
import { authOAuth, oauthOffered } from "./auth-oauth.js";
import type { Handler } from "./types.js";

export const auth: Handler<"ready"> = async (s, arg) => {
  if (!s.isSubmission) throw new SmtpError("not-implemented", "AUTH is only available on submission ports");
  if (s.identity.kind === "account") throw new SmtpError("bad-sequence", "Already authenticated");
  if (!s.authAllowed) throw new SmtpError("encryption-required");
  const m = /^([A-Za-z0-9_-]+)(?: (\S+))?$/.exec(arg);
  if (!m) throw new SmtpError("syntax", "AUTH mechanism [initial-response]");
  const mechanism = m[1]!.toUpperCase();
  const initial = m[2] ?? null;

  if (isOAuthMechanism(mechanism) && oauthOffered(s)) return authOAuth(s, mechanism, initial);
  let creds: Credentials | null;
  if (mechanism === "PLAIN") creds = await plain(s, initial);
  else if (mechanism === "LOGIN") creds = await login(s, initial);
  else throw new SmtpError("auth-mechanism");
  if (!creds) return; // the connection ended during the exchange

  const result = await s.ctx.auth.authenticate({
    username: creds.username,
    password: creds.password,
    ip: s.remoteIp,
    protocol: "smtp",
  });
  if (result.ok) {
    acceptLogin(s, { account: result.account, appPassword: result.appPassword, mechanism });
    return;
  }
  s.log.warn("authentication failed", { user: creds.username, mechanism, reason: result.reason });
  throw new SmtpError(
    result.reason === "throttled"
      ? "auth-throttled"
      : result.reason === "app-password-required"
        ? "auth-app-password"
        : "auth-invalid",
  );
};

async function plain(s: Session, initial: string | null): Promise<Credentials | null> {
  const response = initial !== null ? decode(initial) : await challenge(s, "");
  if (response === null) return null;
  const decoded = decodePlain(response);
  if ("error" in decoded) {
    if (decoded.error === "authzid") throw new SmtpError("auth-invalid");
    throw new SmtpError("auth-protocol");
  }
  return decoded;
}

async function login(s: Session, initial: string | null): Promise<Credentials | null> {
  const user = initial !== null ? decode(initial) : await challenge(s, usernamePrompt);
  if (user === null) return null;
  const pass = await challenge(s, passwordPrompt);
  if (pass === null) return null;
  const username = decodeLoginField(user);
  const password = decodeLoginField(pass);
  if (username === null || password === null) throw new SmtpError("auth-protocol");
  return { username, password };
}
