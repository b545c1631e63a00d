// Typed POP3 errors and the one place that turns them into "-ERR" lines.
// Handlers throw; the dispatcher (session.ts) renders. Response codes are RFC 2449 §8
// (IN-USE, LOGIN-DELAY) and RFC 3206 (SYS/TEMP, SYS/PERM, AUTH).

import { ProtocolError, printable, throttledText } from "../server/protocol-error.js";
import { StoreError } from "../store/errors.js";

export type RespCode = "IN-USE" | "LOGIN-DELAY" | "SYS/TEMP" | "SYS/PERM" | "AUTH";

export type { Fault } from "../server/protocol-error.js";

export class Pop3Error extends ProtocolError<RespCode> {
  override name = "Pop3Error";
}

/** The catalogue of errors handlers throw, so wording and codes stay consistent. */
export const errors = {
  unknownCommand: (name: string) => new Pop3Error(`unknown command ${printable(name)}`),
  wrongState: (name: string) => new Pop3Error(`${name} not allowed now`),
  syntax: (usage: string) => new Pop3Error(`syntax: ${usage}`),
  lineTooLong: (max: number) => new Pop3Error(`line too long (limit ${max} octets)`),
  noSuchMessage: () => new Pop3Error("no such message"),
  alreadyDeleted: () => new Pop3Error("message already deleted"),
  vanished: () => new Pop3Error("message was removed by another session"),
  plaintextRefused: () =>
    new Pop3Error(
      "plaintext authentication is disabled on unencrypted connections; use STLS or port 995 (POP3S)",
      { code: "AUTH" },
    ),
  noUser: () => new Pop3Error("send USER first"),
  invalidLogin: () => new Pop3Error("invalid user name or password", { code: "AUTH" }),
  /** The password was right but the account has two-factor login (auth/2fa/). */
  appPasswordRequired: () =>
    new Pop3Error("two-factor authentication is on: use an app password", { code: "AUTH" }),
  throttled: (retryAfterMs?: number) => new Pop3Error(throttledText(retryAfterMs), { code: "SYS/TEMP" }),
  inUse: () => new Pop3Error("maildrop already locked by another POP3 session", { code: "IN-USE" }),
  lockLost: () =>
    new Pop3Error("maildrop lock lost, closing connection; nothing was deleted", {
      code: "SYS/TEMP",
      fault: "server",
      close: true,
    }),
  noMaildrop: () => new Pop3Error("no INBOX for this account", { code: "SYS/PERM", fault: "server" }),
  unsupportedMechanism: (m: string) => new Pop3Error(`unsupported SASL mechanism ${printable(m)}`),
  authCancelled: () => new Pop3Error("authentication cancelled"),
  badSasl: () => new Pop3Error("malformed SASL response", { code: "AUTH" }),
  alreadyTls: () => new Pop3Error("TLS already active"),
  noTls: () => new Pop3Error("STLS not available on this port"),
  loginEnded: () =>
    new Pop3Error("credentials changed or account disabled, closing connection", {
      code: "AUTH",
      close: true,
    }),
  tooManyErrors: () => new Pop3Error("too many errors, closing connection", { close: true }),
  tooManyAuthFailures: () => new Pop3Error("too many failed logins, closing connection", { close: true }),
  notRemoved: () =>
    new Pop3Error("some deleted messages not removed", { code: "SYS/TEMP", fault: "server", close: true }),
  internal: (o: { close?: boolean } = {}) =>
    new Pop3Error("internal server error", { code: "SYS/TEMP", fault: "server", ...o }),
  /** RFC 3206 4: SYS/TEMP, "a temporary system failure"; the database is down, nothing of the
   *  command was done, and the session goes on (a later command may succeed). */
  unavailable: () =>
    new Pop3Error("mail store temporarily unavailable, try again later", { code: "SYS/TEMP" }),
};

/** A handler's failure as the error to answer: ours as is, the store's "unavailable" as
 *  errors.unavailable(), anything else an internal error that ends the session. */
export function pop3ErrorOf(e: unknown): Pop3Error {
  if (e instanceof Pop3Error) return e;
  if (e instanceof StoreError && e.code === "unavailable") return errors.unavailable();
  return errors.internal({ close: true });
}

/** Render any thrown value as one "-ERR" line; unknown errors become a SYS/TEMP internal error. */
export function errorLine(e: unknown): string {
  const err = e instanceof Pop3Error ? e : errors.internal();
  const code = err.code ? `[${err.code}] ` : "";
  return `-ERR ${code}${err.text}\r\n`;
}
