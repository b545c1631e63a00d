// The part every change notifier between nodes or workers shares (src/cluster/redis-notifier.ts,
// src/store/postgres/notifier.ts, src/workers/ipc-notifier.ts): listeners live in a
// LocalNotifier here; an event published here is heard here at once and handed to send() for
// the others; an event from another node or worker is heard here marked `remote`, so sessions
// act on it and jobs that must run once per change (spam training) leave it to its maker.
import { type ChangeNotifier, LocalNotifier, type MailEvent, type MailListener } from "./notifier.js";

export abstract class RelayingNotifier implements ChangeNotifier {
  private readonly local = new LocalNotifier();
  /** Events heard from other nodes or workers and published here (tests, metrics). */
  received = 0;

  /** Passes a local event to the other nodes or workers; never throws and never waits. */
  protected abstract send(event: MailEvent): void;

  publish(event: MailEvent): void {
    this.local.publish(event);
    if (!event.remote) this.send(event);
  }

  /** Publishes to the listeners here an event made elsewhere. */
  protected relay(event: MailEvent): void {
    this.received++;
    this.local.publish({ ...event, remote: true });
  }

  /** Whether a listener of this account is subscribed here (subscribeAll's not counted). */
  listens(accountId: number): boolean {
    return this.local.listens(accountId);
  }

  /** The accounts with a listener here (subscribeAll's not counted). */
  protected listenedAccounts(): number[] {
    return this.local.listenedAccounts();
  }

  /** After this notifier came back from losing its link to the other nodes (what they sent
   *  meanwhile is lost: neither NOTIFY nor Redis pub/sub keeps it): tells the listeners here of
   *  each of their mailboxes' highest mod-sequence, so an idle session reads what it missed now
   *  rather than at the next change. Published here only, marked `remote`. */
  protected resync(boxes: Iterable<{ accountId: number; mailboxId: number; highestModseq: number }>): void {
    for (const b of boxes)
      this.local.publish({
        kind: "resync",
        accountId: b.accountId,
        mailboxId: b.mailboxId,
        highestModseq: b.highestModseq,
        remote: true,
      });
  }

  subscribe(accountId: number, listener: MailListener): void {
    this.local.subscribe(accountId, listener);
  }

  unsubscribe(accountId: number, listener: MailListener): void {
    this.local.unsubscribe(accountId, listener);
  }

  subscribeAll(listener: MailListener): void {
    this.local.subscribeAll(listener);
  }

  unsubscribeAll(listener: MailListener): void {
    this.local.unsubscribeAll(listener);
  }
}
