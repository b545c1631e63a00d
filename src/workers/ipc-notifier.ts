// The change notifier of a worker (serve --workers N without Redis): this worker's events go to
// its own listeners at once and to the supervisor, which relays them to the other workers that
// listen to that account, where they reach every listener marked `remote` (as
// src/cluster/redis-notifier.ts does between nodes): sessions (IDLE, POP3, JMAP push) read
// changesSince; jobs that must act once per change (spam training) leave it to the worker that
// made it.
// The supervisor learns which accounts this worker listens to from "listen" messages: on the
// first listener of an account, off once it has had none for LINGER_MS (a POP3 client that
// reconnects every minute, or an IMAP client's next connection, does not cost two messages a
// session). So a subscribeAll listener hears other workers' events only of the accounts this
// worker listens to: none needs more (the spam trainer ignores remote events, the foreign-write
// poll finds the rest in the database).
// The other way round, the supervisor tells this worker which accounts the other workers listen
// to ("wanted", hub.ts), and only their events are sent: under IMAP's mixed load with two workers
// each write's event crossed to the supervisor (a JSON encode here, a pipe write, a wake-up and a
// parse there) to be dropped, as no other worker had a session of that account. Until the first
// answer comes (at start) every event is sent, as before.
// A hint, never the source of truth: a relay lost (or not yet asked for: a listener that came
// while the event was on its way, or while the news of it was on its way here) is found by the
// store's foreign-write poll, and sessions read changesSince at their next command anyway.
import type { MailEvent, MailListener } from "../store/notifier.js";
import { RelayingNotifier } from "../store/notifier-relay.js";
import type { IpcChannel } from "./ipc-channel.js";

/** How long an account with no listener left stays listened to. */
export const LINGER_MS = 30_000;

export class IpcNotifier extends RelayingNotifier {
  /** Accounts listened to at the supervisor with no listener here now, since when (ms). */
  private readonly idleSince = new Map<number, number>();
  private sweeper: NodeJS.Timeout | null = null;
  /** Accounts another worker listens to; null until the supervisor first said (send them all). */
  private wanted: Set<number> | null = null;
  /** Events not sent since no other worker listens to their account (tests). */
  unsent = 0;

  constructor(
    private readonly channel: IpcChannel,
    private readonly lingerMs = LINGER_MS,
  ) {
    super();
    channel.onEvent((e) => this.relay(e));
    channel.onWanted((accountIds, on) => {
      // The first answer is the whole set; later ones are changes to it.
      if (!this.wanted) this.wanted = new Set(accountIds);
      else if (on) for (const a of accountIds) this.wanted.add(a);
      else for (const a of accountIds) this.wanted.delete(a);
    });
    channel.send({ yubin: "wanted.ask" });
  }

  protected send(event: MailEvent): void {
    if (this.wanted && !this.wanted.has(event.accountId)) {
      this.unsent++;
      return;
    }
    this.channel.send({ yubin: "event", event });
  }

  override subscribe(accountId: number, listener: MailListener): void {
    const was = this.listens(accountId) || this.idleSince.delete(accountId);
    super.subscribe(accountId, listener);
    if (!was) this.channel.send({ yubin: "listen", accountId, on: true });
  }

  override unsubscribe(accountId: number, listener: MailListener): void {
    const was = this.listens(accountId);
    super.unsubscribe(accountId, listener);
    if (!was || this.listens(accountId)) return;
    this.idleSince.set(accountId, Date.now());
    this.sweeper ??= setInterval(() => this.sweep(), Math.max(1, this.lingerMs / 2));
    this.sweeper.unref();
  }

  /** Tells the supervisor of the accounts idle for LINGER_MS; stops when none is left. */
  private sweep(): void {
    const cutoff = Date.now() - this.lingerMs;
    for (const [accountId, since] of this.idleSince) {
      if (since > cutoff) continue;
      this.idleSince.delete(accountId);
      this.channel.send({ yubin: "listen", accountId, on: false });
    }
    if (this.idleSince.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }
}
