// A minimal ManageSieve client for tests: exact bytes in and out. readResponse() returns the
// whole response up to and including its final OK / NO / BYE line, literals ({n}) read whole.
import { openSocket, WireTestClient } from "../testing/wire-client.js";

export class SieveTestClient extends WireTestClient {
  static async connect(port: number): Promise<SieveTestClient> {
    return new SieveTestClient(await openSocket(port), 30_000);
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

  send(raw: string | Buffer): void {
    this.write(raw);
  }

  /** A command line (CRLF added), then its whole response. */
  async cmd(line: string): Promise<string> {
    this.send(`${line}\r\n`);
    return this.readResponse();
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
