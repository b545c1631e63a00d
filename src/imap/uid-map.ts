// The sequence-number view of a selected mailbox (RFC 9051 2.3.1.2): UIDs in ascending order,
// seq = index + 1. A Uint32Array keeps 100,000 messages at 400 KB; lookups are binary searches.
import { ImapError } from "./errors.js";
import { type SequenceSet, STAR } from "./wire/sequence.js";

/** An empty mailbox's view shares this (a typed array costs ~260 bytes even when empty). */
const NONE = new Uint32Array(0);

export class UidMap {
  private uids: Uint32Array;
  private n = 0;

  constructor(initial: ArrayLike<number> = []) {
    this.uids = initial.length === 0 ? NONE : Uint32Array.from(initial);
    this.n = initial.length;
  }

  get size(): number {
    return this.n;
  }

  uidAt(seq: number): number {
    return this.uids[seq - 1]!;
  }

  maxUid(): number {
    return this.n === 0 ? 0 : this.uids[this.n - 1]!;
  }

  /** 1-based sequence number of a UID, or 0 when it is not in the view. */
  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.uids[mid]!;
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Index of the first UID >= uid. */
  private lowerBound(uid: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.uids[mid]! < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds a UID larger than every UID present (new messages only ever get larger UIDs). */
  append(uid: number): void {
    if (this.n > 0 && uid <= this.uids[this.n - 1]!) return;
    if (this.n === this.uids.length) {
      const bigger = new Uint32Array(Math.max(16, this.uids.length * 2));
      bigger.set(this.uids);
      this.uids = bigger;
    }
    this.uids[this.n++] = uid;
  }

  /** How many UIDs in the view lie in from..to. */
  countRange(from: number, to: number): number {
    return from > to ? 0 : this.lowerBound(to + 1) - this.lowerBound(from);
  }

  /** Removes a UID; returns the sequence number it had, or 0. */
  remove(uid: number): number {
    const seq = this.seqOf(uid);
    if (seq === 0) return 0;
    this.uids.copyWithin(seq - 1, seq, this.n);
    this.n--;
    return seq;
  }

  /** UIDs (ascending, unique) named by a sequence set of sequence numbers; out of range is an error. */
  resolveSeq(set: SequenceSet, saved: number[] | null): number[] {
    if (set.kind === "saved") return this.savedPresent(saved);
    const marks = new Set<number>();
    for (const [a0, b0] of set.ranges) {
      // "1:*" in an empty mailbox names nothing rather than being an error, as clients expect.
      if (this.n === 0 && (a0 === STAR || b0 === STAR)) continue;
      const a = a0 === STAR ? this.n : a0;
      const b = b0 === STAR ? this.n : b0;
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      if (lo < 1 || hi > this.n) throw new ImapError("BAD", null, "Invalid message sequence number");
      for (let s = lo; s <= hi; s++) marks.add(s);
      if (marks.size > this.n) break;
    }
    return [...marks].sort((x, y) => x - y).map((s) => this.uids[s - 1]!);
  }

  /** Like resolveSeq, but numbers beyond the mailbox are ignored (SEARCH criteria). */
  resolveSeqLenient(set: SequenceSet, saved: number[] | null): number[] {
    if (set.kind === "saved") return this.savedPresent(saved);
    const ranges: [number, number][] = [];
    for (const [a0, b0] of set.ranges) {
      const a = a0 === STAR ? this.n : a0;
      const b = b0 === STAR ? this.n : b0;
      const lo = Math.min(a, b);
      if (lo <= this.n && lo >= 1) ranges.push([lo, Math.min(Math.max(a, b), this.n)]);
    }
    return ranges.length ? this.resolveSeq({ kind: "ranges", ranges }, saved) : [];
  }

  /** UIDs present in the view named by a UID set (RFC 9051 6.4.9: nonexistent UIDs are ignored). */
  resolveUid(set: SequenceSet, saved: number[] | null): number[] {
    if (set.kind === "saved") return this.savedPresent(saved);
    const out = new Set<number>();
    const max = this.maxUid();
    for (const [a0, b0] of set.ranges) {
      const a = a0 === STAR ? max : a0;
      const b = b0 === STAR ? max : b0;
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      for (let i = this.lowerBound(lo); i < this.n && this.uids[i]! <= hi; i++) out.add(this.uids[i]!);
    }
    return [...out].sort((x, y) => x - y);
  }

  private savedPresent(saved: number[] | null): number[] {
    if (!saved) return [];
    return saved.filter((u) => this.seqOf(u) !== 0);
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < this.n; i++) yield this.uids[i]!;
  }
}
