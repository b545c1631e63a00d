// A minimal POP3 client for tests: exact bytes in and out, no unstuffing unless asked.
import { openSocket, type WireConnectOptions, WireTestClient } from "../testing/wire-client.js";

export class Pop3TestClient extends WireTestClient {
  static async connect(port: number, opts: WireConnectOptions = {}): Promise<Pop3TestClient> {
    return new Pop3TestClient(await openSocket(port, opts), 30_000);
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

  send(line: string | Buffer): void {
    this.write(typeof line === "string" ? line + "\r\n" : line);
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
}

/** Undo dot-stuffing of a multi-line body (RFC 1939 §3). */
export function unstuff(body: Buffer): Buffer {
  const s = body.toString("latin1").replace(/(^|\n)\./g, "$1");
  return Buffer.from(s, "latin1");
}
