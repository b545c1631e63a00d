// Reading an mbox file one message at a time, for `yubin spam train --mbox` (a corpus of
// thousands of messages must not be read whole). The splitting is the importer's
// (src/import/mbox/split.ts: RFC 4155 From_ lines after an empty line, mboxrd unescaping, CRLF
// lines, memory of one message plus one chunk, linear); text before the first From_ line (a
// file of one message without a separator) counts as a message here. Unlike an import, the
// state fields (Status, X-Keywords, ...) stay in the message: training keys on the bytes the
// user gave.
import { MboxSplitter } from "../../import/mbox/split.js";

export type MboxItem = { body: Buffer } | { skipped: "too-large"; size: number };

export interface MboxOptions {
  /** Larger messages are skipped (reported as { skipped }), not held in memory. */
  maxMessageBytes: number;
}

export async function* readMbox(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  opts: MboxOptions,
): AsyncGenerator<MboxItem> {
  const splitter = new MboxSplitter({ maxMessageBytes: opts.maxMessageBytes });
  const item = (e: ReturnType<MboxSplitter["end"]>[number]): MboxItem =>
    e.body === null ? { skipped: "too-large", size: e.size } : { body: e.body };
  for await (const chunk of input) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    for (const e of splitter.push(buf)) yield item(e);
  }
  for (const e of splitter.end()) yield item(e);
}
