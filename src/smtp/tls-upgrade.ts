// Server-side TLS on an accepted TCP socket: implicit TLS (RFC 8314 §3.3) right after
// connect, or after "220 Ready to start TLS" (RFC 3207). The context comes from ctx.tls at
// this moment, so a reloaded certificate applies to new handshakes; its minVersion (TLS 1.2+)
// is set where the context is built (server/tls.ts).

import type { Socket } from "node:net";
import { type SecureContext, TLSSocket } from "node:tls";

export interface TlsInfo {
  protocol: string; // "TLSv1.3"
  cipher: string; // "TLS_AES_256_GCM_SHA384"
}

export function upgradeToTls(raw: Socket, context: SecureContext, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tls = new TLSSocket(raw, { isServer: true, secureContext: context });
    const timer = setTimeout(() => fail(new Error("TLS handshake timeout")), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      tls.destroy();
      reject(e);
    };
    tls.once("error", fail);
    const onClose = () => fail(new Error("connection closed during TLS handshake"));
    tls.once("close", onClose);
    tls.once("secure", () => {
      clearTimeout(timer);
      tls.off("error", fail);
      tls.off("close", onClose);
      resolve(tls);
    });
  });
}

export function tlsInfo(s: TLSSocket): TlsInfo {
  return { protocol: s.getProtocol() ?? "TLS", cipher: s.getCipher()?.standardName ?? "unknown" };
}
