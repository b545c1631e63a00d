// The socket half of a raw-protocol test client (POP3, ManageSieve): exact bytes in and out.
// Received octets are kept in `buf`; a subclass says how to cut a response out of it (take) and
// waitFor() waits for one, bounded, saying what is unread when the server closed or was silent.
import { connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";

export interface WireConnectOptions {
  /** Implicit TLS, trusting `ca`. */
  tls?: boolean;
  ca?: string;
  host?: string;
}

/** A connected socket: plain TCP, or TLS for servername "localhost". */
export function openSocket(port: number, opts: WireConnectOptions = {}): Promise<Socket> {
  const host = opts.host ?? "127.0.0.1";
  return new Promise<Socket>((resolve, reject) => {
    const s = opts.tls
      ? tlsConnect({ host, port, ca: opts.ca, servername: "localhost" }, () => resolve(s))
      : netConnect({ host, port }, () => resolve(s));
    s.once("error", reject);
  });
}

export abstract class WireTestClient {
  protected buf = Buffer.alloc(0);
  protected closed = false;
  private wake: (() => void) | null = null;

  protected constructor(
    private socket: Socket | TLSSocket,
    /** How long a read waits by default: a bound for a stuck test, not a speed requirement
     *  (30 s, since a loaded 2-core CI machine can take seconds to answer). */
    private readonly defaultTimeoutMs: number,
  ) {
    this.listen(socket);
  }

  private listen(s: Socket): void {
    s.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    s.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
    s.on("error", () => {});
  }

  /** Waits until `take` finds what it wants in `buf` (it removes it), at most timeoutMs. */
  protected async waitFor<T>(take: () => T | null, timeoutMs = this.defaultTimeoutMs): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = take();
      if (got !== null) return got;
      if (this.closed)
        throw new Error(`connection closed; unread: ${JSON.stringify(this.buf.toString("latin1"))}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timeout; unread: ${JSON.stringify(this.buf.toString("latin1").slice(0, 300))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  /** Has the server closed the connection (within timeoutMs: generous, it bounds a stuck test)? */
  async waitClosed(timeoutMs = 30_000): Promise<boolean> {
    try {
      await this.waitFor(() => (this.closed ? true : null), timeoutMs);
      return true;
    } catch {
      return this.closed;
    }
  }

  /** Octets as they are. */
  protected write(raw: string | Buffer): void {
    this.socket.write(raw);
  }

  /** The TLS handshake over the current connection (after the server's STLS / STARTTLS OK). */
  async upgrade(ca: string): Promise<void> {
    const raw = this.socket;
    raw.removeAllListeners("data");
    this.socket = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ socket: raw, ca, servername: "localhost" }, () => resolve(s));
      s.once("error", reject);
    });
    this.listen(this.socket);
  }

  close(): void {
    this.socket.destroy();
  }
}
