// AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN. Only on submission listeners, only where
// offered (TLS, or smtp.plaintextAuth), never during a transaction (§4), once per session.
// Failures are counted and delayed by ctx.auth (per IP and per account) and logged; the reply
// never says whether the user or the password was wrong.
//
// SCRAM-SHA-256 (RFC 7677) is not offered: it needs salted SCRAM keys stored per account,
// which cannot be derived from the argon2id password hashes Yubin keeps.
import { loginCheck } from "../../auth/login-recheck.js";
import { SmtpError } from "../errors.js";
import { replies } from "../replies.js";
import { decodeSaslBase64 } from "../sasl/base64.js";
import { decodeLoginField, passwordPrompt, usernamePrompt } from "../sasl/login.js";
import { type Credentials, decodePlain } from "../sasl/plain.js";
import type { Session } from "../session.js";
import type { Handler } from "./types.js";

export const auth: Handler<"ready"> = async (s, arg) => {
  if (!s.isSubmission) throw new SmtpError("not-implemented", "AUTH is only available on submission ports");
  if (s.identity.kind === "account") throw new SmtpError("bad-sequence", "Already authenticated");
  if (!s.authAllowed) throw new SmtpError("encryption-required");
  const m = /^([A-Za-z0-9_-]+)(?: (\S+))?$/.exec(arg);
  if (!m) throw new SmtpError("syntax", "AUTH mechanism [initial-response]");
  const mechanism = m[1]!.toUpperCase();
  const initial = m[2] ?? null;

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
    // issue 18: smtp.maxConnectionsPerIp counts only connections not authenticated yet (an office
    // behind one address is not locked out); an authenticated one counts per account and IP. A
    // refusal leaves the session unauthenticated, as a failed AUTH would.
    if (!s.slot.login(String(result.account.id))) {
      s.log.warn("authentication refused: too many connections for this account from this address", {
        user: result.account.address,
      });
      throw new SmtpError("auth-user-ip-limit");
    }
    const login = loginCheck(result.account, s.ctx.config.auth.sessionRecheckSec, {
      appPassword: result.appPassword,
    });
    s.identity = { kind: "account", account: result.account, login };
    s.log.info("authenticated", { user: result.account.address, mechanism });
    s.send(replies.authOk());
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

/** Send a 334 challenge and read the client's base64 response; "*" cancels (RFC 4954 §4). */
async function challenge(s: Session, prompt: string): Promise<Buffer | null> {
  s.io.send(replies.authChallenge(prompt));
  const got = await s.io.readLine(s.cfg.maxLineLength, s.cfg.commandTimeoutSec * 1000);
  if (got.kind === "too-long") throw new SmtpError("line-too-long");
  if (got.kind !== "line") {
    s.endOnWait(got.kind);
    return null;
  }
  const text = got.line.toString("latin1").trim();
  if (text === "*") throw new SmtpError("auth-cancelled");
  return decode(text);
}

function decode(text: string): Buffer {
  const b = decodeSaslBase64(text);
  if (!b) throw new SmtpError("auth-protocol");
  return b;
}
