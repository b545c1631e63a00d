// In-process change notifier: a delivery wakes IMAP IDLE and every session watching a mailbox.
// When several nodes share a store, src/cluster/redis-notifier.ts (Redis pub/sub) replaces it and
// also tells this node's listeners what the others changed, marked `remote`.

/** Why messages appeared in a mailbox: a delivery (SMTP, the post office, Sieve), a client's
 *  APPEND or JMAP Email/import, or a COPY/MOVE (IMAP, JMAP Email/set mailboxIds). Listeners that
 *  learn from users' actions (src/spam/training) need it: a delivery into Junk is the filter's
 *  own decision, a move into Junk is the user's. */
export type AddedCause = "deliver" | "append" | "copy" | "move";

/** Where an event was heard. */
export interface EventOrigin {
  /** Made by another node or worker and heard through the shared notifier (src/cluster,
   *  src/workers): a hint for sessions (IDLE, push) to read changesSince; jobs that must act once
   *  per change (spam training) leave it to the node that made it. */
  remote?: true;
}

export type MailEvent = EventOrigin &
  (
    | {
        kind: "added";
        accountId: number;
        mailboxId: number;
        uids: number[];
        modseq: number;
        cause: AddedCause;
        /** For "copy" and "move": the mailbox the messages came from. */
        fromMailboxId?: number;
      }
    | {
        kind: "flags";
        accountId: number;
        mailboxId: number;
        uids: number[];
        modseq: number;
        /** Keywords (lower-case) this update set on at least one of the messages, when any: an
         *  edge, so a listener acting on "$Junk being set" does not act again on a later \Seen. */
        keywordsAdded?: string[];
      }
    | {
        kind: "expunged";
        accountId: number;
        mailboxId: number;
        uids: number[];
        modseq: number;
      }
    | {
        /** Events of this mailbox may have been lost (a notifier between nodes reconnected:
         *  NOTIFY and Redis PUBLISH do not keep what was sent while a listener was away); its
         *  highest mod-sequence is now `highestModseq`. A listener that knows less reads
         *  changesSince. Only published here, marked `remote`: never sent to other nodes. (Not
         *  `modseq`: it names no change of its own, as the message events' modseq does.) */
        kind: "resync";
        accountId: number;
        mailboxId: number;
        highestModseq: number;
      }
    | {
        kind: "mailbox-created" | "mailbox-renamed" | "mailbox-deleted";
        accountId: number;
        mailboxId: number;
        name: string;
      }
  );

/** An object rather than a function: a session can be its own listener, so each of thousands of
 *  idle IMAP connections keeps no closure (and no unsubscribe closure) for it. */
export interface MailListener {
  onMailEvent(event: MailEvent): void;
}

export interface ChangeNotifier {
  publish(event: MailEvent): void;
  /** Listen to one account's events until unsubscribe() with the same listener. */
  subscribe(accountId: number, listener: MailListener): void;
  unsubscribe(accountId: number, listener: MailListener): void;
  /** Listen to every account's events (one listener, not one per account: accounts created
   *  later are heard too) until unsubscribeAll() with the same listener. */
  subscribeAll(listener: MailListener): void;
  unsubscribeAll(listener: MailListener): void;
  /** Whether a listener of this account (subscribeAll's not counted) is subscribed in this
   *  process; absent: unknown, taken as yes. */
  listens?(accountId: number): boolean;
}

export class LocalNotifier implements ChangeNotifier {
  private readonly listeners = new Map<number, Set<MailListener>>();
  private readonly everyAccount = new Set<MailListener>();

  publish(event: MailEvent): void {
    const set = this.listeners.get(event.accountId);
    if (set) notify(set, event);
    if (this.everyAccount.size > 0) notify(this.everyAccount, event);
  }

  subscribeAll(listener: MailListener): void {
    this.everyAccount.add(listener);
  }

  unsubscribeAll(listener: MailListener): void {
    this.everyAccount.delete(listener);
  }

  /** Whether a listener of this account (not counting subscribeAll's) is subscribed. */
  listens(accountId: number): boolean {
    return this.listeners.has(accountId);
  }

  /** The accounts with a listener (not counting subscribeAll's). */
  listenedAccounts(): number[] {
    return [...this.listeners.keys()];
  }

  subscribe(accountId: number, listener: MailListener): void {
    let set = this.listeners.get(accountId);
    if (!set) {
      set = new Set();
      this.listeners.set(accountId, set);
    }
    set.add(listener);
  }

  unsubscribe(accountId: number, listener: MailListener): void {
    const set = this.listeners.get(accountId);
    if (set?.delete(listener) && set.size === 0) this.listeners.delete(accountId);
  }
}

function notify(set: Set<MailListener>, event: MailEvent): void {
  for (const l of [...set]) {
    try {
      l.onMailEvent(event);
    } catch {
      // A broken listener must not stop delivery to the others.
    }
  }
}
