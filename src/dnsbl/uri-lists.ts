// URI block lists (SURBL/URIBL/Spamhaus DBL style) for the links in a message's body, as a
// signal source for the spam filter: each distinct link host reduced to its registered domain
// (registered-domain.ts), at most dnsbl.maxUriDomains per message, each asked of every
// dnsbl.uriZones list as "<domain>.<zone>" (RFC 5782 §2.2) through the app's DnsResolver.
// Answers are read as the connection-time lists read them (lookup.ts, zone-spec.ts): only a
// matching 127.0.0.0/8 code is a listing; NXDOMAIN is not listed; a timeout, a SERVFAIL or a
// 127.255.255.x "query refused" code is an error, logged and never a listing (fail open).
// Here rather than under src/spam: it is a DNS list like the others of [dnsbl], sharing their
// syntax, lookup and answer rules; the spam filter only sees a SignalSource.
// One signal per listed zone, URIBL_<zone>, with the zone's weight once however many of the
// message's domains it lists (as SpamAssassin's URIBL rules fire once), the domains in the detail.
import type { SectionValue } from "../config/dsl.js";
import type { DnsResolver } from "../dns/types.js";
import type { Logger } from "../log/logger.js";
import type { FilterInput } from "../postoffice/types.js";
import type { MessageView, Signal, SignalSource } from "../spam/types.js";
import type { dnsblSection } from "./config.js";
import { askList, type ListAnswer } from "./lookup.js";
import { registeredDomain } from "./registered-domain.js";
import type { ListStats } from "./stats.js";
import { parseZoneSpec, type ZoneSpec } from "./zone-spec.js";

export interface UriListDeps {
  resolver: DnsResolver;
  log: Logger;
  /** The app's DNS-list counters (the admin page's DNSBL status), when the caller keeps them;
   *  a function because the app's counters live with its context, made after the filters. */
  stats?: () => ListStats;
}

/** Signal.detail is one line of at most 200 characters (src/spam/types.ts). */
const maxDetail = 200;
/** RFC 1035 §2.3.4: a longer query name cannot be asked. */
const maxName = 253;

/** The URI-list source when dnsbl.uriZones names any list, else none. */
export function uriListSources(cfg: SectionValue<typeof dnsblSection>, deps: UriListDeps): SignalSource[] {
  const zones = cfg.uriZones
    .map(parseZoneSpec)
    .filter((z): z is ZoneSpec => typeof z !== "string" && z.weight !== "reject"); // checked at load
  if (zones.length === 0) return [];
  return [uriListSource({ zones, maxDomains: cfg.maxUriDomains, timeoutMs: cfg.timeoutMs }, deps)];
}

export interface UriListSettings {
  zones: readonly ZoneSpec[];
  maxDomains: number;
  /** Longest wait for all the answers of one message (dnsbl.timeoutMs). */
  timeoutMs: number;
}

export function uriListSource(settings: UriListSettings, deps: UriListDeps): SignalSource {
  return {
    name: "uribl",
    async signals(input: FilterInput, view: MessageView): Promise<Signal[]> {
      const domains = linkDomains(view, settings.maxDomains);
      if (domains.length === 0) return [];
      const deadline = Date.now() + settings.timeoutMs;
      const stats = deps.stats?.();
      if (stats) for (const z of settings.zones) stats.declare("uri", z); // idempotent
      const asks: Promise<ListAnswer>[] = [];
      for (const spec of settings.zones)
        for (const d of domains)
          if (d.length + 1 + spec.zone.length <= maxName)
            asks.push(
              askList(deps.resolver, spec, { name: `${d}.${spec.zone}`, subject: d }, deadline).then(
                (a) => stats?.record("uri", a) ?? a,
              ),
            );
      // askList never rejects and resolves by the deadline; allSettled guards a resolver bug.
      const answers = await Promise.allSettled(asks);
      const listed = new Map<ZoneSpec, string[]>();
      for (const r of answers) {
        if (r.status === "rejected") {
          deps.log.warn("uribl lookup failed", { id: input.id, error: String(r.reason) });
          continue;
        }
        const a = r.value;
        if (a.kind === "error")
          deps.log.warn("uribl lookup failed", { id: input.id, zone: a.spec.zone, error: a.detail });
        else if (a.kind === "listed") listed.set(a.spec, [...(listed.get(a.spec) ?? []), a.subject]);
      }
      const out: Signal[] = [];
      for (const spec of settings.zones) {
        const hits = listed.get(spec);
        if (!hits) continue;
        out.push({
          name: `URIBL_${spec.zone}`,
          score: spec.weight as number, // "reject" is refused for uriZones at load
          detail: clip(`link domain${hits.length > 1 ? "s" : ""} ${hits.join(", ")} listed by ${spec.zone}`),
        });
      }
      return out;
    },
  };
}

/** Distinct registered domains of the message's links, in order of appearance, at most `max`. */
export function linkDomains(view: MessageView, max: number): string[] {
  const seen = new Set<string>();
  for (const l of view.links) {
    if (seen.size >= max) break;
    const d = l.host ? registeredDomain(l.host) : null;
    if (d) seen.add(d);
  }
  return [...seen];
}

function clip(s: string): string {
  return s.length > maxDetail ? `${s.slice(0, maxDetail - 1)}…` : s;
}
