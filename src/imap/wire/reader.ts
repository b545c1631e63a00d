// Streaming command reader (RFC 9051 2.2, 4.3): cuts the byte stream into whole commands ("frames"):
// lines plus the literals they announce. It answers synchronizing literals {n} with a continuation
// request only when n is within the limit, and refuses oversize ones before reading them (the
// client then never sends the bytes). Non-synchronizing literals {n+} (RFC 7888) that are too big
// are read and thrown away so the stream stays in step. Memory stays bounded by the limits.
// Before login a whole command (line and literals together) also has a small budget: a command
// over it stops the reader at once, unread, and the connection closes (issue 18: hundreds of
// literals, each within the per-literal limit, made ~51 MB per anonymous connection).

export type Segment = { kind: "text"; data: Buffer } | { kind: "literal"; data: Buffer };

export interface Frame {
  segments: Segment[];
}

export type ReaderErrorKind = "line-too-long" | "literal-too-big" | "command-too-big" | "over-budget";

export interface ReaderSink {
  frame(frame: Frame): void;
  /** A synchronizing literal is accepted: send "+ ..." so the client sends it. */
  continueLiteral(): void;
  /** The command was dropped; `tag` is null when it could not be read. After "over-budget" the
   *  reader has stopped: it reads nothing more, and the connection should close. */
  error(kind: ReaderErrorKind, tag: string | null, command: string | null): void;
}

export interface ReaderLimits {
  maxLineBytes: number;
  maxLiteralBytes: number;
  /** Literal limit for APPEND (the message itself). */
  appendLimit: number;
  /** Whether APPEND may use appendLimit now: before login a client only gets maxLiteralBytes,
   *  so an anonymous connection cannot make the server hold a message-sized buffer. */
  appendAllowed?: () => boolean;
  /** Most octets one whole command (its lines and literals) may hold now, or null for no budget
   *  beyond the limits above (after login). */
  commandBudget?: () => number | null;
}

type Mode =
  | { kind: "line" }
  | { kind: "literal"; remaining: number; chunks: Buffer[] }
  | { kind: "skip-line"; drop: ReaderErrorKind; tail: Buffer } // discard up to the next LF, then drop the frame
  | { kind: "discard"; remaining: number; drop: ReaderErrorKind } // discard literal bytes
  | { kind: "stopped" }; // over the command budget: everything after is ignored

/** Line mode has no state of its own: one object shared by every reader. */
const LINE_MODE: Mode = Object.freeze({ kind: "line" });
const STOPPED: Mode = Object.freeze({ kind: "stopped" });
const LF = 0x0a;
const CR = 0x0d;

/** Shared empty arrays: a reader between commands (every idle client's) holds no arrays of its
 *  own; add() swaps in a fresh one before the first push. */
const NO_BUFFERS: Buffer[] = Object.freeze([]) as unknown as Buffer[];
const NO_SEGMENTS: Segment[] = Object.freeze([]) as unknown as Segment[];

function add<T>(list: T[], empty: T[], item: T): T[] {
  const l = list === empty ? [] : list;
  l.push(item);
  return l;
}

export class CommandReader {
  private pending: Buffer[] = NO_BUFFERS;
  private pendingLen = 0;
  private segments: Segment[] = NO_SEGMENTS;
  private frameBytes = 0;
  private mode: Mode = LINE_MODE;
  private dropTag: string | null = null;
  private dropCommand: string | null = null;
  /** The next line is a SASL response, where an empty line is an empty response (XOAUTH2's
   *  answer to its error challenge), not a blank line to skip. */
  private blankLineWanted = false;

  constructor(
    private readonly limits: ReaderLimits,
    private readonly sink: ReaderSink,
  ) {}

  /** Deliver the next line even if empty (a SASL response, RFC 9051 6.2.2); once. */
  acceptBlankLine(): void {
    this.blankLineWanted = true;
  }

  /** Forget everything buffered (after STARTTLS, RFC 9051 6.2.1: pipelined plaintext is discarded). */
  reset(): void {
    if (this.mode === STOPPED) return;
    this.pending = NO_BUFFERS;
    this.pendingLen = 0;
    this.segments = NO_SEGMENTS;
    this.frameBytes = 0;
    this.mode = LINE_MODE;
  }

