// Server-side TLS on an accepted TCP socket: implicit TLS (RFC 8314 §3.3, port 995) right after
// connect, or after "+OK Begin TLS negotiation" (RFC 2595 §4). The context is taken from
// ctx.tls at that moment, so a reloaded certificate applies to new handshakes.
import type { Socket } from "node:net";
import { type SecureContext, TLSSocket } from "node:tls";

export function upgradeToTls(raw: Socket, context: SecureContext, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tls = new TLSSocket(raw, { isServer: true, secureContext: context });
    const timer = setTimeout(() => fail(new Error("TLS handshake timeout")), timeoutMs);
    const onClose = () => fail(new Error("connection closed during TLS handshake"));
    function fail(e: Error) {
      clearTimeout(timer);
      tls.off("close", onClose);
      tls.destroy();
      raw.destroy();
      reject(e);
    }
    tls.once("error", fail);
    tls.once("close", onClose);
    tls.once("secure", () => {
      clearTimeout(timer);
      tls.off("error", fail);
      tls.off("close", onClose);
      resolve(tls);
    });
  });
}
