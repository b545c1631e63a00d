// The waiting half of a line-protocol connection (SMTP, POP3): input arrives on the socket and is
// buffered by the subclass; a reader waits for more with a deadline; the end of the socket, a
// timeout or a server shutdown (interrupt) ends the wait. Input is paused while the subclass
// holds too much of it, so a client that pipelines without reading cannot grow our memory.
//
// Invariant: after detach() (STARTTLS, STLS) nothing already received is ever parsed: the
// subclass drops its buffer (RFC 3207 4.2, RFC 2595 4).
import type { Socket } from "node:net";

export type WaitEnd = "closed" | "timeout" | "interrupted";

export abstract class SocketInput {
  protected socket: Socket;
  /** The client sent FIN or the socket failed. */
  protected ended = false;
  protected interruptRequested = false;
  private waiter: ((r: "data" | WaitEnd) => void) | null = null;
  private readonly onData = (chunk: Buffer) => {
    this.received(chunk);
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

  /** Keep `chunk` for the reader (and pause the socket if too much is kept). */
  protected abstract received(chunk: Buffer): void;
  /** Forget everything received but not yet read. */
  protected abstract dropInput(): void;
  /** Resume reading if there is room: called before each wait. */
  protected abstract allowInput(): void;
  /** Before each wait (SMTP writes its queued replies here). */
  protected beforeWait(): void {}

  attach(socket: Socket): void {
    this.socket = socket;
    this.ended = false;
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("error", this.onEnd);
  }

  /** Stop reading and drop everything received but not parsed; returns the socket for TLS. */
  detach(): Socket {
    const s = this.socket;
    s.off("data", this.onData);
    s.off("end", this.onEnd);
    s.off("close", this.onEnd);
    s.off("error", this.onEnd);
    // A TLS socket takes this one over; a late error must never be an unhandled event.
    s.on("error", () => {});
    s.pause();
    this.dropInput();
    return s;
  }

  /** Wake a pending read with "interrupted" (server shutdown); later reads return it at once. */
  interrupt(): void {
    this.interruptRequested = true;
    this.wake("interrupted");
  }

  /** Close our side once what was written is out; destroy the socket if the client lingers. */
  async close(): Promise<void> {
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
      // The client may never close its side: once our bytes are out, we are done.
      s.once("finish", () => s.destroy());
      s.end();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  protected wake(r: "data" | WaitEnd): void {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(r);
    }
  }

  /** More input, the end of the socket, an interrupt, or "timeout" after `ms`. */
  protected wait(ms: number): Promise<"data" | WaitEnd> {
    this.beforeWait();
    if (this.ended || this.socket.destroyed) return Promise.resolve("closed");
    if (ms <= 0) return Promise.resolve("timeout");
    this.allowInput();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake("timeout"), ms);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }
}
