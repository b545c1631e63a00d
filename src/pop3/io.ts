// The socket side of one POP3 connection: command lines in, responses out, both bounded.
//  - Input: lines are split at LF (CR stripped), at most maxLineLength octets; a longer line is
//    discarded up to its LF and reported once as "too-long". Reading pauses while more than
//    INPUT_HIGH_WATER octets of pipelined input wait, so a client cannot grow our memory.
//  - Output: every write waits for the socket to drain once its buffer is full, and a client
//    that does not read for idleMs is disconnected: a stalled RETR never buffers without bound.
//
// Waiting, STLS's detach (after which nothing already received is parsed, RFC 2595 §4) and
// closing are shared with SMTP (server/socket-input.ts).

import type { Socket } from "node:net";
import { SocketInput, type WaitEnd } from "../server/socket-input.js";

export type ReadEnd = WaitEnd;
export type LineRead = { kind: "line"; line: string } | { kind: "too-long" } | { kind: ReadEnd };

const INPUT_HIGH_WATER = 64 * 1024;
// Pieces of a response are merged into writes of about this size (fewer syscalls, bounded copies).
const WRITE_CHUNK = 64 * 1024;

export class ConnectionGone extends Error {
  override name = "ConnectionGone";
}

export class Pop3Io extends SocketInput {
  private pending: Buffer = Buffer.alloc(0);
  private discarding = false; // inside an over-long line, dropping bytes until LF

  constructor(
    socket: Socket,
    private readonly maxLineLength: number,
  ) {
    super(socket);
  }

  get current(): Socket {
    return this.socket;
  }

  protected received(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.pending.length > INPUT_HIGH_WATER) this.socket.pause();
  }

  protected dropInput(): void {
    this.pending = Buffer.alloc(0);
    this.discarding = false;
  }

  protected allowInput(): void {
    if (this.pending.length < INPUT_HIGH_WATER) this.socket.resume();
  }

  /** True if a complete or partial line was received but not read (pipelined input). */
  get hasPendingInput(): boolean {
    return this.pending.length > 0;
  }

  /** The next command line, waiting at most timeoutMs in total for it. maxLength: a longer limit
   *  for one line (a SASL response carrying an OAuth token, RFC 5034 §4), else maxLineLength. */
  async readLine(timeoutMs: number, maxLength = this.maxLineLength): Promise<LineRead> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.takeLine(maxLength);
      if (got) return got;
      if (this.interruptRequested) return { kind: "interrupted" };
      const w = await this.wait(deadline - Date.now());
      if (w !== "data") return { kind: w };
    }
  }

  /**
   * Write a response made of several pieces, waiting for the socket to drain whenever its buffer
   * is full. Throws ConnectionGone if the socket closes or the client reads nothing for idleMs.
   */
  async send(pieces: readonly (Buffer | string)[], idleMs: number): Promise<void> {
    let batch: Buffer[] = [];
    let batchLen = 0;
    for (const p of pieces) {
      const b = typeof p === "string" ? Buffer.from(p, "utf8") : p;
      if (batchLen + b.length > WRITE_CHUNK && batch.length > 0) {
        await this.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchLen), idleMs);
        batch = [];
        batchLen = 0;
      }
      if (b.length >= WRITE_CHUNK) {
        // Large pieces go out a chunk at a time (zero-copy slices), so the socket never holds
        // more than about one chunk beyond its high-water mark.
        for (let i = 0; i < b.length; i += WRITE_CHUNK)
          await this.write(b.subarray(i, i + WRITE_CHUNK), idleMs);
      } else {
        batch.push(b);
        batchLen += b.length;
      }
    }
    if (batch.length > 0)
      await this.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchLen), idleMs);
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
        // The client stopped reading: give up rather than hold the response in memory.
        s.destroy();
        done(new ConnectionGone("client stopped reading"));
      }, idleMs);
      s.on("drain", onDrain);
      s.on("close", onClose);
    });
  }

  private takeLine(maxLength: number): LineRead | null {
    for (;;) {
      const lf = this.pending.indexOf(0x0a);
      if (this.discarding) {
        if (lf < 0) {
          this.pending = Buffer.alloc(0);
          return null;
        }
        this.pending = this.pending.subarray(lf + 1);
        this.discarding = false;
        return { kind: "too-long" };
      }
      if (lf < 0) {
        if (this.pending.length >= maxLength) {
          this.discarding = true;
          continue;
        }
        return null;
      }
      if (lf + 1 > maxLength) {
        this.pending = this.pending.subarray(lf + 1);
        return { kind: "too-long" };
      }
      let end = lf;
      if (end > 0 && this.pending[end - 1] === 0x0d) end--;
      const line = this.pending.toString("utf8", 0, end);
      this.pending = this.pending.subarray(lf + 1);
      if (this.pending.length < INPUT_HIGH_WATER && !this.ended) this.socket.resume();
      return { kind: "line", line };
    }
  }
}
