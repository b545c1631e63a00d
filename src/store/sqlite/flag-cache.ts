// UID, MODSEQ and flags of recently read mailboxes, in memory: what IMAP reads on every SELECT,
// every `FETCH 1:* (FLAGS)` a client syncs with and every change it is told of. Reading them from
// SQLite costs about 0.7 µs a message, most of a SELECT of a small mailbox and far more of a large
// one; like Dovecot's index, the copy here answers instead and is brought up to date from the
// database, never trusted blindly: each read first looks at the mailbox's HIGHESTMODSEQ (one row).
// Every change to a mailbox's messages raises it and gives the changed message, or the expunged
// UID (table expunged, kept for QRESYNC), a mod-sequence above the old value, so the rows changed
// and the UIDs expunged since the copy was taken are two indexed reads. This holds for writes by
// other processes on the same database too. A mailbox deleted, or a copy grown past the bound,
// is dropped; the least recently used copies go first.

/** The rows of one mailbox, sorted by UID, as parallel arrays (small and cheap to update). */
export class MailboxFlagCopy {
  uids: number[] = [];
  modseqs: number[] = [];
  bits: number[] = [];
  keywords: string[] = [];

  constructor(
    /** The mailbox's HIGHESTMODSEQ when the copy was last brought up to date. */
    public modseq: number,
  ) {}

  get size(): number {
    return this.uids.length;
  }

  /** Appends a row; rows must come in increasing UID order (a full read). */
  push(uid: number, modseq: number, bits: number, keywords: string): void {
    this.uids.push(uid);
    this.modseqs.push(modseq);
    this.bits.push(bits);
    this.keywords.push(keywords);
  }

  /** Index of the first row with UID >= uid. */
  lowerBound(uid: number): number {
    let lo = 0;
    let hi = this.uids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.uids[mid]! < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Removes the expunged UIDs (absent ones are ignored). */
  remove(gone: readonly number[]): void {
    if (gone.length === 0) return;
    const drop = new Set(gone);
    let w = 0;
    for (let r = 0; r < this.uids.length; r++) {
      if (drop.has(this.uids[r]!)) continue;
      if (w !== r) {
        this.uids[w] = this.uids[r]!;
        this.modseqs[w] = this.modseqs[r]!;
        this.bits[w] = this.bits[r]!;
        this.keywords[w] = this.keywords[r]!;
      }
      w++;
    }
    this.uids.length = w;
    this.modseqs.length = w;
    this.bits.length = w;
    this.keywords.length = w;
  }

  /** Inserts or replaces a row (new mail is usually above every UID: an append). */
  upsert(uid: number, modseq: number, bits: number, keywords: string): void {
    const n = this.uids.length;
    if (n === 0 || this.uids[n - 1]! < uid) {
      this.push(uid, modseq, bits, keywords);
      return;
    }
    const i = this.lowerBound(uid);
    if (this.uids[i] === uid) {
      this.modseqs[i] = modseq;
      this.bits[i] = bits;
      this.keywords[i] = keywords;
      return;
    }
    this.uids.splice(i, 0, uid);
    this.modseqs.splice(i, 0, modseq);
    this.bits.splice(i, 0, bits);
    this.keywords.splice(i, 0, keywords);
  }
}

/** Copies of several mailboxes, least recently used first, bounded in messages held. */
export class FlagCache {
  /** Each copy with the size it was counted at (copies change size as they are updated). */
  private readonly copies = new Map<number, { copy: MailboxFlagCopy; counted: number }>();
  private held = 0;

  constructor(private readonly maxMessages: number) {}

  /** A copy, now the most recently used; undefined if there is none. */
  get(mailboxId: number): MailboxFlagCopy | undefined {
    const e = this.copies.get(mailboxId);
    if (!e) return undefined;
    this.copies.delete(mailboxId);
    this.copies.set(mailboxId, e);
    return e.copy;
  }

  /** Whether a mailbox of this many messages may be held at all. */
  fits(messages: number): boolean {
    return messages <= this.maxMessages;
  }

  /** Stores a copy (or counts it again after an update), evicting the least recently used ones
   *  to stay within the bound. */
  put(mailboxId: number, copy: MailboxFlagCopy): void {
    this.drop(mailboxId);
    if (!this.fits(copy.size)) return;
    this.copies.set(mailboxId, { copy, counted: copy.size });
    this.held += copy.size;
    for (const [id, e] of this.copies) {
      if (this.held <= this.maxMessages) break;
      this.copies.delete(id);
      this.held -= e.counted;
    }
  }

  drop(mailboxId: number): void {
    const e = this.copies.get(mailboxId);
    if (!e) return;
    this.copies.delete(mailboxId);
    this.held -= e.counted;
  }

  /** Messages held, for tests. */
  get messages(): number {
    return this.held;
  }
}
