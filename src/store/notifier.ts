// In-process change notifier: a delivery wakes IMAP IDLE and every session watching a mailbox.
// A Redis pub/sub implementation of ChangeNotifier can replace it when several nodes share a store.

export type MailEvent =
  | {
      kind: "added" | "flags" | "expunged";
      accountId: number;
      mailboxId: number;
      uids: number[];
      modseq: number;
    }
  | {
      kind: "mailbox-created" | "mailbox-renamed" | "mailbox-deleted";
      accountId: number;
      mailboxId: number;
      name: string;
    };

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
}

export class LocalNotifier implements ChangeNotifier {
  private readonly listeners = new Map<number, Set<MailListener>>();

  publish(event: MailEvent): void {
    const set = this.listeners.get(event.accountId);
    if (!set) return;
    for (const l of [...set]) {
      try {
        l.onMailEvent(event);
      } catch {
        // A broken listener must not stop delivery to the others.
      }
    }
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
