// Feeding one byte stream in different cuts: a wire parser must give the same result whatever
// the TCP segment boundaries were (a CR at the end of one chunk, a literal split in two...).
// Targets compare the cut runs to the whole run.
import { check } from "../target.js";

/** The stream cut every `size` bytes. */
export function cut(input: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; i += size) out.push(input.subarray(i, i + size));
  return out;
}

/** Cut sizes chosen from the input itself, so that every input is tried with two cuts. */
export function cutSizes(input: Buffer): number[] {
  const n = Math.max(1, input.length);
  return [n, 1 + (input.length % 7)];
}

/** Checks two transcripts are equal; the message shows where they part. */
export function sameTranscript(whole: string[], other: string[], what: string): void {
  let i = 0;
  while (i < whole.length && i < other.length && whole[i] === other[i]) i++;
  if (i === whole.length && i === other.length) return;
  const around = (t: string[]) => JSON.stringify(t.slice(Math.max(0, i - 2), i + 2));
  check(false, `${what}: at entry ${i}, whole ${around(whole)}, cut ${around(other)}`);
}
