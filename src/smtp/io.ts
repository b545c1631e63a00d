// The socket side of one SMTP connection: buffered input read in the mode the session asks
// for, and replies queued and written in one write just before the server waits for input
// (RFC 2920 §3.1: a server flushes its replies when it would otherwise block reading).
// Input is paused while too much is buffered, and while the client is not reading replies,
// so a client that pipelines without reading cannot grow our memory. Waiting, STARTTLS's
// detach and closing are shared with POP3 (server/socket-input.ts).

import type { Socket } from "node:net";
import { quickAck } from "../server/quick-ack.js";
import { SocketInput, type WaitEnd } from "../server/socket-input.js";
import type { DotDecoder } from "./wire/dot-decoder.js";
import { InputBuffer } from "./wire/input.js";
import { formatReply, type Reply } from "./wire/reply.js";

export type { WaitEnd } from "../server/socket-input.js";
export type LineRead =
  | { kind: "line"; line: Buffer; bareLf: boolean }
  | { kind: "too-long" }
  | { kind: WaitEnd };

const INPUT_HIGH_WATER = 256 * 1024; // stop reading while this much input is unparsed
const OUTPUT_HIGH_WATER = 256 * 1024; // stop reading while this much output is unsent

export class SmtpIo extends SocketInput {
  private readonly input = new InputBuffer();
  private out = "";

  get remoteSocket(): Socket {
    return this.socket;
  }

  protected received(chunk: Buffer): void {
    this.input.push(chunk);
    if (this.input.buffered > INPUT_HIGH_WATER) this.socket.pause();
  }

  protected dropInput(): void {
    this.input.clear();
  }

  protected override beforeWait(): void {
    this.flush();
  }

  protected allowInput(): void {
    const s = this.socket;
    if (s.writableLength > OUTPUT_HIGH_WATER) {
      // The client is not reading our replies: read no more commands until it does.
      s.pause();
      s.once("drain", () => {
        if (this.input.buffered < INPUT_HIGH_WATER) s.resume();
      });
    } else if (this.input.buffered < INPUT_HIGH_WATER) s.resume();
  }

  /** Stop reading from the socket and drop everything received but not yet parsed. */
  override detach(): Socket {
    this.flush();
    return super.detach();
  }

  /** Octets received and not yet read as a command (pipelining and pre-greeting checks). */
  get pendingInput(): number {
    return this.input.buffered;
  }

  /** True when the client sends something within `ms` (it should be waiting for our greeting). */
  async talksWithin(ms: number): Promise<boolean> {
    if (this.input.buffered > 0) return true;
    return (await this.wait(ms)) === "data" || this.input.buffered > 0;
  }

  send(r: Reply): void {
    this.out += formatReply(r);
  }

  flush(): void {
    if (this.out === "") return;
    if (this.socket.writable) this.socket.write(this.out);
    this.out = "";
  }

  /** A command line within `timeoutMs` in total: trickling bytes does not extend the deadline. */
  async readLine(maxLength: number, timeoutMs: number): Promise<LineRead> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.input.takeLine(maxLength);
      if (got) return got;
      if (this.interruptRequested) return { kind: "interrupted" };
      if (this.input.buffered > 0) quickAck(this.socket); // part of a line: see readData
      const w = await this.wait(deadline - Date.now());
      if (w !== "data") return { kind: w };
    }
  }

  /** Feed DATA to the decoder until CRLF.CRLF; `idleMs` is the longest pause allowed. */
  async readData(decoder: DotDecoder, idleMs: number): Promise<"done" | WaitEnd> {
    for (;;) {
      if (this.input.takeData(decoder)) return "done";
      // Mid-message: acknowledge what came at once. A client that writes the message and then
      // ".CRLF" apart has its Nagle algorithm hold the dot until this ACK, which the kernel would
      // delay 40 ms since we have nothing to send yet (server/quick-ack.ts; issue 20).
      quickAck(this.socket);
      const w = await this.wait(idleMs);
      if (w !== "data") return w;
    }
  }

  /** Exactly n bytes (a BDAT chunk), handed to `sink` as they come. */
  async readBytes(n: number, idleMs: number, sink: (b: Buffer) => void): Promise<"done" | WaitEnd> {
    let left = n;
    while (left > 0) {
      const b = this.input.takeBytes(left);
      if (b) {
        left -= b.length;
        sink(b);
        continue;
      }
      quickAck(this.socket); // mid-chunk: see readData
      const w = await this.wait(idleMs);
      if (w !== "data") return w;
    }
    return "done";
  }

  /** Flush what is queued, then close our side. */
  override async close(): Promise<void> {
    this.flush();
    await super.close();
  }
}
