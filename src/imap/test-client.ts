// A minimal raw IMAP client for tests: exact lines in, exact lines out, literals kept inline.
// Real-client coverage comes from imapflow and Python's imaplib; this one lets tests assert on bytes.
import { connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import {
  createDeflateRaw,
  createInflateRaw,
  type DeflateRaw,
  type InflateRaw,
  constants as zc,
} from "node:zlib";

export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;
  private deflate: DeflateRaw | null = null;
  private inflate: InflateRaw | null = null;
  /** Octets received on the wire (compressed, once COMPRESS is on). */
  wireBytesIn = 0;

  private constructor(private socket: Socket | TLSSocket) {
    this.listen(socket);
  }

  static async connect(port: number, opts: { tls?: boolean } = {}): Promise<RawClient> {
    const socket = opts.tls
      ? tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false })
      : netConnect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tls ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    return new RawClient(socket);
  }

  private listen(socket: Socket): void {
    socket.on("data", (d: Buffer) => {
      this.wireBytesIn += d.length;
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    socket.on("close", () => {
      // Compressed: the end comes when the inflater has given out what it still holds.
      if (this.inflate) this.inflate.end();
      else this.end();
    });
    socket.on("error", () => {});
  }

  private end(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  get closed(): boolean {
    return this.ended;
  }

  write(data: string | Buffer): void {
    if (this.deflate) {
      this.deflate.write(data);
      this.deflate.flush(zc.Z_SYNC_FLUSH);
    } else this.socket.write(data);
  }

  /**
   * After the tagged OK to COMPRESS DEFLATE (RFC 4978): both directions through raw DEFLATE. Any
   * byte already received after that OK would be compressed data read as text: an error.
   */
  compress(): void {
    if (this.buf.length > 0)
      throw new Error(`data after the COMPRESS OK: ${JSON.stringify(this.buf.toString())}`);
    const socket = this.socket;
    socket.removeAllListeners("data");
    socket.on("data", (d: Buffer) => {
      this.wireBytesIn += d.length;
    });
    const inflate = createInflateRaw();
    const deflate = createDeflateRaw();
    inflate.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    inflate.on("error", () => socket.destroy());
    inflate.on("close", () => this.end());
    socket.pipe(inflate);
    deflate.pipe(socket);
    this.inflate = inflate;
    this.deflate = deflate;
  }

  /** One response line, with any literals it announces appended inline (CRLF kept inside).
   *  The default bound is for a stuck test, not a speed requirement: 30 s, as a loaded 2-core CI
   *  machine can take seconds to answer (a 3 s default once failed a run there). */
  async line(timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let out = "";
    for (;;) {
      const nl = this.buf.indexOf("\r\n");
      if (nl !== -1) {
        const text = this.buf.subarray(0, nl).toString("utf8");
        this.buf = this.buf.subarray(nl + 2);
        const m = /\{(\d+)\}$/.exec(text);
        if (!m) return out + text;
        const n = Number(m[1]);
        while (this.buf.length < n) await this.wait(deadline);
        out += text + "\r\n" + this.buf.subarray(0, n).toString("utf8");
        this.buf = this.buf.subarray(n);
        continue;
      }
      await this.wait(deadline);
    }
  }

  private async wait(deadline: number): Promise<void> {
    if (this.ended) throw new Error(`connection closed; pending: ${JSON.stringify(this.buf.toString())}`);
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timeout; pending: ${JSON.stringify(this.buf.toString())}`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Sends `tag text` and returns every line up to and including the tagged one. */
  async cmd(tag: string, text: string, timeoutMs?: number): Promise<string[]> {
    this.write(`${tag} ${text}\r\n`);
    return this.until(tag, timeoutMs);
  }

  async until(tag: string, timeoutMs?: number): Promise<string[]> {
    const lines: string[] = [];
    for (let i = 0; i < 10_000_000; i++) {
      const l = await this.line(timeoutMs);
      lines.push(l);
      if (l.startsWith(tag + " ")) return lines;
    }
    throw new Error("too many lines");
  }

  /** Nothing more arrives within `ms`. */
  async quiet(ms = 100): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    return this.buf.toString();
  }

  async startTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => resolve());
      secure.once("error", reject);
    });
    this.socket = secure;
    this.listen(secure);
  }

  /** Stop reading from the socket (to test server backpressure). */
  pause(): void {
    // Compressed: stopping the inflater stops the socket through pipe()'s backpressure.
    (this.inflate ?? this.socket).pause();
  }

  resume(): void {
    (this.inflate ?? this.socket).resume();
  }

  /** Bytes received while paused and not yet read (a paused socket still fills its buffer up to
   *  its high-water mark): above 0 once the server has started a response. */
  unreadBytes(): number {
    return (this.inflate ?? this.socket).readableLength;
  }

  close(): void {
    this.socket.destroy();
  }
}
