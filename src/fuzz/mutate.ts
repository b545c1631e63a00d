// Input mutations, libFuzzer/AFL style: a "havoc" stack of 1..16 small edits on a corpus entry
// (bit flips, interesting bytes, insert/delete/duplicate ranges, ASCII numbers, splices with
// another entry, dictionary tokens). Every result is cut to maxLength, so inputs stay bounded.
import type { Rng } from "./rng.js";

export interface MutateContext {
  rng: Rng;
  dictionary: readonly Buffer[];
  /** Another corpus entry to splice with. */
  other: () => Buffer;
  maxLength: number;
}

const INTERESTING_BYTES = [
  0, 1, 0x7f, 0x80, 0xff, 0x0d, 0x0a, 0x20, 0x09, 0x22, 0x5c, 0x28, 0x29, 0x7b, 0x7d,
];
// Numbers that cross limits: zero, one, sign, 2^31, 2^32, 2^53 and beyond (literal sizes, counts).
const INTERESTING_NUMBERS = [
  "0",
  "1",
  "-1",
  "255",
  "256",
  "65536",
  "2147483647",
  "2147483648",
  "4294967295",
  "4294967296",
  "9007199254740993",
  "99999999999999999999",
];

type Mutator = (b: Buffer, m: MutateContext) => Buffer;

function pos(b: Buffer, m: MutateContext, inclusiveEnd = false): number {
  return m.rng.below(b.length + (inclusiveEnd ? 1 : 0));
}

const insertAt = (b: Buffer, at: number, piece: Buffer): Buffer =>
  Buffer.concat([b.subarray(0, at), piece, b.subarray(at)]);

const mutators: Mutator[] = [
  // bit flip
  (b, m) => {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    const i = pos(b, m);
    out[i] = out[i]! ^ (1 << m.rng.below(8));
    return out;
  },
  // set one byte to an interesting or random value
  (b, m) => {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    out[pos(b, m)] = m.rng.chance(2) ? m.rng.pick(INTERESTING_BYTES) : m.rng.below(256);
    return out;
  },
  // insert 1..8 random bytes
  (b, m) => {
    const piece = Buffer.alloc(1 + m.rng.below(8));
    for (let i = 0; i < piece.length; i++)
      piece[i] = m.rng.chance(2) ? m.rng.pick(INTERESTING_BYTES) : m.rng.below(256);
    return insertAt(b, pos(b, m, true), piece);
  },
  // delete a range
  (b, m) => {
    if (b.length === 0) return b;
    const at = pos(b, m);
    const n = 1 + m.rng.below(Math.min(32, b.length - at));
    return Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
  },
  // duplicate a range, sometimes many times (deep nesting, long runs)
  (b, m) => {
    if (b.length === 0) return b;
    const at = pos(b, m);
    const n = 1 + m.rng.below(Math.min(64, b.length - at));
    const times = m.rng.chance(4) ? 2 + m.rng.below(64) : 1;
    const piece = Buffer.concat(Array.from({ length: times }, () => b.subarray(at, at + n)));
    return insertAt(b, pos(b, m, true), piece);
  },
  // copy a range over another place
  (b, m) => {
    if (b.length < 2) return b;
    const from = pos(b, m);
    const n = 1 + m.rng.below(Math.min(32, b.length - from));
    const out = Buffer.from(b);
    b.copy(out, pos(b, m), from, from + n);
    return out;
  },
  // insert a dictionary token
  (b, m) => (m.dictionary.length === 0 ? b : insertAt(b, pos(b, m, true), m.rng.pick(m.dictionary))),
  // overwrite with a dictionary token
  (b, m) => {
    if (m.dictionary.length === 0) return b;
    const tok = m.rng.pick(m.dictionary);
    const at = pos(b, m, true);
    return Buffer.concat([b.subarray(0, at), tok, b.subarray(at + tok.length)]);
  },
  // replace an ASCII number with an interesting one (literal sizes, counts, sequence numbers)
  (b, m) => {
    const starts: number[] = [];
    for (let i = 0; i < b.length && starts.length < 64; i++)
      if (b[i]! >= 0x30 && b[i]! <= 0x39 && (i === 0 || b[i - 1]! < 0x30 || b[i - 1]! > 0x39)) starts.push(i);
    if (starts.length === 0) return b;
    const s = m.rng.pick(starts);
    let e = s;
    while (e < b.length && b[e]! >= 0x30 && b[e]! <= 0x39) e++;
    return Buffer.concat([b.subarray(0, s), Buffer.from(m.rng.pick(INTERESTING_NUMBERS)), b.subarray(e)]);
  },
  // splice: the head of this input with the tail of another
  (b, m) => {
    const o = m.other();
    return Buffer.concat([b.subarray(0, pos(b, m, true)), o.subarray(m.rng.below(o.length + 1))]);
  },
  // insert a range of another entry
  (b, m) => {
    const o = m.other();
    if (o.length === 0) return b;
    const from = m.rng.below(o.length);
    const n = 1 + m.rng.below(Math.min(128, o.length - from));
    return insertAt(b, pos(b, m, true), o.subarray(from, from + n));
  },
];

/** A new input derived from `input` by a stack of 1..16 mutations. */
export function mutate(input: Buffer, m: MutateContext): Buffer {
  let b = input;
  const rounds = 1 << m.rng.below(5);
  for (let i = 0; i < rounds; i++) {
    b = m.rng.pick(mutators)(b, m);
    if (b.length > m.maxLength) b = b.subarray(0, m.maxLength);
  }
  return b === input ? Buffer.from(b) : b;
}
