// Decodes the DATA stream (RFC 5321 §4.1.1.4, §4.5.2): undoes dot-stuffing and finds the end.
//
// SMTP smuggling defence: only CRLF "." CRLF ends the message. A line starts only after a
// real CRLF, so a bare LF or bare CR never starts a line: "\n.\n", "\r.\r", "\n.\r\n" and
// "\r\n.\n" are message content, never an end of data and never the start of a second message.
// Bare LFs and CRs are recorded (bareLf / bareCr) so the caller can refuse the message, or, in
// normalize mode, written as CRLF (still without ever ending the data).
//
// Pure: bytes in, body out. Memory is bounded by maxSize: past it the decoder keeps scanning
// for the end but stores nothing (tooBig).

const CR = 13;
const LF = 10;
const DOT = 46;
const CRLF = Buffer.from("\r\n");
const CR_ONLY = Buffer.from("\r");

export interface DotDecoderOptions {
  maxSize: number; // octets of decoded message kept at most
  maxLineLength: number; // octets of one line, CRLF excluded
  normalize: boolean; // write bare CR / bare LF as CRLF
}

export interface DecodedMessage {
  body: Buffer; // empty when tooBig
  size: number; // decoded octets seen (counted even past maxSize)
  tooBig: boolean;
  bareLf: boolean;
  bareCr: boolean;
  lineTooLong: boolean;
}

export class DotDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private atLineStart = true; // after a real CRLF (or at the start of the data)
  private dotLine = false; // this line started with a (removed) dot
  private pendingCr = false; // the last byte seen was a CR: is it followed by LF?
  private heldCr = false; // that CR ended a chunk and has not been written yet
  private lineLen = 0;
  private bareLf = false;
  private bareCr = false;
  private tooBig = false;
  private lineTooLong = false;
  private finished = false;

  constructor(private readonly opts: DotDecoderOptions) {}

  /** Consume bytes; returns the index just past the terminating CRLF.CRLF, or -1 if not yet seen. */
  write(chunk: Buffer): number {
    if (this.finished) throw new Error("DotDecoder: write after end of data");
    const n = chunk.length;
    let runStart = 0; // bytes [runStart, i) are content not yet written out
    let nextCr = -2; // next CR / LF after the scan position; -1: none left, -2: not searched yet
    let nextLf = -2;
    for (let i = 0; i < n; i++) {
      const b = chunk[i]!;
      if (this.pendingCr) {
        this.pendingCr = false;
        if (b === LF) {
          if (this.dotLine && this.lineLen === 1) {
            // "." CRLF at a line start: the end. The run holds at most that CR: dropped.
            this.finished = true;
            this.heldCr = false;
            return i + 1;
          }
          if (this.heldCr) {
            // The CR ended the previous chunk and was held back: write the pair now.
            this.emit(CRLF);
            this.heldCr = false;
            runStart = i + 1;
          }
          this.atLineStart = true;
          this.dotLine = false;
          this.lineLen = 0;
          continue;
        }
        // A CR not followed by LF: content, and never a line end.
        this.bareCr = true;
        this.lineLen++;
        if (this.heldCr) {
          this.emit(this.opts.normalize ? CRLF : CR_ONLY);
          this.heldCr = false;
          runStart = i;
        } else if (this.opts.normalize) {
          this.flush(chunk, runStart, i - 1);
          this.emit(CRLF);
          runStart = i;
        }
      }
      if (b === CR) {
        this.pendingCr = true; // stays in the run: usually the CR of a CRLF
        this.atLineStart = false;
        continue;
      }
      if (b === LF) {
        // A bare LF: content, and the next byte is not at a line start.
        this.bareLf = true;
        this.atLineStart = false;
        this.countLine();
        if (this.opts.normalize) {
          this.flush(chunk, runStart, i);
          this.emit(CRLF);
          runStart = i + 1;
        }
        continue;
      }
      if (this.atLineStart) {
        this.atLineStart = false;
        if (b === DOT) {
          // Transparency (§4.5.2): drop the first dot of a line; ".." CRLF is a line "." of content.
          this.flush(chunk, runStart, i);
          runStart = i + 1;
          this.dotLine = true;
          this.lineLen = 1;
          continue;
        }
      }
      // Ordinary bytes up to the next CR or LF: memchr finds it faster than a JS loop. Each
      // position is searched once per chunk, so hostile input cannot make this quadratic.
      if (nextCr !== -1 && nextCr <= i) nextCr = chunk.indexOf(CR, i + 1);
      if (nextLf !== -1 && nextLf <= i) nextLf = chunk.indexOf(LF, i + 1);
      let next = nextCr < 0 ? nextLf : nextLf < 0 ? nextCr : Math.min(nextCr, nextLf);
      if (next < 0) next = n;
      this.lineLen += next - i;
      if (this.lineLen > this.opts.maxLineLength) this.lineTooLong = true;
      i = next - 1; // the loop's i++ lands on the CR/LF (or the end)
    }
    if (this.pendingCr) {
      // Hold a trailing CR back: whether it is content depends on the next chunk's first byte.
      this.flush(chunk, runStart, n - 1);
      this.heldCr = true;
    } else this.flush(chunk, runStart, n);
    return -1;
  }

  result(): DecodedMessage {
    return {
      body: this.tooBig ? Buffer.alloc(0) : Buffer.concat(this.parts, this.size),
      size: this.size,
      tooBig: this.tooBig,
      bareLf: this.bareLf,
      bareCr: this.bareCr,
      lineTooLong: this.lineTooLong,
    };
  }

  private countLine(): void {
    if (++this.lineLen > this.opts.maxLineLength) this.lineTooLong = true;
  }

  private flush(chunk: Buffer, from: number, to: number): void {
    if (to > from) this.emit(chunk.subarray(from, to));
  }

  private emit(b: Buffer): void {
    this.size += b.length;
    if (this.tooBig) return;
    if (this.size > this.opts.maxSize) {
      this.tooBig = true;
      this.parts = [];
      return;
    }
    this.parts.push(b);
  }
}
