// A minimal ManageSieve client for tests: exact bytes in and out. readResponse() returns the
// whole response up to and including its final OK / NO / BYE line, literals ({n}) read whole.
import { connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";

export class SieveTestClient {
  private buf = Buffer.alloc(0);
  private closed = false;
  private wake: (() => void) | null = null;

  private constructor(private socket: Socket | TLSSocket) {
    this.listen(socket);
  }

  static async connect(port: number): Promise<SieveTestClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host: "127.0.0.1", port }, () => resolve(s));
      s.once("error", reject);
    });
    return new SieveTestClient(socket);
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

  private async waitFor<T>(take: () => T | null, timeoutMs = 10000): Promise<T> {
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

  /** Everything up to and including the final response line (OK, NO or BYE), CRLFs kept. */
  readResponse(timeoutMs?: number): Promise<string> {
    return this.waitFor(() => {
      let i = 0;
      for (;;) {
        const lf = this.buf.indexOf("\r\n", i);
        if (lf < 0) return null;
        const line = this.buf.toString("latin1", i, lf);
        const lit = /\{(\d+)\}$/.exec(line);
        if (lit) {
          const end = lf + 2 + Number(lit[1]);
          if (this.buf.length < end) return null;
          i = end;
          continue;
        }
        i = lf + 2;
        if (/^(OK|NO|BYE)\b/.test(line)) {
          const out = this.buf.toString("utf8", 0, i);
          this.buf = this.buf.subarray(i);
          return out;
        }
      }
    }, timeoutMs);
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    try {
      await this.waitFor(() => (this.closed ? true : null), timeoutMs);
      return true;
    } catch {
      return this.closed;
    }
  }

  send(raw: string | Buffer): void {
    this.socket.write(raw);
  }

  /** A command line (CRLF added), then its whole response. */
  async cmd(line: string): Promise<string> {
    this.send(`${line}\r\n`);
    return this.readResponse();
  }

  /** The TLS handshake over the current connection (after the server's STARTTLS OK). */
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

/** AUTHENTICATE "PLAIN" with the initial response. */
export function plainAuth(user: string, password: string): string {
  return `AUTHENTICATE "PLAIN" "${Buffer.from(`\0${user}\0${password}`).toString("base64")}"`;
}

/** A command with a {n+} literal argument at the end, without the final CRLF (cmd() adds it). */
export function withLiteral(prefix: string, content: string): string {
  return `${prefix} {${Buffer.byteLength(content)}+}\r\n${content}`;
}
