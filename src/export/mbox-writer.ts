// One message as an mboxrd entry (the format src/import/mbox reads back byte for byte):
//   - a From_ line: the envelope sender from the first Return-Path field ("MAILER-DAEMON" for
//     none or "<>", as Dovecot and Python's mailbox write), the internal date in asctime() form,
//     UTC (RFC 4155 2);
//   - the header with the old state fields taken out and fresh ones put at its end: Status (R
//     when \Seen; O always: the message has been seen by a mail client, i.e. is not new), X-Status
//     (A answered, F flagged, T draft, D deleted: Dovecot's letters) and X-Keywords (the
//     keywords, space-separated, as Dovecot's mbox driver writes them);
//   - lines with LF ends (the file convention); every line matching /^>*From / gets one more ">"
//     (mboxrd: reversible, unlike mboxo);
//   - an empty line after the message.
// Linear in the message (one indexOf pass for the lines); no regex on the content.
import { fromLine } from "../import/mbox/from-line.js";
import { stripStateFields } from "../import/mbox/state-headers.js";

const SYSTEM_LETTERS: ReadonlyArray<readonly [string, string]> = [
  ["\\answered", "A"],
  ["\\flagged", "F"],
  ["\\draft", "T"],
  ["\\deleted", "D"],
];

/** The envelope sender the first Return-Path field names, "" for "<>", null for none. */
function returnPath(body: Buffer): string | null {
  const v = firstField(body, "return-path");
  if (v === null) return null;
  const lt = v.indexOf("<");
  const gt = v.indexOf(">", lt + 1);
  return lt !== -1 && gt !== -1 ? v.slice(lt + 1, gt).trim() : v.trim();
}

/** The first value of one field (unfolded), looking only at the header. */
function firstField(body: Buffer, name: string): string | null {
  let pos = 0;
  while (pos < body.length) {
    const nl = body.indexOf(0x0a, pos);
    const end = nl === -1 ? body.length : nl;
    const content = end > pos && body[end - 1] === 0x0d ? end - 1 : end;
    if (content === pos) return null;
    const colon = body.indexOf(0x3a, pos);
    if (colon !== -1 && colon < content && colon - pos === name.length) {
      if (body.toString("latin1", pos, colon).toLowerCase() === name) {
        let value = body.toString("latin1", colon + 1, content);
        // Continuation lines (RFC 5322 2.2.3).
        let next = end + 1;
        while (next < body.length && (body[next] === 0x20 || body[next] === 0x09)) {
          const nl2 = body.indexOf(0x0a, next);
          const e2 = nl2 === -1 ? body.length : nl2;
          value += body.toString("latin1", next, e2 > next && body[e2 - 1] === 0x0d ? e2 - 1 : e2);
          next = e2 + 1;
        }
        return value;
      }
    }
    if (nl === -1) break;
    pos = nl + 1;
  }
  return null;
}

/** The state fields for `flags` (LF ends), without the ones that would be empty. */
export function stateFields(flags: readonly string[]): string {
  const lower = new Set(flags.map((f) => f.toLowerCase()));
  let out = `Status: ${lower.has("\\seen") ? "RO" : "O"}\n`;
  const xs = SYSTEM_LETTERS.filter(([f]) => lower.has(f))
    .map(([, l]) => l)
    .join("");
  if (xs !== "") out += `X-Status: ${xs}\n`;
  const keywords = flags.filter((f) => !f.startsWith("\\"));
  if (keywords.length > 0) out += `X-Keywords: ${keywords.join(" ")}\n`;
  return out;
}

/** The mbox entry for one stored message (CRLF lines), From_ line to the empty line after it. */
export function mboxEntry(stored: Buffer, flags: readonly string[], internalDate: Date): Buffer {
  const { body, headerEnd } = stripStateFields(stored);
  const parts: Buffer[] = [Buffer.from(`${fromLine(returnPath(body), internalDate)}\n`, "latin1")];
  // A message whose first line starts with white space (a continuation of nothing: malformed)
  // cannot carry them: written before that line, the line would read back as their
  // continuation. Its bytes come back; its flags do not.
  const ws = body[headerEnd] === 0x20 || body[headerEnd] === 0x09;
  const state = ws ? Buffer.alloc(0) : Buffer.from(stateFields(flags), "latin1");
  const NL = Buffer.from("\n");
  const GT = Buffer.from(">");
  let pos = 0;
  while (pos < body.length) {
    // The state fields go where the import's header scan stops (usually the empty line).
    if (pos === headerEnd) parts.push(state);
    const nl = body.indexOf(0x0a, pos);
    const end = nl === -1 ? body.length : nl;
    const content = end > pos && body[end - 1] === 0x0d ? end - 1 : end;
    let gt = pos;
    while (gt < content && body[gt] === 0x3e) gt++;
    if (content - gt >= 5 && body.toString("latin1", gt, gt + 5) === "From ") parts.push(GT);
    parts.push(body.subarray(pos, content), NL);
    pos = end + 1;
  }
  // A message that is all header: the fields go at its end.
  if (headerEnd >= body.length) parts.push(state);
  parts.push(NL);
  return Buffer.concat(parts);
}
