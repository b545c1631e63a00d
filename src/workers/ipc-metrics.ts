// A worker's side of /metrics for the whole server (serve --workers N, src/metrics/shared.ts):
// it answers the supervisor's asks with its own metrics, and a scrape that reaches it gathers
// every worker's through the supervisor (metrics-gather.ts). With Redis or without, the same:
// metrics are the processes' own, never kept in Redis.
import type { MetricsJson, MetricsSharing } from "../metrics/shared.js";
import type { IpcChannel } from "./ipc-channel.js";

export class IpcMetrics implements MetricsSharing {
  constructor(private readonly channel: IpcChannel) {}

  provide(own: () => Promise<MetricsJson>): void {
    this.channel.onMetricsAsk(own);
  }

  async gather(): Promise<MetricsJson[]> {
    return (await this.channel.call("metrics.gather")) as MetricsJson[];
  }
}
