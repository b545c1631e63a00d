// A raw SMTP client for tests: sends exactly the bytes a test gives and returns replies as
// text, so tests can assert exact reply lines and try what well-behaved clients never send
// (smuggling, pipelined plaintext after STARTTLS). Connects to 127.0.0.1 only.

import { connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";

export interface RawClientOptions {
  port: number;
  tls?: boolean; // implicit TLS
  timeoutMs?: number;
  /** Our side's address (plain connections), e.g. "127.0.0.2" to be a client the test DNS lists
   *  (all of 127/8 is local on Linux). */
  localAddress?: string;
}

export class RawSmtpClient {
  private buf = "";
  private waiters: (() => void)[] = [];
  private closedFlag = false;
  private readonly timeoutMs: number;

  private constructor(
    private socket: Socket,
    timeoutMs: number,
  ) {
    this.timeoutMs = timeoutMs;
    this.listen(socket);
  }

  static async connect(opts: RawClientOptions): Promise<RawSmtpClient> {
    const socket = opts.tls
      ? tlsConnect({ host: "127.0.0.1", port: opts.port, rejectUnauthorized: false, servername: "localhost" })
      : netConnect({ host: "127.0.0.1", port: opts.port, localAddress: opts.localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tls ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    return new RawSmtpClient(socket, opts.timeoutMs ?? 30_000);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get tlsProtocol(): string | null {
    return "getProtocol" in this.socket ? (this.socket as TLSSocket).getProtocol() : null;
  }

  send(raw: string | Buffer): void {
    this.socket.write(raw);
  }

  /** Send one command line (CRLF added) and read its reply. */
  async cmd(line: string): Promise<string> {
    this.send(`${line}\r\n`);
    return this.reply();
  }

  /** The next complete reply, its lines joined with "\n" (no CRLF). */
  async reply(): Promise<string> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const r = this.takeReply();
      if (r !== null) return r;
      if (this.closedFlag) throw new Error(`connection closed; unread: ${JSON.stringify(this.buf)}`);
      await this.waitData(deadline);
    }
  }

  /** Read `n` replies (after pipelining n commands). */
  async replies(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.reply());
    return out;
  }

  /** Upgrade after "220 Ready to start TLS". */
  async startTls(): Promise<void> {
    this.socket.removeAllListeners("data");
    const secure = tlsConnect({
      socket: this.socket,
      rejectUnauthorized: false,
      servername: "localhost",
    });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => resolve());
      secure.once("error", reject);
    });
    this.socket = secure;
    this.buf = "";
    this.listen(secure);
  }

  /** Wait until the server closes the connection; returns what it sent meanwhile. */
  async waitClosed(): Promise<string> {
    const deadline = Date.now() + this.timeoutMs;
    while (!this.closedFlag) await this.waitData(deadline);
    return this.buf;
  }

  close(): void {
    this.socket.destroy();
  }

  private listen(s: Socket): void {
    s.setEncoding("utf8");
    s.on("data", (d: string) => {
      this.buf += d;
      this.wakeAll();
    });
    const onEnd = () => {
      this.closedFlag = true;
      this.wakeAll();
    };
    s.on("end", onEnd);
    s.on("close", onEnd);
    s.on("error", onEnd);
  }

  private wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private waitData(deadline: number): Promise<void> {
    const ms = deadline - Date.now();
    if (ms <= 0)
      return Promise.reject(new Error(`timeout waiting for reply; have ${JSON.stringify(this.buf)}`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`timeout waiting for reply; have ${JSON.stringify(this.buf)}`)),
        ms,
      );
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private takeReply(): string | null {
    const lines: string[] = [];
    let pos = 0;
    for (;;) {
      const nl = this.buf.indexOf("\r\n", pos);
      if (nl < 0) return null;
      const line = this.buf.slice(pos, nl);
      lines.push(line);
      pos = nl + 2;
      if (line.length < 4 || line[3] !== "-") {
        this.buf = this.buf.slice(pos);
        return lines.join("\n");
      }
    }
  }
}

export const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
