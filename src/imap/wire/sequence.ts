// Sequence sets (RFC 9051 9 `sequence-set`, 6.4.8 for UIDs): "1:4,7,9:*", or "$" for the result
// saved by SEARCH RETURN (SAVE) (RFC 5182). Parsed into ranges; resolved against the mailbox view.
import { type Cursor, ParseError } from "./cursor.js";

export const STAR = -1;

export type SequenceSet = { kind: "saved" } | { kind: "ranges"; ranges: [number, number][] }; // STAR = "*"

function seqNumber(c: Cursor): number {
  if (c.maybeChar("*")) return STAR;
  return c.nzNumber();
}

export function parseSequenceSet(c: Cursor): SequenceSet {
  if (c.maybeChar("$")) return { kind: "saved" };
  const ranges: [number, number][] = [];
  for (;;) {
    const a = seqNumber(c);
    const b = c.maybeChar(":") ? seqNumber(c) : a;
    ranges.push([a, b]);
    if (ranges.length > 100000) throw new ParseError("Sequence set too long");
    if (!c.maybeChar(",")) break;
  }
  return { kind: "ranges", ranges };
}

/** Formats sorted numbers compactly as a sequence set ("1:3,7"). */
export function formatSet(nums: ArrayLike<number>): string {
  const parts: string[] = [];
  let i = 0;
  while (i < nums.length) {
    const start = nums[i]!;
    let end = start;
    while (i + 1 < nums.length && nums[i + 1] === end + 1) end = nums[++i]!;
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return parts.join(",");
}
