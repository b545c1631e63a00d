// The socket side of one ManageSieve connection: command lines and responses as every line
// protocol has them (server/line-io.ts), and the literals between lines (RFC 5804 4): a
// literal's octets are read exactly (readBytes) or dropped as they come (skipBytes), never more
// than the caller allows.

import { LineIo } from "../server/line-io.js";
import { quickAck } from "../server/quick-ack.js";
import type { WaitEnd } from "../server/socket-input.js";

export { ConnectionGone, type LineRead } from "../server/line-io.js";
export type BytesRead = { kind: "bytes"; bytes: Buffer } | { kind: WaitEnd };

export class SieveIo extends LineIo {
  /** Exactly n octets (a literal the caller has already bounded). Chunks are collected and joined
   *  once, so a large literal costs one copy. */
  async readBytes(n: number, timeoutMs: () => number): Promise<BytesRead> {
    const parts: Buffer[] = [];
    let got = 0;
    const r = await this.consume(n, timeoutMs, (b) => {
      parts.push(b);
      got += b.length;
    });
    if (r !== null) return { kind: r };
    return { kind: "bytes", bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts, got) };
  }

  /** Reads and drops n octets (a literal over the limit: the client sends it without waiting). */
  async skipBytes(n: number, timeoutMs: () => number): Promise<WaitEnd | null> {
    return this.consume(n, timeoutMs, () => {});
  }

  /** Feeds n octets to `take` as they arrive; null when all came, else why not. `timeoutMs` is
   *  asked before each wait: after login an idle time (a big upload over a slow link is fine while
   *  octets keep coming), before it the time left to the login deadline, which a trickle of
   *  octets does not extend. */
  private async consume(
    n: number,
    timeoutMs: () => number,
    take: (b: Buffer) => void,
  ): Promise<WaitEnd | null> {
    let left = n;
    for (;;) {
      if (left > 0) {
        const b = this.takeBytes(left);
        if (b.length > 0) take(b);
        left -= b.length;
      }
      if (left === 0) {
        // The literal is in; the rest of its command line (often just CRLF) may be a small
        // write the client's Nagle holds until this is acknowledged (server/quick-ack.ts).
        if (!this.hasPendingInput) quickAck(this.socket);
        return null;
      }
      if (this.interruptRequested) return "interrupted";
      const w = await this.wait(timeoutMs());
      if (w !== "data") return w;
    }
  }
}
