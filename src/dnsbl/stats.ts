// What each DNS list answered since the process started, for the admin page's "DNSBL status":
// an admin sees a list that only ever errors (refused through a public resolver, or gone) or
// never lists anything. Per app (kept with the app's dnsbl services), never global.
import type { ListAnswer } from "./lookup.js";

export interface ZoneStatus {
  /** The zone spec as configured ("bl.example=127.0.0.2*3"). */
  spec: string;
  zone: string;
  /** "ip" (client address), "domain" (HELO, MAIL FROM), "uri" (links in the body). */
  kind: "ip" | "domain" | "uri";
  /** Weight, or "reject". */
  weight: number | "reject";
  queries: number;
  listed: number;
  errors: number;
  lastError: { at: Date; detail: string } | null;
}

export class ListStats {
  private readonly zones = new Map<string, ZoneStatus>();

  /** Declares a configured zone, so it shows before its first query. */
  declare(kind: ZoneStatus["kind"], spec: { text: string; zone: string; weight: number | "reject" }): void {
    const key = `${kind} ${spec.text}`;
    if (!this.zones.has(key))
      this.zones.set(key, {
        spec: spec.text,
        zone: spec.zone,
        kind,
        weight: spec.weight,
        queries: 0,
        listed: 0,
        errors: 0,
        lastError: null,
      });
  }

  /** Counts one answer; returns it, so a caller can chain `.then(stats.counter(kind))`. */
  record(kind: ZoneStatus["kind"], answer: ListAnswer): ListAnswer {
    const z = this.zones.get(`${kind} ${answer.spec.text}`);
    if (!z) return answer;
    z.queries++;
    if (answer.kind === "listed") z.listed++;
    if (answer.kind === "error") {
      z.errors++;
      z.lastError = { at: new Date(), detail: answer.detail.slice(0, 200) };
    }
    return answer;
  }

  list(): ZoneStatus[] {
    return [...this.zones.values()].map((z) => ({ ...z }));
  }
}
