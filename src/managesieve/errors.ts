// Typed ManageSieve errors and the one place that turns them into responses. Handlers throw;
// the dispatcher (session.ts) renders. ManageSieve has no BAD: syntax errors are NO too
// (RFC 5804 §1.2); BYE closes the connection.
import { ProtocolError, printable, throttledText } from "../server/protocol-error.js";
import { StoreError } from "../store/errors.js";
import { type ResponseCode, responseLine } from "./wire/response.js";

export type { Fault } from "../server/protocol-error.js";

export class SieveProtocolError extends ProtocolError<ResponseCode> {
  override name = "SieveProtocolError";
}

/** The catalogue of errors handlers throw, so wording and codes stay consistent. */
export const errors = {
  unknownCommand: (name: string) => new SieveProtocolError(`unknown command ${printable(name)}`),
  wrongState: (name: string, authed: boolean) =>
    new SieveProtocolError(authed ? `${name} not allowed after login` : `${name} needs a login first`),
  syntax: (usage: string) => new SieveProtocolError(`syntax: ${usage}`),
  badInput: (why: string) => new SieveProtocolError(`syntax error: ${why}`),
  lineTooLong: (max: number) => new SieveProtocolError(`line too long (limit ${max} octets)`),
  notUtf8: () => new SieveProtocolError("string is not UTF-8"),
  badName: (why: string) => new SieveProtocolError(why),
  noSuchScript: () => new SieveProtocolError("there is no script by that name", { code: "NONEXISTENT" }),
  scriptActive: () =>
    new SieveProtocolError("the active script cannot be deleted: activate another or none first", {
      code: "ACTIVE",
    }),
  nameTaken: () => new SieveProtocolError("a script by that name already exists", { code: "ALREADYEXISTS" }),
  tooBig: (max: number) =>
    new SieveProtocolError(`script larger than the limit of ${max} octets`, { code: "QUOTA/MAXSIZE" }),
  tooMany: (max: number) =>
    new SieveProtocolError(`no more scripts: the limit is ${max}`, { code: "QUOTA/MAXSCRIPTS" }),
  /** RFC 5804 2.6: the errors of an invalid script, line and column each, as the text. */
  invalidScript: (text: string) => new SieveProtocolError(text),
  encryptNeeded: () =>
    new SieveProtocolError("authentication needs TLS: use STARTTLS first", { code: "ENCRYPT-NEEDED" }),
  unsupportedMechanism: (m: string) => new SieveProtocolError(`unsupported SASL mechanism ${printable(m)}`),
  authCancelled: () => new SieveProtocolError("authentication cancelled"),
  badSasl: () => new SieveProtocolError("malformed SASL response"),
  invalidLogin: () => new SieveProtocolError("invalid user name or password"),
  appPasswordRequired: () => new SieveProtocolError("two-factor authentication is on: use an app password"),
  throttled: (retryAfterMs?: number) =>
    new SieveProtocolError(throttledText(retryAfterMs), { code: "TRYLATER" }),
  tooManyConnections: () =>
    new SieveProtocolError("too many connections of this account from this address", { code: "TRYLATER" }),
  alreadyTls: () => new SieveProtocolError("TLS already active"),
  noTls: () => new SieveProtocolError("STARTTLS not available on this port"),
  loginEnded: () =>
    new SieveProtocolError("credentials changed or account disabled, closing connection", { close: true }),
  tooManyErrors: () => new SieveProtocolError("too many errors, closing connection", { close: true }),
  literalTooLarge: () => new SieveProtocolError("literal too large, closing connection", { close: true }),
  internal: (o: { close?: boolean } = {}) =>
    new SieveProtocolError("internal server error, try again later", {
      code: "TRYLATER",
      fault: "server",
      ...o,
    }),
};

/** A handler's failure as the error to answer: ours as is; the store's "unavailable" (the
 *  database is down, nothing was done) as NO (TRYLATER), RFC 5804 1.3: "a temporary failure,
 *  the client may try again later"; anything else internal. */
export function sieveErrorOf(e: unknown): SieveProtocolError {
  if (e instanceof SieveProtocolError) return e;
  if (e instanceof StoreError && e.code === "unavailable")
    return new SieveProtocolError("mail store temporarily unavailable, try again later", {
      code: "TRYLATER",
    });
  return errors.internal();
}

/** Render any thrown value: NO (or BYE when it closes); unknown errors are internal. */
export function errorResponse(e: unknown): Buffer {
  const err = e instanceof SieveProtocolError ? e : errors.internal();
  const opts = err.opts.code === undefined ? { text: err.text } : { code: err.opts.code, text: err.text };
  return responseLine(err.close ? "BYE" : "NO", opts);
}
