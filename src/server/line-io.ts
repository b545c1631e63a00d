// The socket side of one line-protocol connection (POP3, ManageSieve): command lines in,
// responses out, both bounded.
//  - Input: lines are split at LF (CR stripped), at most maxLineLength octets (or a longer limit
//    for one read); a longer line is discarded up to its LF and reported once as "too-long".
//    Octets already known to hold no LF are not scanned again, so a line arriving an octet at a
//    time costs linear time. Reading pauses while more than INPUT_HIGH_WATER octets of pipelined
//    input wait, so a client cannot grow our memory. A subclass may take raw octets (a
//    ManageSieve literal) with takeBytes().
//  - Output: every write waits for the socket to drain once its buffer is full, and a client
//    that reads nothing for idleMs is disconnected: a stalled RETR or GETSCRIPT never buffers
//    without bound.
//
// Waiting, STARTTLS's detach (after which nothing already received is parsed, RFC 2595 4,
// RFC 5804 2.2) and closing are shared with SMTP (socket-input.ts).
import type { Socket } from "node:net";
import type { SecureContext } from "node:tls";
import type { Logger } from "../log/logger.js";
import { SocketInput, type WaitEnd } from "./socket-input.js";
import { upgradeToTls } from "./tls-upgrade.js";

export type LineRead = { kind: "line"; line: Buffer } | { kind: "too-long" } | { kind: WaitEnd };

const INPUT_HIGH_WATER = 64 * 1024;
// Pieces of a response are merged into writes of about this size (fewer syscalls, bounded copies).
const WRITE_CHUNK = 64 * 1024;

/** The client is gone (closed, or stopped reading): nobody is left to answer. */
export class ConnectionGone extends Error {
  override name = "ConnectionGone";
}

export class LineIo extends SocketInput {
  private pending: Buffer = Buffer.alloc(0);
  private discarding = false; // inside an over-long line, dropping octets until LF
  /** Octets at the start of `pending` already known to hold no LF. */
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

  /** True if a complete or partial line was received but not read (pipelined input). */
  get hasPendingInput(): boolean {
    return this.pending.length > 0;
  }

  /** The next line (without CRLF), waiting at most timeoutMs in total for it. maxLength: a longer
   *  limit for this one line (a SASL response carrying an OAuth token), else maxLineLength. */
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

  /** The TLS handshake on the current socket (implicit TLS, or after STLS's +OK or STARTTLS's
   *  OK); plaintext the client pipelined is dropped by detach(). A failed handshake ends only
   *  this connection, as ConnectionGone: there is nobody left to answer. */
  async startTls(o: { context: SecureContext; timeoutMs: number; log: Logger }): Promise<void> {
    const tls = await upgradeToTls(this.detach(), o.context, o.timeoutMs).catch((e: unknown) => {
      o.log.info("TLS handshake failed", { err: e });
      throw new ConnectionGone("TLS handshake failed");
    });
    this.attach(tls);
  }

  /** Up to `max` octets of what was received and not read (none: an empty buffer), as they are:
   *  for a subclass reading a literal between lines. */
  protected takeBytes(max: number): Buffer {
    const k = Math.min(max, this.pending.length);
    const out = this.pending.subarray(0, k);
    this.pending = this.pending.subarray(k);
    this.scanned = 0;
    if (k > 0) this.resumeIfRoom();
    return out;
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

  private resumeIfRoom(): void {
    if (this.pending.length < INPUT_HIGH_WATER && !this.ended) this.socket.resume();
  }

  private takeLine(maxLength: number): LineRead | null {
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
      // A copy: the line must not keep a whole received chunk alive.
      const line = Buffer.from(this.pending.subarray(0, end));
      this.pending = this.pending.subarray(lf + 1);
      this.resumeIfRoom();
      return { kind: "line", line };
    }
  }
}
