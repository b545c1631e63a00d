// Splitting an mbox file (RFC 4155) into messages as its bytes arrive, for `yubin import mbox`.
// Pure and synchronous (push chunks, take finished messages), so the rules are unit-tested and
// the cost is measured without files; source.ts feeds it from a read stream.
//
// The rules, and why:
// - A message starts at a line beginning "From " that is the first line of the file (or of the
//   resumed range) or follows an empty line. A "From " line inside a body that does not follow
//   an empty line is body text: the writer that forgot to escape it did not mean a new message
//   (RFC 4155 appendix A notes the ambiguity; the empty line is what every writer puts before a
//   separator). Content-Length headers (mboxcl) are not trusted: they go stale whenever a tool
//   rewrites line ends or headers, and a wrong one would cut messages in the wrong place.
// - The empty line before a separator (and at the file's end) belongs to the format, not to the
//   message; it is dropped. Python's mailbox and Dovecot do the same.
// - Unescaping is mboxrd's: one ">" is removed from every line matching /^>+From /. For an
//   mboxrd file that is exact; for an mboxo file (which escaped "From " but not ">From ") it
//   differs only on a line that really began ">From " (it loses one ">"), the same as mutt and
//   Dovecot read such files. Our export writes mboxrd, so export → import is byte-identical.
// - Lines become CRLF (the store's form, RFC 5322 2.1), whether the file used LF or CRLF.
//
// Memory: one message (at most maxMessageBytes) plus one chunk. A larger message is skipped
// (reported with its size), and a line longer than that is never accumulated. Linear: every byte
// is looked at a constant number of times (indexOf for line ends; no regex on the content).

export interface MboxEntry {
  /** File offset of the message's From_ line (or of its first line when it has none). */
  start: number;
  /** File offset just past the message: where the next From_ line starts, or the end of the
   *  input. A resumed read starts here. */
  end: number;
  /** The From_ line without its line end (latin1), or null for text before any From_ line. */
  fromLine: string | null;
  /** The message with CRLF line ends and ">From " unescaped; null when over maxMessageBytes. */
  body: Buffer | null;
  /** Octets of the message as stored (CRLF), counted even when it was too large to keep. */
  size: number;
}

export interface SplitOptions {
  /** Larger messages are reported with body null, not held in memory. */
  maxMessageBytes: number;
  /** The file offset of the first byte pushed (a resumed read). Default 0. */
  offset?: number;
}

const FROM = Buffer.from("From ");
const CRLF = Buffer.from("\r\n");
const EMPTY = Buffer.alloc(0);
/** A From_ line longer than this keeps only its start (the date is near it). */
const MAX_FROM_LINE = 1000;

function startsWithFrom(l: Buffer, at: number): boolean {
  return l.length - at >= 5 && l.compare(FROM, 0, 5, at, at + 5) === 0;
}

export class MboxSplitter {
  private readonly max: number;
  /** File offset of the next byte to be pushed. */
  private offset: number;
  private out: MboxEntry[] = [];
  // The message being read.
  private inMessage = false;
  private start = 0;
  private fromLine: string | null = null;
  private parts: Buffer[] = [];
  private size = 0;
  private tooLarge = false;
  /** An empty line held back: dropped if a From_ line follows, else part of the message. */
  private blankPending = false;
  /** True at the start of the input (and until the first message begins). */
  private atStart = true;
  // The current line when it spans chunks: its pieces, or only its length once it is longer
  // than a kept message could be.
  private carry: Buffer[] = [];
  private carryLen = 0;
  private carryDropped = false;
  /** The first bytes of a dropped line. */
  private carryHead: Buffer = EMPTY;

  constructor(opts: SplitOptions) {
    this.max = opts.maxMessageBytes;
    this.offset = opts.offset ?? 0;
  }

  /** Feeds the next bytes; returns the messages they finished. */
  push(buf: Buffer): MboxEntry[] {
    let pos = 0;
    for (let nl = buf.indexOf(0x0a, pos); nl !== -1; nl = buf.indexOf(0x0a, pos)) {
      const piece = buf.subarray(pos, nl);
      const lineStart = this.offset + pos - this.carryLen;
      pos = nl + 1;
      this.lineEnded(piece, lineStart);
    }
    if (pos < buf.length) {
      const rest = buf.subarray(pos);
      this.carryLen += rest.length;
      // A copy: the caller may reuse its buffer.
      if (!this.carryDropped) this.carry.push(Buffer.from(rest));
      if (!this.carryDropped && this.carryLen > this.max + 2) {
        // Longer than any message we keep: only its start is kept (a From_ line's date).
        this.carryHead = Buffer.from(Buffer.concat(this.carry).subarray(0, MAX_FROM_LINE));
        this.carry = [];
        this.carryDropped = true;
      }
    }
    this.offset += buf.length;
    return this.take();
  }

