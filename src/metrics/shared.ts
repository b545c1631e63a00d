// /metrics for the whole server when it runs as several processes (`serve --workers N`): each
// process counts its own connections, deliveries and commits, so a scrape that reached one worker
// would show a Nth of the server. The worker the scrape reached asks every worker (itself among
// them) for its metrics as prom-client's JSON (`getMetricsAsJSON`, through the supervisor:
// src/workers/ipc-metrics.ts) and merges them with prom-client's AggregatorRegistry: counters and
// histograms are summed, and each gauge by the `aggregator` it was made with (prometheus.ts: the
// queue, read from the one store, is the same in every worker; the event-loop lag is the worst).
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from "prom-client";

/** One process's metrics, as `Registry.getMetricsAsJSON()` gives them. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** How the processes of one server see each other's metrics. */
export interface MetricsSharing {
  /** What this process answers when another gathers (its own metrics). */
  provide(own: () => Promise<MetricsJson>): void;
  /** Every process's metrics, this one's among them. Fails (StoreUnavailableError) when a
   *  process does not answer: a scrape that fails is better than counters that seem to drop. */
  gather(): Promise<MetricsJson[]>;
}

/** The exposition text of several processes' metrics merged into one server's. */
export async function aggregatedText(all: MetricsJson[]): Promise<string> {
  return AggregatorRegistry.aggregate(all).metrics();
}
