// Gathering every worker's metrics through the supervisor (metrics-gather.ts, ipc-metrics.ts), in
// one process: the hub and the workers' channels joined by in-memory ports that copy each message
// through JSON as the cluster channel does. The process-level test is src/metrics/workers.test.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Counter, Gauge, Registry } from "prom-client";
import { silentLogger } from "../log/logger.js";
import { aggregatedText, type MetricsJson } from "../metrics/shared.js";
import { Scrape } from "../metrics/test-scrape.js";
import { StoreUnavailableError } from "../store/errors.js";
import { CoordinationHub } from "./hub.js";
import { IpcChannel, type Port } from "./ipc-channel.js";
import { IpcMetrics } from "./ipc-metrics.js";
import type { ToWorker } from "./messages.js";
import type { Wire } from "./outbox.js";

function link(hub: CoordinationHub, id: number): { metrics: IpcMetrics; close(): void } {
  let toWorker: (m: Wire<ToWorker>) => void = () => {};
  let onClose: () => void = () => {};
  const copy = <T>(m: T): T => JSON.parse(JSON.stringify(m)) as T;
  const port: Port = {
    send: (m) => setImmediate(() => hub.receive(id, copy(m))),
    onMessage: (h) => {
      toWorker = h;
    },
    onClose: (h) => {
      onClose = h;
    },
  };
  hub.attach(id, (m) => setImmediate(() => toWorker(copy(m))));
  return {
    metrics: new IpcMetrics(new IpcChannel(port, 2000)),
    close() {
      hub.detach(id);
      onClose();
    },
  };
}

/** A worker's registry: `accepted` messages and a queue gauge of `queue`. */
async function registry(accepted: number, queue: number): Promise<() => Promise<MetricsJson>> {
  const r = new Registry();
  new Counter({ name: "t_accepted_total", help: "h", registers: [r] }).inc(accepted);
  new Gauge({ name: "t_queue", help: "h", registers: [r], aggregator: "max" }).set(queue);
  return () => r.getMetricsAsJSON();
}

describe("metrics across workers", () => {
  test("a scrape in any worker gathers every worker's: counters summed, a max gauge once", async () => {
    const hub = new CoordinationHub(silentLogger);
    const w = [link(hub, 1), link(hub, 2), link(hub, 3)];
    w[0]!.metrics.provide(await registry(3, 7));
    w[1]!.metrics.provide(await registry(4, 7));
    w[2]!.metrics.provide(await registry(5, 7));
    for (const one of w) {
      const all = await one.metrics.gather();
      assert.equal(all.length, 3);
      const s = new Scrape(await aggregatedText(all));
      assert.equal(s.value("t_accepted_total"), 12);
      assert.equal(s.value("t_queue"), 7);
    }
  });

  test("a worker that died is not waited for; one that does not answer fails the scrape, named", async () => {
    const hub = new CoordinationHub(silentLogger, undefined, { metricsTimeoutMs: 300 });
    const a = link(hub, 1);
    const b = link(hub, 2);
    const c = link(hub, 3);
    a.metrics.provide(await registry(1, 0));
    b.metrics.provide(await registry(2, 0));
    // Worker 3 never answers (stuck): its channel ignores asks.
    c.metrics.provide(() => new Promise(() => {}));
    await assert.rejects(a.metrics.gather(), (e: Error) => {
      assert.ok(e instanceof StoreUnavailableError);
      assert.match(e.message, /worker 3 did not send its metrics within 300 ms/);
      return true;
    });
    // Worker 3 dies while a scrape waits for it: the scrape ends with the two left.
    const pending = a.metrics.gather();
    setTimeout(() => c.close(), 50);
    const s = new Scrape(await aggregatedText(await pending));
    assert.equal(s.value("t_accepted_total"), 3);
  });
});
