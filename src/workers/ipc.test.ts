// The workers' coordination through the supervisor, in one process: the hub (hub.ts) and the
// workers' IPC services joined by in-memory ports that copy each message through JSON as the
// cluster channel does. The same contracts as the in-process and Redis implementations run
// against them; the process-level behaviour is in workers.test.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { silentLogger } from "../log/logger.js";
import { MemoryCounters } from "../store/counters.js";
import { runCounterContract } from "../store/counters-contract.js";
import { StoreUnavailableError } from "../store/errors.js";
import { runLockContract } from "../store/locks-contract.js";
import type { MailEvent, MailListener } from "../store/notifier.js";
import { CoordinationHub } from "./hub.js";
import { IpcChannel, type Port } from "./ipc-channel.js";
import { IpcCounters } from "./ipc-counters.js";
import { IpcLocks } from "./ipc-locks.js";
import { IpcNotifier } from "./ipc-notifier.js";
import type { ToSupervisor, ToWorker } from "./messages.js";
import { unbatch, type Wire } from "./outbox.js";

/** Worker `id`'s channel to `hub`; `close()` stands for the channel going away; `sent` holds
 *  every message the worker sent, batches unpacked. */
function link(
  hub: CoordinationHub,
  id: number,
  timeoutMs = 2000,
): { channel: IpcChannel; close(): void; sent: ToSupervisor[]; received: ToWorker[] } {
  let toWorker: (m: Wire<ToWorker>) => void = () => {};
  let onClose: () => void = () => {};
  const copy = <T>(m: T): T => JSON.parse(JSON.stringify(m)) as T;
  const sent: ToSupervisor[] = [];
  const received: ToWorker[] = [];
  const port: Port = {
    send: (m) => {
      sent.push(...unbatch(m));
      setImmediate(() => hub.receive(id, copy(m)));
    },
    onMessage: (h) => {
      toWorker = h;
    },
    onClose: (h) => {
      onClose = h;
    },
  };
  hub.attach(id, (m) =>
    setImmediate(() => {
      received.push(...unbatch(m));
      toWorker(copy(m));
    }),
  );
  return {
    channel: new IpcChannel(port, timeoutMs),
    sent,
    received,
    close() {
      hub.detach(id);
      onClose();
    },
  };
}

/** Until every message in flight between the workers and the hub has arrived and been acted on.
 *  The in-memory ports deliver each message in a setImmediate (and the outboxes flush in a
 *  nextTick), so a few turns of the event loop carry any chain of them (worker, hub, other
 *  worker) to its end. Not a timer: a fixed pause of 15-20 ms was shorter than the process's
 *  wait for a core on a loaded machine, and the test asserted before the relay arrived (a
 *  loaded run heard modseqs [3, 4] where [2, 3, 4] were sent). */
