// The change notifier of a worker (serve --workers N without Redis): this worker's events go to
// its own listeners at once and to the supervisor, which relays them to the other workers, where
// they reach every listener marked `remote` (as src/cluster/redis-notifier.ts does between
// nodes): sessions (IDLE, POP3, JMAP push) read changesSince; jobs that must act once per change
// (spam training) leave it to the worker that made it.
// A hint, never the source of truth: a lost relay is found by the store's foreign-write poll,
// and sessions read changesSince at their next command anyway.
import { type ChangeNotifier, LocalNotifier, type MailEvent, type MailListener } from "../store/notifier.js";
import type { IpcChannel } from "./ipc-channel.js";

export class IpcNotifier implements ChangeNotifier {
  private readonly local = new LocalNotifier();

  constructor(private readonly channel: IpcChannel) {
    channel.onEvent((e) => this.local.publish({ ...e, remote: true }));
  }

  publish(event: MailEvent): void {
    this.local.publish(event);
    if (!event.remote) this.channel.send({ yubin: "event", event });
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
