// RFC 5256 2.1 base subject: the subject with reply/forward markers and list tags removed, for
// SORT SUBJECT and THREAD. Also says whether anything reply-like was removed (THREAD step 5).
//
// Linear in the subject (issue 18). The steps only ever strip text from the two ends, so the
// subject is kept whole and two indexes [a, b) move inwards; every check looks at a few
// characters at an end, and the end of a "[...]" blob comes from a table built once. Whole-string
// regexes and slices per layer made "[fwd: " x K ... "]" x K quadratic: a 288 KB Subject blocked
// the server for 8 s on every SORT. Subjects are also cut at MAX_SUBJECT_CHARS first.
import { decodeHeaderValue } from "../../mime/encoded-word.js";

/** Characters of the raw Subject used for the sort key; subjects longer than this sort by their
 *  first MAX_SUBJECT_CHARS characters (RFC 5322 2.1.1 caps a line at 998 octets). */
export const MAX_SUBJECT_CHARS = 65_536;

export interface BaseSubject {
  base: string;
  isReply: boolean;
}

const SP = 0x20;
const HT = 0x09;
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const COLON = 0x3a;

/** ASCII letters lower-cased (the ABNF's strings are case-insensitive, RFC 5234 2.3). */
const lowerAt = (s: string, i: number): number => {
  const c = s.charCodeAt(i);
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
};

function startsWithCi(s: string, i: number, end: number, word: string): boolean {
  if (end - i < word.length) return false;
  for (let k = 0; k < word.length; k++) if (lowerAt(s, i + k) !== word.charCodeAt(k)) return false;
  return true;
}

const isWsp = (c: number): boolean => c === SP || c === HT;

export function baseSubject(raw: string | null): BaseSubject {
  // Step 1: decode, remove line breaks, collapse whitespace runs to one space.
  const s = decodeHeaderValue((raw ?? "").slice(0, MAX_SUBJECT_CHARS))
    .replace(/\r?\n/g, "")
    .replace(/[ \t]+/g, " ");
  // nextBracket[i]: the first "[" or "]" at or after i (s.length if none), so that where a blob
  // "[" *BLOBCHAR "]" that starts at i ends is one lookup.
  const nextBracket = new Int32Array(s.length + 1);
  nextBracket[s.length] = s.length;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    nextBracket[i] = c === OPEN || c === CLOSE ? i : nextBracket[i + 1]!;
  }
  let a = 0;
  let b = s.length;
  /** subj-blob = "[" *BLOBCHAR "]" *WSP at i: the index after it, or -1. */
  const blobAt = (i: number): number => {
    if (i >= b || s.charCodeAt(i) !== OPEN) return -1;
    const close = nextBracket[i + 1]!;
    if (close >= b || s.charCodeAt(close) !== CLOSE) return -1;
    let j = close + 1;
    while (j < b && isWsp(s.charCodeAt(j))) j++;
    return j;
  };
  /** subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":" at i, with the WSP after it that
   *  subj-leader's WSP alternative would take next: the index after it, or -1. */
  const refwdAt = (i: number): number => {
    let j: number;
    if (startsWithCi(s, i, b, "re")) j = i + 2;
    else if (startsWithCi(s, i, b, "fw")) j = startsWithCi(s, i + 2, b, "d") ? i + 3 : i + 2;
    else return -1;
    while (j < b && isWsp(s.charCodeAt(j))) j++;
    const blob = blobAt(j);
    if (blob !== -1) j = blob;
    if (j >= b || s.charCodeAt(j) !== COLON) return -1;
    j++;
    while (j < b && isWsp(s.charCodeAt(j))) j++;
    return j;
  };
  let isReply = false;
  for (;;) {
    // Step 2: trailing "(fwd)" and whitespace (subj-trailer), repeatedly.
    while (b > a) {
      if (isWsp(s.charCodeAt(b - 1))) b--;
      else if (b - 5 >= a && startsWithCi(s, b - 5, b, "(fwd)")) {
        b -= 5;
        isReply = true;
      } else break;
    }
    // Steps 3-5: subj-leader (*subj-blob subj-refwd, or WSP) and a leading subj-blob when text
    // remains after it, until neither applies.
    for (;;) {
      while (a < b && isWsp(s.charCodeAt(a))) a++;
      // The blobs at a, and what follows them.
      const ends: number[] = [];
      let q = a;
      for (let e = blobAt(q); e !== -1; e = blobAt(q)) {
        ends.push(e);
        q = e;
      }
      const r = refwdAt(q);
      if (r !== -1) {
        a = r;
        isReply = true;
        continue;
      }
      // No subj-refwd after these blobs: step 4 removes them one by one while text remains, and
      // step 3 finds no subj-refwd after any of them (the same blobs, then the same text).
      for (const e of ends) {
        if (e >= b) break;
        a = e;
      }
      break;
    }
    // Step 6: "[fwd:" ... "]" around the whole subject; then again from step 2.
    if (startsWithCi(s, a, b, "[fwd:") && b - a >= 6 && s.charCodeAt(b - 1) === CLOSE) {
      a += 5;
      b -= 1;
      isReply = true;
      continue;
    }
    break;
  }
  return { base: s.slice(a, b), isReply };
}

/** i;ascii-casemap: compare with ASCII letters upper-cased (RFC 4790 9.2). */
export function casemap(s: string): string {
  return s.replace(/[a-z]+/g, (x) => x.toUpperCase());
}
