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

export type MailListener = (event: MailEvent) => void;

export interface ChangeNotifier {
  publish(event: MailEvent): void;
  /** Listen to one account's events; returns the unsubscribe function. */
  subscribe(accountId: number, listener: MailListener): () => void;
}

export class LocalNotifier implements ChangeNotifier {
  private readonly listeners = new Map<number, Set<MailListener>>();

  publish(event: MailEvent): void {
    const set = this.listeners.get(event.accountId);
    if (!set) return;
    for (const l of [...set]) {
      try {
        l(event);
      } catch {
        // A broken listener must not stop delivery to the others.
      }
    }
  }

  subscribe(accountId: number, listener: MailListener): () => void {
    let set = this.listeners.get(accountId);
    if (!set) {
      set = new Set();
      this.listeners.set(accountId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(accountId);
    };
  }
}