  /** The end of the input: the last message (a last line without line end still counts). */
  end(): MboxEntry[] {
    if (this.carryLen > 0) this.lineEnded(Buffer.alloc(0), this.offset - this.carryLen);
    this.finish(this.offset);
    return this.take();
  }

  /** A line ended: `piece` is its part in the current chunk, the carry the rest. The same line
   *  is handled the same way whatever the chunks: one longer than a kept message could be goes
   *  to longLine whether it arrived whole or in pieces. */
  private lineEnded(piece: Buffer, lineStart: number): void {
    const total = this.carryLen + piece.length;
    if (this.carryDropped) this.longLine(this.carryHead, lineStart, total);
    else if (total > this.max + 2) {
      const whole =
        this.carryLen > 0 ? Buffer.concat([...this.carry, piece.subarray(0, MAX_FROM_LINE)]) : piece;
      this.longLine(whole.subarray(0, MAX_FROM_LINE), lineStart, total);
    } else if (this.carryLen > 0) this.line(Buffer.concat([...this.carry, piece], total), lineStart);
    else this.line(piece, lineStart);
    this.carry = [];
    this.carryLen = 0;
    this.carryDropped = false;
    this.carryHead = EMPTY;
  }

  /** A line too long to keep: a separator (its start kept as the From_ line), or a line that
   *  makes its message too large (only its length counts). */
  private longLine(head: Buffer, lineStart: number, len: number): void {
    if (startsWithFrom(head, 0) && (this.atStart || this.blankPending || !this.inMessage)) {
      this.finish(lineStart);
      this.begin(lineStart, head.toString("latin1"));
      return;
    }
    this.dropLine(lineStart, len);
  }

  private take(): MboxEntry[] {
    const done = this.out;
    this.out = [];
    return done;
  }

  private add(l: Buffer): void {
    this.size += l.length + 2;
    if (this.tooLarge) return;
    if (this.size > this.max) {
      this.tooLarge = true;
      this.parts = [];
      return;
    }
    this.parts.push(l, CRLF);
  }

  private finish(end: number): void {
    if (!this.inMessage) return;
    this.out.push({
      start: this.start,
      end,
      fromLine: this.fromLine,
      body: this.tooLarge ? null : Buffer.concat(this.parts, this.size),
      size: this.size,
    });
    this.inMessage = false;
    this.parts = [];
    this.size = 0;
    this.tooLarge = false;
    this.blankPending = false;
  }

  private begin(lineStart: number, fromLine: string | null): void {
    this.inMessage = true;
    this.atStart = false;
    this.start = lineStart;
    this.fromLine = fromLine;
  }

  /** One whole line, without its LF. */
  private line(raw: Buffer, lineStart: number): void {
    const l = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
    if (startsWithFrom(l, 0) && (this.atStart || this.blankPending || !this.inMessage)) {
      this.finish(lineStart);
      this.begin(lineStart, l.subarray(0, MAX_FROM_LINE).toString("latin1"));
      return;
    }
    if (!this.inMessage) {
      if (l.length === 0) return; // empty lines before the first message
      this.begin(lineStart, null);
    }
    if (this.blankPending) {
      this.add(Buffer.alloc(0));
      this.blankPending = false;
    }
    if (l.length === 0) {
      this.blankPending = true;
      return;
    }
    let gt = 0;
    while (gt < l.length && l[gt] === 0x3e) gt++;
    this.add(gt > 0 && startsWithFrom(l, gt) ? l.subarray(1) : l);
  }

  /** A line too long to keep ended: only its length counts, and its message is skipped. */
  private dropLine(lineStart: number, len: number): void {
    if (!this.inMessage) this.begin(lineStart, null);
    if (this.blankPending) {
      this.size += 2;
      this.blankPending = false;
    }
    this.tooLarge = true;
    this.parts = [];
    this.size += len + 2;
  }
}
