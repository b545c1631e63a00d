// The change notifier of a worker (serve --workers N without Redis): this worker's events go to
// its own listeners at once and to the supervisor, which relays them to the other workers, where
// they reach every listener marked `remote` (as src/cluster/redis-notifier.ts does between
// nodes): sessions (IDLE, POP3, JMAP push) read changesSince; jobs that must act once per change
// (spam training) leave it to the worker that made it.
// A hint, never the source of truth: a lost relay is found by the store's foreign-write poll,
// and sessions read changesSince at their next command anyway.
import type { MailEvent } from "../store/notifier.js";
import { RelayingNotifier } from "../store/notifier-relay.js";
import type { IpcChannel } from "./ipc-channel.js";

export class IpcNotifier extends RelayingNotifier {
  constructor(private readonly channel: IpcChannel) {
    super();
    channel.onEvent((e) => this.relay(e));
  }

  protected send(event: MailEvent): void {
    this.channel.send({ yubin: "event", event });
  }
}
