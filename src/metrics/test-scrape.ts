// Tests' view of a /metrics scrape: parsed by a real Prometheus text-format parser
// (parse-prometheus-text-format, a port of the Python client's), never by our own regexes.
import { createRequire } from "node:module";

interface Sample {
  labels?: Record<string, string>;
  value?: string;
  count?: string;
  sum?: string;
  buckets?: Record<string, string>;
}
export interface Family {
  name: string;
  help: string;
  type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  metrics: Sample[];
}

const parse = createRequire(import.meta.url)("parse-prometheus-text-format") as (text: string) => Family[];

export class Scrape {
  readonly families: Map<string, Family>;
  constructor(text: string) {
    this.families = new Map(parse(text).map((f) => [f.name, f]));
  }

  /** The value of the sample of `name` whose labels include `labels` (0 when there is none). */
  value(name: string, labels: Record<string, string> = {}): number {
    const f = this.families.get(name);
    if (!f) throw new Error(`no metric ${name} in the scrape`);
    const s = f.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    if (!s) return 0;
    return Number(s.value ?? s.count);
  }
}
