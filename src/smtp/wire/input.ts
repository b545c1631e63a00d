// Buffered input of one SMTP connection, read in whichever mode the session asks for next:
// command lines, DATA (through a DotDecoder) or a BDAT chunk of a known length (RFC 3030).
// Pull-based so a mode switch (DATA, BDAT, STARTTLS) never lets bytes be parsed in the wrong
// mode. Pure: no sockets.

import type { DotDecoder } from "./dot-decoder.js";

const EMPTY = Buffer.alloc(0);

/** bareLf: the line ended with LF alone (RFC 5321 §2.3.8 requires CRLF; postscreen scores it). */
export type LineTake = { kind: "line"; line: Buffer; bareLf: boolean } | { kind: "too-long" } | null;

export class InputBuffer {
  private buf: Buffer = EMPTY;
  private off = 0;
  private discarding = false; // dropping the rest of an over-long line

  push(chunk: Buffer): void {
    if (this.off >= this.buf.length) {
      this.buf = chunk;
      this.off = 0;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.off), chunk]);
      this.off = 0;
    }
  }

  get buffered(): number {
    return this.buf.length - this.off;
  }

  /** Forget everything buffered (plaintext pipelined after STARTTLS, RFC 3207 §4.2). */
  clear(): void {
    this.buf = EMPTY;
    this.off = 0;
    this.discarding = false;
  }

  /**
   * The next line without its CRLF (a bare LF also ends a command line; a trailing CR is
   * removed), "too-long" once for a line longer than maxLength octets (CRLF included), or
   * null when more input is needed.
   */
  takeLine(maxLength: number): LineTake {
    for (;;) {
      const lf = this.buf.indexOf(10, this.off);
      if (this.discarding) {
        if (lf < 0) {
          this.clear();
          this.discarding = true;
          return null;
        }
        this.off = lf + 1;
        this.discarding = false;
        continue;
      }
      if (lf < 0) {
        if (this.buffered >= maxLength) {
          this.clear();
          this.discarding = true;
          return { kind: "too-long" };
        }
        return null;
      }
      const start = this.off;
      this.off = lf + 1;
      if (lf + 1 - start > maxLength) return { kind: "too-long" };
      const end = lf > start && this.buf[lf - 1] === 13 ? lf - 1 : lf;
      return { kind: "line", line: this.buf.subarray(start, end), bareLf: end === lf };
    }
  }

  /** Feed buffered bytes to a DATA decoder; true once it found the end (the rest stays buffered). */
  takeData(decoder: DotDecoder): boolean {
    if (this.buffered === 0) return false;
    const chunk = this.buf.subarray(this.off);
    const end = decoder.write(chunk);
    if (end < 0) {
      this.clear();
      return false;
    }
    this.off += end;
    return true;
  }

  /** Up to n buffered bytes (a BDAT chunk arrives in pieces), or null when none are buffered. */
  takeBytes(n: number): Buffer | null {
    if (this.buffered === 0 || n <= 0) return null;
    const take = Math.min(n, this.buffered);
    const out = this.buf.subarray(this.off, this.off + take);
    this.off += take;
    return out;
  }
}
