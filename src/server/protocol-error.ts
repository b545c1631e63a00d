// The shape of a line protocol's typed errors (POP3, ManageSieve): the text, a response code,
// who is at fault and whether the connection closes after the reply. Each protocol names its
// class, its codes and its catalogue, and renders them (-ERR, NO / BYE) in its own errors.ts.

/** Who is at fault decides what is logged: "client" errors are normal traffic, "server" ones are not. */
export type Fault = "client" | "server";

export class ProtocolError<Code> extends Error {
  constructor(
    readonly text: string,
    readonly opts: { code?: Code; fault?: Fault; close?: boolean } = {},
  ) {
    super(text);
  }
  get code(): Code | undefined {
    return this.opts.code;
  }
  /** Close the connection after the reply (too many errors, timeouts). */
  get close(): boolean {
    return this.opts.close ?? false;
  }
  /** The same error, closing the connection after the reply. */
  closing(): this {
    const Same = this.constructor as new (text: string, opts: ProtocolError<Code>["opts"]) => this;
    return new Same(this.text, { ...this.opts, close: true });
  }
}

/** The login throttle's answer, with the wait when it is known. */
export function throttledText(retryAfterMs?: number): string {
  return retryAfterMs
    ? `too many failed logins; try again in ${Math.ceil(retryAfterMs / 1000)} seconds`
    : "too many failed logins; try again later";
}

/** At most a short, printable part of what the client sent, to echo it. */
export function printable(s: string): string {
  return s.replace(/[^\x21-\x7e]/g, "?").slice(0, 20);
}
