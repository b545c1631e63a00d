// Reads the PROXY header off an accepted socket: exactly the header's bytes are taken, whatever
// came behind it (a client's pipelined command, a TLS ClientHello) is put back for the protocol
// to read; bounded in size (v1 107 octets, v2 maxV2Bytes) and in time (headerTimeoutMs).
import type { Socket } from "node:net";
import { type ProxyHeader, parseProxyHeader } from "./header.js";

export class ProxyHeaderError extends Error {
  override readonly name = "ProxyHeaderError";
}

export function readProxyHeader(
  socket: Socket,
  opts: { headerTimeoutMs: number; maxV2Bytes: number },
): Promise<ProxyHeader> {
  return new Promise((resolve, reject) => {
    let got: Buffer = Buffer.alloc(0);
    const done = (err: Error | null, header?: ProxyHeader) => {
      clearTimeout(timer);
      socket.off("readable", onReadable);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
      if (err) reject(err);
      else resolve(header as ProxyHeader);
    };
    const onEnd = () => done(new ProxyHeaderError("closed before the PROXY header was whole"));
    const onError = (e: Error) => done(new ProxyHeaderError(`socket error: ${e.message}`));
    const onReadable = () => {
      for (
        let chunk = socket.read() as Buffer | null;
        chunk !== null;
        chunk = socket.read() as Buffer | null
      ) {
        // Never more than one header's worth is kept: the limit is checked on each chunk.
        got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
        const r = parseProxyHeader(got, opts.maxV2Bytes);
        if (r.kind === "more") continue;
        if (r.kind === "error") return done(new ProxyHeaderError(r.reason));
        const rest = got.subarray(r.length);
        if (rest.length > 0) socket.unshift(rest);
        return done(null, r.header);
      }
    };
    const timer = setTimeout(
      () => done(new ProxyHeaderError(`no PROXY header within ${opts.headerTimeoutMs} ms`)),
      opts.headerTimeoutMs,
    );
    socket.on("readable", onReadable);
    socket.once("end", onEnd);
    socket.once("close", onEnd);
    socket.on("error", onError);
  });
}
