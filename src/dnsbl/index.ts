// DNS block/allow lists and postscreen-style checks for mail from the Internet (port 25).
//
// A ConnectionScreen (screen.ts) is made when a port-25 client connects; its list lookups start
// then, in parallel, and are awaited at the first RCPT, where a refusal is a 554 5.7.1 naming the
// list (RFC 5321 §3.3 allows refusing at RCPT; after MAIL, so the log has the sender).
//
// Invariants:
//  - Port 25 only: never submission (587/465), never an authenticated client, never a client in
//    dnsbl.trustedNetworks.
//  - The greeting never waits for DNS (only for dnsbl.greetPauseMs, 0 by default).
//  - Fail open: a timeout, a SERVFAIL, an answer outside 127.0.0.0/8 or a 127.255.255.x "query
//    refused" code is logged and counts as not listed (RFC 5782 §5: errors are not listings).
//  - Refusals are replies in the dialogue, never a bounce (no backscatter).
//  - Every lookup goes through the DnsResolver of [dns], with its cache; bounded per connection
//    (one per IP list, at most 4 names per domain list).
//  - Below the refusal the score and its reasons go with the message (Letter.screen) and into one
//    X-Yubin-Screen header field; the spam filter counts each reason as a signal (src/spam).
import { createCachedDnsResolver } from "../dns/resolver.js";
import type { DnsResolver } from "../dns/types.js";
import type { Logger } from "../log/logger.js";
import type { AppContext } from "../server/context.js";
import { trustedList } from "./config.js";
import { ConnectionScreen, type ScreenSettings } from "./screen.js";
import { ListStats, type ZoneStatus } from "./stats.js";
import { parseZoneSpec, type ZoneSpec } from "./zone-spec.js";

export { dnsblSection } from "./config.js";
export { ConnectionScreen, type ScreenResult } from "./screen.js";
export { SCREEN_FIELD, screenHeader, withScreenField } from "./trace-field.js";

interface Services {
  resolver: DnsResolver;
  settings: ScreenSettings;
  trusted: ReturnType<typeof trustedList>;
  stats: ListStats;
}

const byContext = new WeakMap<AppContext, Services>();

function servicesFor(ctx: AppContext): Services {
  let s = byContext.get(ctx);
  if (!s) {
    const c = ctx.config.dnsbl;
    const specs = (list: string[]) =>
      list.map(parseZoneSpec).filter((z): z is ZoneSpec => typeof z !== "string"); // checked at load
    const stats = new ListStats();
    s = {
      resolver: createCachedDnsResolver(ctx.config.dns),
      stats,
      trusted: trustedList(c.trustedNetworks),
      settings: {
        ipZones: specs(c.ipZones),
        domainZones: specs(c.domainZones),
        rejectScore: c.rejectScore,
        timeoutMs: c.timeoutMs,
        weights: {
          pregreet: c.pregreetWeight,
          pipelining: c.pipeliningWeight,
          fcrdns: c.fcrdnsWeight,
          helo: c.heloWeight,
          bareNewline: c.bareNewlineWeight,
        },
      },
    };
    for (const z of s.settings.ipZones) stats.declare("ip", z);
    for (const z of s.settings.domainZones) stats.declare("domain", z);
    for (const z of specs(c.uriZones)) stats.declare("uri", z); // asked by uri-lists.ts
    byContext.set(ctx, s);
  }
  return s;
}

/** The screen for a new port-25 connection, or null when the client is not to be checked. */
export function screenConnection(ctx: AppContext, ip: string, log: Logger): ConnectionScreen | null {
  const s = servicesFor(ctx);
  if (s.trusted.check(ip, ip.includes(":") ? "ipv6" : "ipv4")) return null;
  return new ConnectionScreen(ip, {
    ...s.settings,
    resolver: s.resolver,
    stats: s.stats,
    log,
    hostname: ctx.config.server.hostname,
  });
}

/** Every configured list with what it answered since start (the admin page's DNSBL status). */
export function dnsblStatus(ctx: AppContext): ZoneStatus[] {
  return servicesFor(ctx).stats.list();
}

/** The same counters, for the URI lists the spam filter asks (uri-lists.ts). */
export function dnsblStats(ctx: AppContext): ListStats {
  return servicesFor(ctx).stats;
}

export type { ZoneStatus } from "./stats.js";
