// The socket side of one ManageSieve connection: command lines and literal octets in, responses
// out, all bounded.
//  - Input: lines are split at LF (CR stripped), at most maxLineLength octets; a longer line is
//    discarded up to its LF and reported once as "too-long". A literal's octets are read exactly
//    (readBytes) or dropped as they come (skipBytes), never more than the caller allows. Reading
//    pauses while more than INPUT_HIGH_WATER octets wait, so a client cannot grow our memory.
//  - Output: every write waits for the socket to drain once its buffer is full; a client that
//    reads nothing for idleMs is disconnected.
// Waiting, STARTTLS's detach (nothing received before it is parsed after, RFC 5804 §2.2) and
// closing are shared with SMTP and POP3 (server/socket-input.ts).
import type { Socket } from "node:net";
import { SocketInput, type WaitEnd } from "../server/socket-input.js";

export type LineRead = { kind: "line"; line: Buffer } | { kind: "too-long" } | { kind: WaitEnd };
export type BytesRead = { kind: "bytes"; bytes: Buffer } | { kind: WaitEnd };

const INPUT_HIGH_WATER = 64 * 1024;
const WRITE_CHUNK = 64 * 1024;

export class ConnectionGone extends Error {
  override name = "ConnectionGone";
}

export class SieveIo extends SocketInput {
  private pending: Buffer = Buffer.alloc(0);
  private discarding = false;
  /** Octets at the start of `pending` already known to hold no LF: a line arriving an octet at a
   *  time is scanned once, not once per octet. */
  private scanned = 0;

  constructor(
    socket: Socket,
    private readonly maxLineLength: number,
  ) {
    super(socket);
  }

  protected received(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.pending.length > INPUT_HIGH_WATER) this.socket.pause();
  }

  protected dropInput(): void {
    this.pending = Buffer.alloc(0);
    this.discarding = false;
    this.scanned = 0;
  }

  protected allowInput(): void {
    if (this.pending.length < INPUT_HIGH_WATER) this.socket.resume();
  }

  /** The next line (without CRLF), waiting at most timeoutMs in total. */
  async readLine(timeoutMs: number): Promise<LineRead> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.takeLine();
      if (got) return got;
      if (this.interruptRequested) return { kind: "interrupted" };
      const w = await this.wait(deadline - Date.now());
      if (w !== "data") return { kind: w };
    }
  }

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
      if (this.pending.length > 0 && left > 0) {
        const k = Math.min(left, this.pending.length);
        take(this.pending.subarray(0, k));
        this.pending = this.pending.subarray(k);
        this.scanned = 0;
        left -= k;
        if (this.pending.length < INPUT_HIGH_WATER && !this.ended) this.socket.resume();
      }
      if (left === 0) return null;
      if (this.interruptRequested) return "interrupted";
      const w = await this.wait(timeoutMs());
      if (w !== "data") return w;
    }
  }

  /** Write a response made of pieces, waiting for the socket to drain when its buffer is full. */
  async send(pieces: readonly (Buffer | string)[], idleMs: number): Promise<void> {
    let batch: Buffer[] = [];
    let batchLen = 0;
    for (const p of pieces) {
      const b = typeof p === "string" ? Buffer.from(p, "utf8") : p;
      if (batchLen + b.length > WRITE_CHUNK && batch.length > 0) {
        await this.write(Buffer.concat(batch, batchLen), idleMs);
        batch = [];
        batchLen = 0;
      }
      if (b.length >= WRITE_CHUNK) {
        for (let i = 0; i < b.length; i += WRITE_CHUNK)
          await this.write(b.subarray(i, i + WRITE_CHUNK), idleMs);
      } else {
        batch.push(b);
        batchLen += b.length;
      }
    }
    if (batch.length > 0) await this.write(Buffer.concat(batch, batchLen), idleMs);
  }

  private async write(b: Buffer, idleMs: number): Promise<void> {
    const s = this.socket;
    if (s.destroyed || !s.writable) throw new ConnectionGone("socket closed");
    if (s.write(b)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        s.off("drain", onDrain);
        s.off("close", onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(new ConnectionGone("socket closed while sending"));
      const timer = setTimeout(() => {
        s.destroy();
        done(new ConnectionGone("client stopped reading"));
      }, idleMs);
      s.on("drain", onDrain);
      s.on("close", onClose);
    });
  }

  private takeLine(): LineRead | null {
    for (;;) {
      const lf = this.pending.indexOf(0x0a, this.scanned);
      this.scanned = lf < 0 ? this.pending.length : 0;
      if (this.discarding) {
        if (lf < 0) {
          this.pending = Buffer.alloc(0);
          this.scanned = 0;
          return null;
        }
        this.pending = this.pending.subarray(lf + 1);
        this.discarding = false;
        return { kind: "too-long" };
      }
      if (lf < 0) {
        if (this.pending.length >= this.maxLineLength) {
          this.discarding = true;
          continue;
        }
        return null;
      }
      if (lf + 1 > this.maxLineLength) {
        this.pending = this.pending.subarray(lf + 1);
        return { kind: "too-long" };
      }
      let end = lf;
      if (end > 0 && this.pending[end - 1] === 0x0d) end--;
      const line = Buffer.from(this.pending.subarray(0, end));
      this.pending = this.pending.subarray(lf + 1);
      if (this.pending.length < INPUT_HIGH_WATER && !this.ended) this.socket.resume();
      return { kind: "line", line };
    }
  }
}
