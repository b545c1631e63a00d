// Server-side TLS on an accepted TCP socket, for every line protocol: implicit TLS right after
// connect (RFC 8314 §3.3: ports 465, 993, 995), or after the plaintext go-ahead of STARTTLS / STLS
// (RFC 3207 §4, RFC 2595 §4, RFC 9051 §6.2.1). The caller passes ctx.tls.context() at this moment,
// so a reloaded certificate applies to new handshakes; the policy (TLS 1.2+, ciphers) is set where
// the context is built (server/tls.ts).
//
// On failure (bad handshake, client gone, timeout) only this connection ends: both sockets are
// destroyed and the promise rejects with a TlsHandshakeError, which the caller logs and turns into
// the end of the session. A late 'error' on either socket is swallowed, never an unhandled event.
// Plaintext the client pipelined after the STARTTLS command must be dropped by the caller before
// it hands the socket over (server/socket-input.ts detach, imap/session.ts): RFC 3207 §4.2.

import type { Socket } from "node:net";
import { type SecureContext, TLSSocket } from "node:tls";

export interface TlsInfo {
  protocol: string; // "TLSv1.3"
  cipher: string; // "TLS_AES_256_GCM_SHA384"
}

export type TlsFailure = "timeout" | "closed" | "error";

export class TlsHandshakeError extends Error {
  override readonly name = "TlsHandshakeError";
  constructor(
    readonly reason: TlsFailure,
    detail: string,
  ) {
    super(`TLS handshake failed (${reason}): ${detail}`);
  }
}

function ignore(): void {}

/** Wraps `raw` in a server-side TLSSocket and resolves once the handshake is complete. */
export function upgradeToTls(raw: Socket, context: SecureContext, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    raw.on("error", ignore);
    const tls = new TLSSocket(raw, { isServer: true, secureContext: context });
    let settled = false;
    const fail = (reason: TlsFailure, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      tls.destroy();
      raw.destroy();
      reject(new TlsHandshakeError(reason, detail));
    };
    const onError = (e: Error) => fail("error", e.message);
    const onClose = () => fail("closed", "connection closed during the handshake");
    const timer = setTimeout(() => fail("timeout", `no handshake within ${timeoutMs} ms`), timeoutMs);
    // Stays attached: a failed socket may report more errors while it is torn down.
    tls.on("error", onError);
    tls.once("close", onClose);
    tls.once("secure", () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      tls.off("error", onError);
      tls.off("close", onClose);
      resolve(tls);
    });
  });
}

export function tlsInfo(s: TLSSocket): TlsInfo {
  return { protocol: s.getProtocol() ?? "TLS", cipher: s.getCipher()?.standardName ?? "unknown" };
}