async function drain(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

runCounterContract("IpcCounters (held by the supervisor)", (now) => {
  const hub = new CoordinationHub(silentLogger, new MemoryCounters(now));
  return new IpcCounters(link(hub, 1).channel);
});

runLockContract("IpcLocks (held by the supervisor)", async () => {
  const hub = new CoordinationHub(silentLogger);
  const a = new IpcLocks(link(hub, 1).channel);
  const b = new IpcLocks(link(hub, 2).channel);
  return { a, b, close: async () => {} };
});

describe("workers' coordination", () => {
  test("a dead worker's locks are free at once; its late release does not free another's", async () => {
    const hub = new CoordinationHub(silentLogger);
    const one = link(hub, 1);
    const two = link(hub, 2);
    const a = new IpcLocks(one.channel);
    const b = new IpcLocks(two.channel);
    const held = await a.acquire("pop3:maildrop:7");
    assert.ok(held);
    assert.equal(await b.acquire("pop3:maildrop:7"), null);
    one.close(); // worker 1 died
    assert.deepEqual(hub.heldLocks(), []);
    const taken = await b.acquire("pop3:maildrop:7");
    assert.ok(taken, "free once its holder is gone");
    await held.release(); // the dead worker's handle: no effect, no throw
    assert.deepEqual(hub.heldLocks(), ["pop3:maildrop:7"]);
    await taken.release();
    assert.deepEqual(hub.heldLocks(), []);
  });

  test("events go to the other workers listening to their account, marked remote, never back", async () => {
    const hub = new CoordinationHub(silentLogger);
    const n1 = new IpcNotifier(link(hub, 1).channel);
    const n2 = new IpcNotifier(link(hub, 2).channel);
    const n3 = new IpcNotifier(link(hub, 3).channel);
    const heard = (n: IpcNotifier, all = false) => {
      const got: MailEvent[] = [];
      const l: MailListener = { onMailEvent: (e) => got.push(e) };
      if (all) n.subscribeAll(l);
      else n.subscribe(5, l);
      return got;
    };
    const own = heard(n1);
    const second = heard(n2);
    const secondAll = heard(n2, true);
    const third = heard(n3, true);
    await drain(); // the "listen" messages reach the supervisor
    const event: MailEvent = {
      kind: "added",
      accountId: 5,
      mailboxId: 9,
      uids: [1],
      modseq: 3,
      cause: "deliver",
    };
    n1.publish(event);
    assert.deepEqual(own, [event], "its own listeners hear it at once, not marked");
    await drain();
    assert.deepEqual(second, [{ ...event, remote: true }]);
    assert.deepEqual(secondAll, [{ ...event, remote: true }], "every kind of listener where it goes");
    assert.deepEqual(third, [], "not relayed to a worker with no listener of the account");
    assert.equal(own.length, 1, "no echo");
    // A remote event published again (as a store might) is not relayed a second time.
    n2.publish({ ...event, remote: true });
    await drain();
    assert.equal(own.length, 1);
    // Another account's event goes nowhere but its maker's own listeners.
    const before = secondAll.length;
    n1.publish({ ...event, accountId: 6 });
    await drain();
    assert.equal(secondAll.length, before);
    assert.deepEqual(third, []);
  });

  test("a worker sends the supervisor only the events of accounts another worker listens to", async () => {
    const hub = new CoordinationHub(silentLogger);
    const l1 = link(hub, 1);
    const n1 = new IpcNotifier(l1.channel);
    const l2 = link(hub, 2);
    const n2 = new IpcNotifier(l2.channel, 50);
    const got: MailEvent[] = [];
    n2.subscribeAll({ onMailEvent: (e) => got.push(e) });
    const own: MailEvent[] = [];
    n1.subscribe(8, { onMailEvent: (e) => own.push(e) });
    const settle = drain;
    const eventsSent = () => l1.sent.filter((m) => m.yubin === "event").length;
    /** Until worker 1 has heard `n` answers about the wanted accounts (a loaded machine may take
     *  longer than a fixed pause). */
    const wantedHeard = async (n: number) => {
      for (let i = 0; i < 500 && l1.received.filter((m) => m.yubin === "wanted").length < n; i++)
        await new Promise((r) => setTimeout(r, 2));
      assert.equal(l1.received.filter((m) => m.yubin === "wanted").length, n);
    };
    const publish = async (accountId: number, modseq: number) => {
      n1.publish({ kind: "flags", accountId, mailboxId: 1, uids: [1], modseq });
      await settle();
    };
    await wantedHeard(1); // the answer to "wanted.ask": no account yet
    await publish(8, 1); // a session of this worker's own: nobody else listens
    await publish(9, 2);
    assert.equal(own.length, 1, "its own listeners hear it");
    assert.equal(eventsSent(), 0, "nothing crosses to the supervisor");
    assert.equal(n1.unsent, 2);
    const l: MailListener = { onMailEvent: () => {} };
    n2.subscribe(9, l);
    await wantedHeard(2);
    await publish(9, 3);
    await publish(8, 4);
    assert.equal(eventsSent(), 1, "only the account worker 2 listens to");
    assert.deepEqual(
      got.map((e) => ("modseq" in e ? e.modseq : 0)),
      [3],
    );
    n2.unsubscribe(9, l);
    await wantedHeard(3); // past worker 2's linger (50 ms): "listen" off, so not wanted
    await publish(9, 5);
    assert.equal(eventsSent(), 1, "not once worker 2 stopped listening");
    // A worker that starts while another listens is told at once; a dead one's accounts are
    // wanted by nobody.
    n2.subscribe(9, l);
    await wantedHeard(4);
    const l3 = link(hub, 3);
    const n3 = new IpcNotifier(l3.channel);
    for (let i = 0; i < 500 && !l3.received.some((m) => m.yubin === "wanted"); i++)
      await new Promise((r) => setTimeout(r, 2));
    const first = l3.received.find((m) => m.yubin === "wanted");
    assert.ok(first?.yubin === "wanted" && first.on, "the answer to its ask");
    assert.deepEqual(
      [...first.accountIds].sort((a, b) => a - b),
      [8, 9],
      "what the others listen to",
    );
    n3.publish({ kind: "flags", accountId: 9, mailboxId: 1, uids: [1], modseq: 6 });
    await settle();
    assert.equal(l3.sent.filter((m) => m.yubin === "event").length, 1);
    await publish(9, 7);
    assert.equal(eventsSent(), 2);
    l2.close();
    await wantedHeard(5);
    await publish(9, 8);
    assert.equal(eventsSent(), 2, "worker 2 is gone: its account is wanted no more");
  });

  test("a worker hears an account's events from its first listener until it has had none for the linger", async () => {
    const hub = new CoordinationHub(silentLogger);
    const n1 = new IpcNotifier(link(hub, 1).channel);
    const n2 = new IpcNotifier(link(hub, 2).channel, 50);
    // What reaches worker 2 (a subscribeAll listener hears every event relayed there).
    const got: MailEvent[] = [];
    n2.subscribeAll({ onMailEvent: (e) => got.push(e) });
    const a: MailListener = { onMailEvent: () => {} };
    const b: MailListener = { onMailEvent: () => {} };
    const publish = async (modseq: number) => {
      n1.publish({ kind: "flags", accountId: 7, mailboxId: 1, uids: [1], modseq });
      await drain();
    };
    const modseqs = () => got.map((e) => ("modseq" in e ? e.modseq : 0));
    await publish(1);
    n2.subscribe(7, a);
    n2.subscribe(7, b);
    await drain();
    await publish(2);
    n2.unsubscribe(7, b);
    await publish(3);
    n2.unsubscribe(7, a);
    n2.subscribe(7, a); // back within the linger: still listened to
    await publish(4);
    assert.deepEqual(modseqs(), [2, 3, 4]);
    n2.unsubscribe(7, a);
    await new Promise((r) => setTimeout(r, 200)); // past the linger (50 ms, swept every 25 ms)
    n2.subscribe(7, b); // the "on" message follows the "off": heard again, in order
    await drain();
    n2.unsubscribe(7, b);
    n2.subscribe(7, a);
    await publish(5);
    assert.deepEqual(modseqs(), [2, 3, 4, 5]);
    n2.unsubscribe(7, a);
    await new Promise((r) => setTimeout(r, 200));
    await publish(6);
    assert.deepEqual(modseqs(), [2, 3, 4, 5], "not heard once no listener was left for the linger");
  });

  test("what one turn of the event loop sends travels as one message, each way, in order", async () => {
    const hub = new CoordinationHub(silentLogger);
    const up: Wire<ToSupervisor>[] = [];
    const down: Wire<ToWorker>[] = [];
    let toWorker: (m: Wire<ToWorker>) => void = () => {};
    const copy = <T>(m: T): T => JSON.parse(JSON.stringify(m)) as T;
    const port: Port = {
      send: (m) => {
        up.push(m);
        setImmediate(() => hub.receive(1, copy(m)));
      },
      onMessage: (h) => {
        toWorker = h;
      },
      onClose: () => {},
    };
    hub.attach(1, (m) => {
      down.push(m);
      setImmediate(() => toWorker(copy(m)));
    });
    const counters = new IpcCounters(new IpcChannel(port, 2000));
    await counters.incr("a", 60_000);
    up.length = 0;
    down.length = 0;
    // As the login throttle reads its counters: several calls in one step.
    const got = await Promise.all(["a", "b", "a", "c", "a", "d"].map((k) => counters.get(k)));
    assert.deepEqual(got, [1, 0, 1, 0, 1, 0]);
    assert.equal(up.length, 1, "six calls, one message to the supervisor");
    assert.equal(down.length, 1, "six answers, one message back");
    // Sequential calls are not held back: each goes at once, alone.
    assert.equal(await counters.incr("a", 60_000), 2);
    assert.equal(await counters.get("a"), 2);
    assert.equal(up.length, 3);
  });

  test("no answer in time, or the supervisor gone: a temporary failure, never a grant", async () => {
    const hub = new CoordinationHub(silentLogger);
    const silent: Port = { send: () => {}, onMessage: () => {}, onClose: () => {} };
    const mute = new IpcCounters(new IpcChannel(silent, 100));
    await assert.rejects(mute.incr("k", 1000), StoreUnavailableError);
    const l = link(hub, 1);
    const locks = new IpcLocks(l.channel);
    l.close();
    await assert.rejects(locks.acquire("pop3:maildrop:1"), StoreUnavailableError);
  });
});
