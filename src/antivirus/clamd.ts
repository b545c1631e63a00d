// A client for ClamAV's clamd, over its INSTREAM command (clamd(8), "INSTREAM"): "zINSTREAM\0",
// then the data in chunks, each prefixed by its length as a 4-byte big-endian integer, then a
// zero-length chunk; clamd answers one NUL-terminated line: "stream: OK", "stream: NAME FOUND",
// or "... ERROR" (e.g. "INSTREAM size limit exceeded. ERROR" past its StreamMaxLength).
// Every failure (no clamd, timeout, an over-long or unknown reply) is a typed "error" result,
// never a throw: the caller decides (config onError) whether that means refuse or accept.
import { connect, type Socket } from "node:net";

export type ScanResult =
  | { kind: "clean" }
  | { kind: "infected"; name: string }
  | { kind: "error"; detail: string };

export interface ClamdOptions {
  /** A unix socket path, or "host:port". */
  address: string;
  timeoutMs: number;
  /** Larger messages are not sent (an "error" result): clamd would refuse them anyway. */
  maxBytes: number;
}

/** clamd's own chunks are read up to StreamMaxLength; 64 KiB keeps each write small. */
const chunkBytes = 64 * 1024;
/** A reply is one short line ("stream: <virus name> FOUND"); more than this is not clamd. */
const maxReplyBytes = 4096;

/** "host:port" (IPv6 as "[::1]:3310") to TCP; anything else is a unix socket path. */
export function parseClamdAddress(address: string): { path: string } | { host: string; port: number } {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(address) ?? /^([^/:[\]]+):(\d{1,5})$/.exec(address);
  if (m?.[1] && m[2]) return { host: m[1], port: Number(m[2]) };
  return { path: address };
}

/** Interprets clamd's reply line (the NUL removed). */
export function parseReply(line: string): ScanResult {
  const found = /^stream: (.+) FOUND$/.exec(line);
  if (found?.[1]) return { kind: "infected", name: found[1] };
  if (line === "stream: OK") return { kind: "clean" };
  return { kind: "error", detail: `clamd: ${line.slice(0, 200) || "empty reply"}` };
}

export function scan(body: Buffer, opts: ClamdOptions): Promise<ScanResult> {
  if (body.length > opts.maxBytes)
    return Promise.resolve({
      kind: "error",
      detail: `message of ${body.length} bytes is over antivirus.maxBytes (${opts.maxBytes})`,
    });
  return new Promise((resolve) => {
    const target = parseClamdAddress(opts.address);
    const sock: Socket = "path" in target ? connect(target.path) : connect(target.port, target.host);
    const received: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: ScanResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish({ kind: "error", detail: `clamd did not answer within ${opts.timeoutMs} ms` }),
      opts.timeoutMs,
    );
    sock.on("error", (e) => finish({ kind: "error", detail: `clamd at ${opts.address}: ${e.message}` }));
    sock.on("data", (d: Buffer) => {
      received.push(d);
      size += d.length;
      const all = Buffer.concat(received);
      const nul = all.indexOf(0);
      if (nul >= 0) finish(parseReply(all.subarray(0, nul).toString("latin1")));
      else if (size > maxReplyBytes) finish({ kind: "error", detail: "clamd reply too long" });
    });
    // clamd may close without the NUL (older versions end the line with the close).
    sock.on("end", () =>
      finish(
        parseReply(
          Buffer.concat(received)
            .toString("latin1")
            .replace(/\0?\n?$/, ""),
        ),
      ),
    );
    sock.on("connect", () => {
      sock.write("zINSTREAM\0");
      for (let at = 0; at < body.length; at += chunkBytes) {
        const chunk = body.subarray(at, at + chunkBytes);
        const len = Buffer.alloc(4);
        len.writeUInt32BE(chunk.length);
        sock.write(len);
        sock.write(chunk);
      }
      sock.write(Buffer.alloc(4)); // the zero-length chunk: end of stream
    });
  });
}
