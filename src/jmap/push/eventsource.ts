// Push over EventSource (RFC 8620 7.3): a text/event-stream of StateChange objects. The store's
// notifier says that something of the account changed; the current change state is read and
// the types whose state moved since the last event are sent (Email, Mailbox, Thread,
// EmailDelivery for new mail). Events are coalesced over a short delay so a burst of changes
// is one StateChange. "ping" sends an event every N seconds; "closeafter=state" ends the stream
// after the first StateChange.

import type { MailListener } from "../../store/notifier.js";
import { accountIdOf } from "../core/ids.js";
import type { JmapServices } from "../core/types.js";

export interface PushOptions {
  types: Set<string> | "all";
  closeAfterState: boolean;
  pingSec: number; // 0 = no ping
}

export interface PushSink {
  write(chunk: string): void;
  end(): void;
  onClose(fn: () => void): void;
}

const COALESCE_MS = 50;

export async function runEventSource(
  services: JmapServices,
  accountId: number,
  o: PushOptions,
  sink: PushSink,
) {
  const store = services.app.store.mail;
  let last = await store.changeState(accountId);
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let sawAdded = false;
  const send = async () => {
    timer = null;
    if (closed) return;
    const now = await store.changeState(accountId);
    const changed: Record<string, string> = {};
    if (now.email !== last.email) changed.Email = String(now.email);
    if (now.mailbox !== last.mailbox) changed.Mailbox = String(now.mailbox);
    if (now.thread !== last.thread) changed.Thread = String(now.thread);
    if (sawAdded) changed.EmailDelivery = String(now.email);
    sawAdded = false;
    last = now;
    const wanted = Object.fromEntries(
      Object.entries(changed).filter(([t]) => o.types === "all" || o.types.has(t)),
    );
    if (Object.keys(wanted).length === 0) return;
    const ev = { "@type": "StateChange", changed: { [accountIdOf(accountId)]: wanted } };
    sink.write(`event: state\ndata: ${JSON.stringify(ev)}\n\n`);
    if (o.closeAfterState) close();
  };
  const listener: MailListener = {
    onMailEvent(e) {
      if (e.kind === "added") sawAdded = true;
      timer ??= setTimeout(() => void send().catch(() => close()), COALESCE_MS);
    },
  };
  services.app.notifier.subscribe(accountId, listener);
  const ping =
    o.pingSec > 0
      ? setInterval(() => sink.write(`event: ping\ndata: {"interval":${o.pingSec}}\n\n`), o.pingSec * 1000)
      : null;
  const close = () => {
    if (closed) return;
    closed = true;
    services.app.notifier.unsubscribe(accountId, listener);
    if (timer) clearTimeout(timer);
    if (ping) clearInterval(ping);
    sink.end();
  };
  sink.onClose(close);
  // A comment line at once, so proxies and clients see the stream open.
  sink.write(": yubin jmap push\n\n");
  return close;
}