  /** Whether part of a command has been read and more of it is still to come: a line without its
   *  LF, a literal under way, or one just ended (the command goes on after it: at least CRLF). */
  get midCommand(): boolean {
    const k = this.mode.kind;
    if (k === "literal" || k === "discard" || k === "skip-line") return true;
    return this.pendingLen > 0 || this.segments.length > 0;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const mode = this.mode;
      if (mode.kind === "stopped") return;
      if (mode.kind === "literal") {
        const take = Math.min(mode.remaining, chunk.length - pos);
        mode.chunks.push(chunk.subarray(pos, pos + take));
        mode.remaining -= take;
        pos += take;
        if (mode.remaining === 0) {
          this.segments = add(this.segments, NO_SEGMENTS, {
            kind: "literal",
            data: Buffer.concat(mode.chunks),
          });
          this.mode = LINE_MODE;
        }
        continue;
      }
      if (mode.kind === "discard") {
        const take = Math.min(mode.remaining, chunk.length - pos);
        mode.remaining -= take;
        pos += take;
        if (mode.remaining === 0) this.mode = { kind: "skip-line", drop: mode.drop, tail: Buffer.alloc(0) };
        continue;
      }
      const nl = chunk.indexOf(LF, pos);
      if (mode.kind === "skip-line") {
        // Keep only the end of the line: enough to see whether it announces another literal.
        const upto = nl === -1 ? chunk.length : nl + 1;
        const tail = Buffer.concat([mode.tail, chunk.subarray(pos, upto)]);
        mode.tail = Buffer.from(tail.subarray(Math.max(0, tail.length - 24)));
        pos = upto;
        if (nl === -1) return;
        this.finishDrop(mode.drop, mode.tail);
        continue;
      }
      if (nl === -1) {
        const rest = chunk.subarray(pos);
        const hit = this.lineLimit(this.pendingLen + rest.length);
        if (hit === "budget") {
          this.stop(Buffer.concat([...this.pending, rest]));
          return;
        }
        if (hit === "line") {
          this.noteDropTarget(Buffer.concat([...this.pending, rest]));
          this.pending = NO_BUFFERS;
          this.pendingLen = 0;
          this.mode = { kind: "skip-line", drop: "line-too-long", tail: Buffer.alloc(0) };
          return;
        }
        this.pending = add(this.pending, NO_BUFFERS, Buffer.from(rest)); // copy: the socket may reuse its buffer
        this.pendingLen += rest.length;
        return;
      }
      const piece = chunk.subarray(pos, nl + 1);
      pos = nl + 1;
      let line = this.pendingLen > 0 ? Buffer.concat([...this.pending, piece]) : Buffer.from(piece);
      this.pending = NO_BUFFERS;
      this.pendingLen = 0;
      const hit = this.lineLimit(line.length - 1);
      if (hit === "budget") {
        this.stop(line);
        return;
      }
      if (hit === "line") {
        this.noteDropTarget(line);
        this.finishDrop("line-too-long", line);
        continue;
      }
      let end = line.length - 1; // the LF
      if (end > 0 && line[end - 1] === CR) end--;
      line = line.subarray(0, end);
      this.onLine(line);
    }
  }

  private onLine(line: Buffer): void {
    const lit = literalAtEnd(line);
    if (this.overBudget(line.length + (lit?.size ?? 0))) {
      this.stop(line);
      return;
    }
    this.frameBytes += line.length;
    if (!lit) {
      if (this.segments.length === 0 && line.length === 0 && !this.blankLineWanted) return; // tolerate blank lines
      this.segments = add(this.segments, NO_SEGMENTS, { kind: "text", data: line });
      const frame = { segments: this.segments };
      this.segments = NO_SEGMENTS;
      this.frameBytes = 0;
      this.blankLineWanted = false;
      this.sink.frame(frame);
      return;
    }
    this.segments = add(this.segments, NO_SEGMENTS, { kind: "text", data: line });
    const head = this.segments[0]!.data;
    const { tag, command } = tagAndCommand(head);
    const appendOk = command === "APPEND" && (this.limits.appendAllowed?.() ?? true);
    const limit = appendOk ? this.limits.appendLimit : this.limits.maxLiteralBytes;
    const total = this.limits.appendLimit + this.limits.maxLiteralBytes + 16 * this.limits.maxLineBytes;
    const tooBig =
      lit.size > limit ? "literal-too-big" : this.frameBytes + lit.size > total ? "command-too-big" : null;
    if (tooBig) {
      this.dropTag = tag;
      this.dropCommand = command;
      this.segments = NO_SEGMENTS;
      this.frameBytes = 0;
      if (lit.sync) {
        // The client waits for "+" and never sends the bytes: refuse at once.
        this.sink.error(tooBig, tag, command);
      } else {
        this.mode = { kind: "discard", remaining: lit.size, drop: tooBig };
        if (lit.size === 0) this.mode = { kind: "skip-line", drop: tooBig, tail: Buffer.alloc(0) };
      }
      return;
    }
    this.frameBytes += lit.size;
    if (lit.sync) this.sink.continueLiteral();
    if (lit.size === 0)
      this.segments = add(this.segments, NO_SEGMENTS, { kind: "literal", data: Buffer.alloc(0) });
    else this.mode = { kind: "literal", remaining: lit.size, chunks: [] };
  }

  /**
   * Which limit a line has crossed when `octets` of it have arrived (its LF not counted; a CR
   * waiting for its LF counted, and allowed for): the line limit or the pre-login budget left.
   * When both are crossed, the nearer one: the one its bytes crossed first. So the answer is the
   * same whether the line came in one TCP segment or byte by byte (found by fuzzing, src/fuzz).
   */
  private lineLimit(octets: number): "line" | "budget" | null {
    const budget = this.limits.commandBudget?.() ?? null;
    const room = budget === null ? Number.POSITIVE_INFINITY : budget - this.frameBytes;
    if (octets <= Math.min(room, this.limits.maxLineBytes) + 1) return null;
    return room <= this.limits.maxLineBytes ? "budget" : "line";
  }

  /** Whether `more` octets would take the command under way over the pre-login budget. */
  private overBudget(more: number): boolean {
    const budget = this.limits.commandBudget?.() ?? null;
    return budget !== null && this.frameBytes + more > budget;
  }

  /** Over budget: drop the command and stop reading for good (the bytes are never buffered). */
  private stop(head: Buffer): void {
    this.noteDropTarget(head);
    this.pending = NO_BUFFERS;
    this.pendingLen = 0;
    this.segments = NO_SEGMENTS;
    this.frameBytes = 0;
    this.mode = STOPPED;
    this.sink.error("over-budget", this.dropTag, this.dropCommand);
  }

  private noteDropTarget(head: Buffer): void {
    const first = this.segments[0]?.data ?? head;
    const { tag, command } = tagAndCommand(first);
    this.dropTag = tag;
    this.dropCommand = command;
  }

  /** The line ending a dropped command was consumed; it may itself announce another literal. */
  private finishDrop(kind: ReaderErrorKind, lastLine: Buffer): void {
    let end = lastLine.length;
    if (end > 0 && lastLine[end - 1] === LF) end--;
    if (end > 0 && lastLine[end - 1] === CR) end--;
    const lit = kind === "line-too-long" ? null : literalAtEnd(lastLine.subarray(0, end));
    if (lit && !lit.sync) {
      this.mode = { kind: "discard", remaining: lit.size, drop: kind };
      return;
    }
    this.mode = LINE_MODE;
    this.segments = NO_SEGMENTS;
    this.frameBytes = 0;
    this.sink.error(kind, this.dropTag, this.dropCommand);
  }
}

