// Reading an mbox file one message at a time, for `yubin spam train --mbox` (a corpus of
// thousands of messages must not be read whole). The format (RFC 4155): each message starts
// with a "From " separator line; lines inside a message that began with "From " were written
// as ">From " (mboxo) or with one more ">" (mboxrd). We split on every line that starts with
// "From " (as Python's mailbox and mutt do) and remove one ">" from ">+From " lines, which undoes
// both escapings. Lines become CRLF (the store's form), so the same message read from an LF and
// a CRLF file is the same bytes and trains under the same key.
//
// Memory: one message (at most maxMessageBytes) plus one chunk; a larger message is skipped
// and reported, a line without end is never accumulated beyond that bound. Linear: each byte is
// looked at a constant number of times (indexOf for line ends, no regexes).

export type MboxItem = { body: Buffer } | { skipped: "too-large"; size: number };

export interface MboxOptions {
  /** Larger messages are skipped (reported as { skipped }), not held in memory. */
  maxMessageBytes: number;
}

const FROM = Buffer.from("From ");
const CRLF = Buffer.from("\r\n");

export async function* readMbox(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  opts: MboxOptions,
): AsyncGenerator<MboxItem> {
  let parts: Buffer[] = [];
  let size = 0; // octets of the current message so far (counted even once it is too large)
  let inMessage = false; // a separator (or any text, for a file not starting with one) was seen
  let tooLarge = false;
  let blankPending = false; // an empty line that is dropped if the next line is a separator
  // The current line, when it spans chunks: its first pieces (or only its length, carryDropped,
  // once it is longer than a message may be).
  let carry: Buffer[] = [];
  let carryLen = 0;
  let carryDropped = false;

  const add = (line: Buffer): void => {
    const n = line.length + 2;
    size += n;
    if (tooLarge) return;
    if (size > opts.maxMessageBytes) {
      tooLarge = true;
      parts = [];
      return;
    }
    parts.push(line, CRLF);
  };
  const finish = (): MboxItem | null => {
    if (!inMessage) return null;
    const item: MboxItem = tooLarge ? { skipped: "too-large", size } : { body: Buffer.concat(parts, size) };
    parts = [];
    size = 0;
    tooLarge = false;
    blankPending = false;
    return item;
  };
  /** One whole line (without its line end). Returns a finished message when it was a separator. */
  const line = (raw: Buffer): MboxItem | null => {
    let l = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
    if (l.length >= 5 && l.subarray(0, 5).equals(FROM)) {
      const done = finish();
      inMessage = true;
      return done;
    }
    if (!inMessage && l.length === 0) return null; // blank lines before the first message
    inMessage = true;
    if (blankPending) {
      add(Buffer.alloc(0));
      blankPending = false;
    }
    if (l.length === 0) {
      // The blank line mbox writers put before each separator is not part of the message.
      blankPending = true;
      return null;
    }
    let gt = 0;
    while (gt < l.length && l[gt] === 0x3e) gt++;
    if (gt > 0 && l.length - gt >= 5 && l.subarray(gt, gt + 5).equals(FROM)) l = l.subarray(1);
    add(l);
    return null;
  };

  /** A line too long to keep ended: only its length counts, and its message is skipped. */
  const dropLine = (len: number): void => {
    inMessage = true;
    tooLarge = true;
    parts = [];
    size += len + 2;
  };

  for await (const chunk of input) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      const piece = buf.subarray(start, nl);
      start = nl + 1;
      let done: MboxItem | null = null;
      if (carryDropped) dropLine(carryLen + piece.length);
      else if (carryLen > 0) done = line(Buffer.concat([...carry, piece], carryLen + piece.length));
      else done = line(piece);
      carry = [];
      carryLen = 0;
      carryDropped = false;
      if (done) yield done;
    }
    if (start < buf.length) {
      const rest = buf.subarray(start);
      carryLen += rest.length;
      if (!carryDropped) carry.push(Buffer.from(rest));
      if (!carryDropped && carryLen > opts.maxMessageBytes) {
        // A line longer than any message we keep (and so no separator worth reading).
        carry = [];
        carryDropped = true;
      }
    }
  }
  if (carryDropped) dropLine(carryLen);
  else if (carryLen > 0) {
    const done = line(Buffer.concat(carry, carryLen));
    if (done) yield done;
  }
  const last = finish();
  if (last) yield last;
}
