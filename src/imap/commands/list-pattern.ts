// LIST/LSUB mailbox patterns (RFC 9051 6.3.9, RFC 3501 6.3.8): "*" matches any run of
// characters, "%" any run without the hierarchy delimiter, everything else itself; a leading
// "INBOX" matches case-insensitively (RFC 9051 5.1). The pattern comes from the client, so it is
// never made into a RegExp: "%%%…" or "*a*a*a…b" make a backtracking engine take exponential or
// high-polynomial time (issue 18: 60 × "%" blocked the whole server for 16 s). Instead the
// pattern is an NFA with one state per token, simulated bit-parallel: each name character costs
// O(tokens / 32) word operations, so a match is O(name × pattern / 32) whatever the input.
import { DELIMITER } from "./mailbox-common.js";

/** A compiled pattern: token i is a character code, or STAR / PERCENT. */
export class ListPattern {
  private readonly words: number;
  /** Bits of the states that are "*" and "%" tokens. */
  private readonly star: Uint32Array;
  private readonly percent: Uint32Array;
  /** For each literal character of the pattern, the bits of the tokens that are that character. */
  private readonly literal = new Map<number, Uint32Array>();
  /** The states reachable before reading anything (state 0 and what follows leading wildcards). */
  private readonly start: Uint32Array;
  private readonly accept: number;
  private readonly delimiter = DELIMITER.charCodeAt(0);
  // Scratch state vectors, reused between names (one pattern matches a whole mailbox list).
  private cur: Uint32Array;
  private next: Uint32Array;

  constructor(pattern: string) {
    const tokens = tokenize(pattern);
    this.accept = tokens.length;
    this.words = (tokens.length >>> 5) + 1;
    this.star = new Uint32Array(this.words);
    this.percent = new Uint32Array(this.words);
    tokens.forEach((t, i) => {
      const bit = 1 << (i & 31);
      const w = i >>> 5;
      if (t === STAR) this.star[w]! |= bit;
      else if (t === PERCENT) this.percent[w]! |= bit;
      else {
        let mask = this.literal.get(t);
        if (!mask) {
          mask = new Uint32Array(this.words);
          this.literal.set(t, mask);
        }
        mask[w]! |= bit;
      }
    });
    this.start = new Uint32Array(this.words);
    this.start[0] = 1;
    this.closeOver(this.start);
    this.cur = new Uint32Array(this.words);
    this.next = new Uint32Array(this.words);
  }

  /** Wildcards also match the empty string: a wildcard state enables the state after it. Runs of
   *  wildcards were merged into one token, so one step is the whole closure. */
  private closeOver(s: Uint32Array): void {
    let carry = 0;
    for (let w = 0; w < this.words; w++) {
      const wild = s[w]! & (this.star[w]! | this.percent[w]!);
      const shifted = ((wild << 1) | carry) >>> 0;
      carry = wild >>> 31;
      s[w] = (s[w]! | shifted) >>> 0;
    }
  }

  matches(name: string): boolean {
    let cur = this.cur;
    let next = this.next;
    cur.set(this.start);
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      const lit = this.literal.get(c);
      const delim = c === this.delimiter;
      let carry = 0;
      let any = 0;
      for (let w = 0; w < this.words; w++) {
        const s = cur[w]!;
        // A literal token that matches c moves on (shift by one state); a wildcard stays.
        const moved = lit ? s & lit[w]! : 0;
        const shifted = ((moved << 1) | carry) >>> 0;
        carry = moved >>> 31;
        const stay = s & (this.star[w]! | (delim ? 0 : this.percent[w]!));
        const v = (shifted | stay) >>> 0;
        next[w] = v;
        any |= v;
      }
      if (any === 0) return false;
      this.closeOver(next);
      const t = cur;
      cur = next;
      next = t;
    }
    return ((cur[this.accept >>> 5]! >>> (this.accept & 31)) & 1) === 1;
  }
}

const STAR = -1;
const PERCENT = -2;

/** Code units of the pattern, INBOX folded, each run of wildcards merged into one token: a run
 *  holding a "*" matches anything ("*"), a run of "%" anything without the delimiter ("%"). */
function tokenize(pattern: string): number[] {
  let p = pattern;
  if (/^inbox(?=$|\/)/i.test(p)) p = "INBOX" + p.slice(5);
  const out: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    const t = c === 0x2a ? STAR : c === 0x25 ? PERCENT : c;
    const last = out.length > 0 ? out[out.length - 1]! : 0;
    if (t < 0 && last < 0) out[out.length - 1] = t === STAR || last === STAR ? STAR : PERCENT;
    else out.push(t);
  }
  return out;
}