/** `{123}` or `{123+}` at the very end of a line (RFC 9051 4.3, RFC 7888). */
export function literalAtEnd(line: Buffer): { size: number; sync: boolean } | null {
  const n = line.length;
  if (n < 3 || line[n - 1] !== 0x7d) return null;
  let i = n - 2;
  const sync = line[i] !== 0x2b;
  if (!sync) i--;
  const digitsEnd = i + 1;
  while (i >= 0 && line[i]! >= 0x30 && line[i]! <= 0x39) i--;
  if (i < 0 || line[i] !== 0x7b || digitsEnd - (i + 1) === 0 || digitsEnd - (i + 1) > 15) return null;
  return { size: Number(line.subarray(i + 1, digitsEnd).toString("latin1")), sync };
}

function tagAndCommand(head: Buffer): { tag: string | null; command: string | null } {
  const text = head.subarray(0, 200).toString("latin1");
  const words = text.split(" ");
  const tag = words[0] && /^[\x21-\x7e]+$/.test(words[0]) && !/[(){%*"\\+]/.test(words[0]) ? words[0] : null;
  const keyword = (w: string | undefined) => (w && /^[A-Za-z]{1,20}$/.test(w) ? w.toUpperCase() : null);
  let command = keyword(words[1]);
  if (command === "UID") command = keyword(words[2]);
  return { tag, command };
}
