// A minimal POP3 client for tests: exact bytes in and out, no unstuffing unless asked.
import { connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";

export class Pop3TestClient {
  private buf = Buffer.alloc(0);
  private closed = false;
  private wake: (() => void) | null = null;

  private constructor(private socket: Socket | TLSSocket) {
    this.listen(socket);
  }

  static async connect(
    port: number,
    opts: { tls?: boolean; ca?: string; host?: string } = {},
  ): Promise<Pop3TestClient> {
    const host = opts.host ?? "127.0.0.1";
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = opts.tls
        ? tlsConnect({ host, port, ca: opts.ca, servername: "localhost" }, () => resolve(s))
        : netConnect({ host, port }, () => resolve(s));
      s.once("error", reject);
    });
    return new Pop3TestClient(socket);
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

  private async waitFor<T>(take: () => T | null, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = take();
      if (got !== null) return got;
      if (this.closed)
        throw new Error(`connection closed; unread: ${JSON.stringify(this.buf.toString("latin1"))}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timeout; unread: ${JSON.stringify(this.buf.toString("latin1").slice(0, 200))}`);
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

  /** One line, without its CRLF. */
  readLine(timeoutMs?: number): Promise<string> {
    return this.waitFor(() => {
      const i = this.buf.indexOf("\r\n");
      if (i < 0) return null;
      const line = this.buf.toString("utf8", 0, i);
      this.buf = this.buf.subarray(i + 2);
      return line;
    }, timeoutMs);
  }

  /** The raw (still dot-stuffed) body of a multi-line response, up to but not including ".CRLF". */
  readBody(timeoutMs?: number): Promise<Buffer> {
    return this.waitFor(() => {
      if (this.buf.subarray(0, 3).equals(Buffer.from(".\r\n"))) {
        this.buf = this.buf.subarray(3);
        return Buffer.alloc(0);
      }
      const i = this.buf.indexOf("\r\n.\r\n");
      if (i < 0) return null;
      const body = Buffer.from(this.buf.subarray(0, i + 2));
      this.buf = this.buf.subarray(i + 5);
      return body;
    }, timeoutMs);
  }

  /** Has the server closed the connection (within timeoutMs)? */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    try {
      await this.waitFor(() => (this.closed ? true : null), timeoutMs);
      return true;
    } catch {
      return this.closed;
    }
  }

  send(line: string | Buffer): void {
    this.socket.write(typeof line === "string" ? line + "\r\n" : line);
  }

  async cmd(line: string): Promise<string> {
    this.send(line);
    return this.readLine();
  }

  /** A command with a multi-line answer: the first line, and the body if it was +OK. */
  async multi(line: string): Promise<{ first: string; body: Buffer | null }> {
    const first = await this.cmd(line);
    return { first, body: first.startsWith("+OK") ? await this.readBody() : null };
  }

  async login(user: string, pass: string): Promise<string> {
    const u = await this.cmd(`USER ${user}`);
    if (!u.startsWith("+OK")) return u;
    return this.cmd(`PASS ${pass}`);
  }

  /** STLS, then the TLS handshake trusting `ca`. */
  async stls(ca: string): Promise<string> {
    const r = await this.cmd("STLS");
    if (!r.startsWith("+OK")) return r;
    await this.upgrade(ca);
    return r;
  }

  /** The TLS handshake over the current connection (after the server's STLS +OK). */
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

/** Undo dot-stuffing of a multi-line body (RFC 1939 §3). */
export function unstuff(body: Buffer): Buffer {
  const s = body.toString("latin1").replace(/(^|\n)\./g, "$1");
  return Buffer.from(s, "latin1");
}
