// mbox files (src/import/mbox: the splitter and the state fields) and the export's writer
// (src/export/mbox-writer.ts). Checks: the same messages whatever the read chunks; message
// ranges in order and inside the file; and every message read, written back as an mbox entry
// and read again, gives the same bytes and flags (the export → import round trip), except a
// line ending in a bare CR, which an LF file cannot tell from CRLF.
import { mboxEntry } from "../../export/mbox-writer.js";
import { type MboxEntry, MboxSplitter } from "../../import/mbox/split.js";
import { flagsFromFields, stripStateFields } from "../../import/mbox/state-headers.js";
import { check, type FuzzTarget } from "../target.js";
import { cut, cutSizes, sameTranscript } from "./chunks.js";

const MAX = 4096;

function split(chunks: Buffer[], max = MAX): MboxEntry[] {
  const s = new MboxSplitter({ maxMessageBytes: max });
  const out: MboxEntry[] = [];
  for (const c of chunks) out.push(...s.push(c));
  out.push(...s.end());
  return out;
}

const show = (es: MboxEntry[]) =>
  es.map((e) => `${e.start}-${e.end} ${e.size} ${e.fromLine} ${e.body?.toString("latin1") ?? "(too large)"}`);

const sorted = (f: string[]) => [...new Set(f)].sort().join(" ");

export const mboxTarget: FuzzTarget = {
  name: "mbox",
  coverage: ["src/import/mbox/", "src/export/mbox-writer.ts"],
  dictionary: [
    "From ",
    "\nFrom ",
    "\n\nFrom a@b Mon Jan  1 00:00:00 2024\n",
    ">From ",
    ">>From ",
    "\r\n",
    "\n\n",
    "Status: RO\n",
    "X-Status: AFTD\n",
    "X-Keywords: $label1 work,\n",
    "X-Mozilla-Status: 000f\n",
    "Return-Path: <a@b>\n",
    "Content-Length: 12\n",
    " folded\n",
  ],
  maxLength: 16 * 1024,
  run(input) {
    const whole = split([input]);
    for (const size of cutSizes(input))
      sameTranscript(show(whole), show(split(cut(input, size))), `cut ${size}`);
    let at = 0;
    for (const e of whole) {
      check(
        e.start >= at && e.end > e.start && e.end <= input.length,
        `range ${e.start}-${e.end} after ${at}`,
      );
      at = e.end;
      if (e.body === null) {
        check(e.size > MAX, `skipped at ${e.size} octets`);
        continue;
      }
      const { body, fields } = stripStateFields(e.body);
      const flags = flagsFromFields(fields);
      if (body.includes("\r\r\n")) continue;
      // Written back it grows by the state fields: read with room for them.
      const again = split([mboxEntry(body, flags, new Date(0))], 2 * MAX);
      check(again.length === 1 && again[0]!.body !== null, `written back: ${again.length} messages`);
      const back = stripStateFields(again[0]!.body!);
      check(
        back.body.equals(body),
        `round trip: ${JSON.stringify(body.toString("latin1"))} came back ${JSON.stringify(back.body.toString("latin1"))}`,
      );
      // A first line starting with white space leaves no place for the state fields.
      const carried = body[0] === 0x20 || body[0] === 0x09 ? [] : flags;
      check(
        sorted(flagsFromFields(back.fields)) === sorted(carried),
        `flags ${sorted(carried)} came back ${sorted(flagsFromFields(back.fields))}`,
      );
    }
  },
};
