// Recent EmailSubmissions (RFC 8621 7), kept in memory per account so EmailSubmission/get,
// /changes and /query can answer about them. Every submission is final at once (no delayed
// send), so a record never changes after creation; it goes when the client destroys it or when
// the account holds more than `keep` of them (the oldest goes first). Both count as destroyed
// for /changes.
//
// State strings are "<epoch>-<seq>": epoch is random per server start, so a state from before a
// restart (whose records are gone) is answered cannotCalculateChanges, never wrongly. Destroy
// events are remembered as far back as `keep` of them; an older state cannot be calculated.
import { randomBytes } from "node:crypto";
import type { JsonObject } from "../core/types.js";

export interface SubmissionRecord {
  id: string;
  /** The EmailSubmission object (RFC 8621 7) without its id. */
  object: JsonObject;
  seq: number;
}

interface AccountLog {
  seq: number;
  records: SubmissionRecord[]; // oldest first
  destroyed: { id: string; seq: number; createdSeq: number }[]; // oldest first
  /** States below this lost destroy events: /changes from them cannot be answered. */
  floor: number;
}

export interface SubmissionChanges {
  created: string[];
  destroyed: string[];
  newState: string;
  hasMore: boolean;
}

export class SubmissionLog {
  private readonly accounts = new Map<number, AccountLog>();
  private readonly epoch = randomBytes(6).toString("base64url");

  constructor(private readonly keep: number) {}

  private of(accountId: number): AccountLog {
    let a = this.accounts.get(accountId);
    if (!a) {
      a = { seq: 0, records: [], destroyed: [], floor: 0 };
      this.accounts.set(accountId, a);
    }
    return a;
  }

  private stateOf(seq: number): string {
    return `${this.epoch}-${seq}`;
  }

  state(accountId: number): string {
    return this.stateOf(this.of(accountId).seq);
  }

  /** The seq of one of our state strings, or null (another server run, or not ours). */
  parseState(accountId: number, state: unknown): number | null {
    if (typeof state !== "string" || !state.startsWith(`${this.epoch}-`)) return null;
    const digits = state.slice(this.epoch.length + 1);
    if (!/^(0|[1-9][0-9]{0,15})$/.test(digits)) return null;
    const n = Number(digits);
    return n <= this.of(accountId).seq ? n : null;
  }

  add(accountId: number, object: JsonObject): SubmissionRecord {
    const a = this.of(accountId);
    const id = `S${randomBytes(9).toString("base64url")}`;
    const rec = { id, object, seq: ++a.seq };
    a.records.push(rec);
    while (a.records.length > this.keep) this.forget(a, a.records[0]!.id);
    return rec;
  }

  list(accountId: number): readonly SubmissionRecord[] {
    return this.of(accountId).records;
  }

  get(accountId: number, id: string): SubmissionRecord | null {
    return this.of(accountId).records.find((r) => r.id === id) ?? null;
  }

  destroy(accountId: number, id: string): boolean {
    return this.forget(this.of(accountId), id);
  }

  private forget(a: AccountLog, id: string): boolean {
    const i = a.records.findIndex((r) => r.id === id);
    if (i < 0) return false;
    const [rec] = a.records.splice(i, 1);
    a.destroyed.push({ id, seq: ++a.seq, createdSeq: rec!.seq });
    while (a.destroyed.length > Math.max(this.keep, 1)) a.floor = a.destroyed.shift()!.seq;
    return true;
  }

  /** RFC 8620 5.2 changes after `since` (a seq from parseState), at most `max`, oldest first;
   *  null when destroy events since then are no longer known. A record created and destroyed
   *  after `since` is in neither list. */
  changesSince(accountId: number, since: number, max: number): SubmissionChanges | null {
    const a = this.of(accountId);
    if (since < a.floor) return null;
    const events = [
      ...a.records.filter((r) => r.seq > since).map((r) => ({ id: r.id, seq: r.seq, created: true })),
      ...a.destroyed
        .filter((d) => d.seq > since && d.createdSeq <= since)
        .map((d) => ({ id: d.id, seq: d.seq, created: false })),
    ].sort((x, y) => x.seq - y.seq);
    const hasMore = events.length > max;
    const taken = hasMore ? events.slice(0, max) : events;
    return {
      created: taken.filter((e) => e.created).map((e) => e.id),
      destroyed: taken.filter((e) => !e.created).map((e) => e.id),
      newState: this.stateOf(hasMore ? taken[taken.length - 1]!.seq : a.seq),
      hasMore,
    };
  }
}
