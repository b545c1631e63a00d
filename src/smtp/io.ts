// The socket side of one SMTP connection: buffered input read in the mode the session asks
// for, and replies queued and written in one write just before the server waits for input
// (RFC 2920 §3.1: a server flushes its replies when it would otherwise block reading).
// Input is paused while too much is buffered, and while the client is not reading replies,
// so a client that pipelines without reading cannot grow our memory.
//
// Invariant: after detach() (STARTTLS) nothing already received is ever parsed (RFC 3207 §4.2).

import type { Socket } from "node:net";
import type { DotDecoder } from "./wire/dot-decoder.js";
import { InputBuffer } from "./wire/input.js";
import { formatReply, type Reply } from "./wire/reply.js";

export type WaitEnd = "closed" | "timeout" | "interrupted";
export type LineRead = { kind: "line"; line: Buffer } | { kind: "too-long" } | { kind: WaitEnd };

const INPUT_HIGH_WATER = 256 * 1024; // stop reading while this much input is unparsed
const OUTPUT_HIGH_WATER = 256 * 1024; // stop reading while this much output is unsent

export class SmtpIo {
  private readonly input = new InputBuffer();
  private socket: Socket;
  private out = "";
  private waiter: ((r: "data" | WaitEnd) => void) | null = null;
  private ended = false; // the client sent FIN or the socket failed
  private interruptRequested = false;
  private readonly onData = (chunk: Buffer) => {
    this.input.push(chunk);
    if (this.input.buffered > INPUT_HIGH_WATER) this.socket.pause();
    this.wake("data");
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.wake("closed");
  };

  constructor(socket: Socket) {
    this.socket = socket;
    this.attach(socket);
  }

  get remoteSocket(): Socket {
    return this.socket;
  }

  attach(socket: Socket): void {
    this.socket = socket;
    this.ended = false;
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("error", this.onEnd);
  }

  /** Stop reading from the socket and drop everything received but not yet parsed. */
  detach(): Socket {
    const s = this.socket;
    this.flush();
    s.off("data", this.onData);
    s.off("end", this.onEnd);
    s.off("close", this.onEnd);
    s.off("error", this.onEnd);
    // A TLS socket may take this one over; an error here must never be an unhandled event.
    s.on("error", () => {});
    s.pause();
    this.input.clear();
    return s;
  }

  send(r: Reply): void {
    this.out += formatReply(r);
  }

  flush(): void {
    if (this.out === "") return;
    if (this.socket.writable) this.socket.write(this.out);
    this.out = "";
  }

  /** Wake a pending read with "interrupted" (server shutdown); later reads return it at once. */
  interrupt(): void {
    this.interruptRequested = true;
    this.wake("interrupted");
  }

  /** A command line within `timeoutMs` in total: trickling bytes does not extend the deadline. */
  async readLine(maxLength: number, timeoutMs: number): Promise<LineRead> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.input.takeLine(maxLength);
      if (got) return got;
      if (this.interruptRequested) return { kind: "interrupted" };
      const w = await this.wait(deadline - Date.now());
      if (w !== "data") return { kind: w };
    }
  }

  /** Feed DATA to the decoder until CRLF.CRLF; `idleMs` is the longest pause allowed. */
  async readData(decoder: DotDecoder, idleMs: number): Promise<"done" | WaitEnd> {
    for (;;) {
      if (this.input.takeData(decoder)) return "done";
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
      const w = await this.wait(idleMs);
      if (w !== "data") return w;
    }
    return "done";
  }

  /** Flush what is queued, then close our side. */
  async close(): Promise<void> {
    this.flush();
    const s = this.socket;
    if (s.destroyed) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        s.destroy();
        resolve();
      }, 2000);
      s.once("close", () => {
        clearTimeout(t);
        resolve();
      });
      s.end();
      // The client may never close its side: once our bytes are out, we are done.
      s.once("finish", () => s.destroy());
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(r: "data" | WaitEnd): void {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(r);
    }
  }

  private wait(ms: number): Promise<"data" | WaitEnd> {
    this.flush();
    if (this.ended || this.socket.destroyed) return Promise.resolve("closed");
    if (ms <= 0) return Promise.resolve("timeout");
    const s = this.socket;
    if (s.writableLength > OUTPUT_HIGH_WATER) {
      // The client is not reading our replies: read no more commands until it does.
      s.pause();
      s.once("drain", () => {
        if (this.input.buffered < INPUT_HIGH_WATER) s.resume();
      });
    } else if (this.input.buffered < INPUT_HIGH_WATER) s.resume();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake("timeout"), ms);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }
}
