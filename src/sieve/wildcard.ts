// :matches patterns (RFC 5228 2.7.1): "*" is any run of characters, "?" one character, "\" quotes
// the next one. No backtracking search: the pattern is split at its stars into segments of fixed
// length; the first must match at the start, the last at the end, and each one between is found at
// its leftmost place after the one before. For a fixed-length segment leftmost is always right
// (any later fit could be replaced by the earlier one), so the match is decided in one pass:
// O(value length x segment length), linear in the message for a given script. The leftmost choice
// is also what RFC 5229 3.2 asks of match variables: each "*" takes as little as it can, except
// that the last one takes what is left before the final segment.

interface Segment {
  /** The segment's characters; "?" positions hold any character. */
  text: string;
  /** Offsets of "?" in text, or null when there are none (then a plain indexOf finds it). */
  any: number[] | null;
}

export interface Wildcard {
  /** Offsets [start, end) of the whole value then of each wildcard in order, or null: no match. */
  match(value: string): number[] | null;
}

export function compileWildcard(pattern: string): Wildcard {
  const segments: Segment[] = [];
  let text = "";
  let any: number[] | null = null;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) {
      text += pattern[++i];
    } else if (c === "*") {
      segments.push({ text, any });
      text = "";
      any = null;
    } else if (c === "?") {
      any ??= [];
      any.push(text.length);
      text += "?";
    } else text += c;
  }
  segments.push({ text, any });
  return { match: (value) => matchSegments(segments, value) };
}

function fitsAt(seg: Segment, value: string, at: number): boolean {
  if (at < 0 || at + seg.text.length > value.length) return false;
  if (seg.any === null) return value.startsWith(seg.text, at);
  let q = 0;
  for (let i = 0; i < seg.text.length; i++) {
    if (q < seg.any.length && seg.any[q] === i) {
      q++;
      continue;
    }
    if (value.charCodeAt(at + i) !== seg.text.charCodeAt(i)) return false;
  }
  return true;
}

function find(seg: Segment, value: string, from: number, limit: number): number {
  if (seg.any === null) {
    const at = value.indexOf(seg.text, from);
    return at === -1 || at + seg.text.length > limit ? -1 : at;
  }
  for (let at = from; at + seg.text.length <= limit; at++) if (fitsAt(seg, value, at)) return at;
  return -1;
}

function pushAny(out: number[], seg: Segment, at: number): void {
  if (seg.any === null) return;
  for (const q of seg.any) out.push(at + q, at + q + 1);
}

function matchSegments(segments: readonly Segment[], value: string): number[] | null {
  const first = segments[0]!;
  const out = [0, value.length];
  if (segments.length === 1) {
    if (first.text.length !== value.length || !fitsAt(first, value, 0)) return null;
    pushAny(out, first, 0);
    return out;
  }
  const last = segments[segments.length - 1]!;
  const lastAt = value.length - last.text.length;
  if (lastAt < first.text.length || !fitsAt(first, value, 0) || !fitsAt(last, value, lastAt)) return null;
  pushAny(out, first, 0);
  let pos = first.text.length;
  for (let s = 1; s < segments.length - 1; s++) {
    const seg = segments[s]!;
    const at = find(seg, value, pos, lastAt);
    if (at === -1) return null;
    out.push(pos, at);
    pushAny(out, seg, at);
    pos = at + seg.text.length;
  }
  out.push(pos, lastAt);
  pushAny(out, last, lastAt);
  return out;
}
