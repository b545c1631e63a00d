// The greylisting decision for one recipient of an inbound SMTP transaction (RFC 6647 §2.1: a
// temporary failure at RCPT, which every conforming MTA retries, RFC 5321 §4.5.4.1). Who is
// exempt is decided here; what was seen before is the store's (GreylistStore), so several nodes
// on one database share it.
import type { BlockList } from "node:net";
import type { SectionValue } from "../config/dsl.js";
import type { Logger } from "../log/logger.js";
import type { GreylistPolicy, GreylistStore } from "../store/types.js";
import type { greylistSection } from "./config.js";
import { inNetworks, networkList, networkOf } from "./network.js";
import { tripletSender } from "./sender.js";

export type GreylistConfig = SectionValue<typeof greylistSection>;

/** The connection a recipient arrived on. */
export interface GreylistClient {
  ip: string;
  /** Port 25 (MX). Submission listeners are never greylisted, authenticated or not. */
  inbound: boolean;
  /** AUTH succeeded (or POP-before-SMTP let the IP in): a user of ours, never greylisted. */
  authenticated: boolean;
  /** The hook for the DNSBL stage: true when a DNS allowlist (DNSWL) lists the client, which
   *  then passes without delay, as RFC 6647 §4.5 suggests for known-good senders. */
  dnswlListed?: boolean;
}

export type Exemption = "submission" | "authenticated" | "exempt-network" | "dnswl";

const exemptLists = new WeakMap<readonly string[], BlockList>();

/** Why this client is not greylisted, or null when it is. */
export function exemption(cfg: GreylistConfig, client: GreylistClient): Exemption | null {
  if (!client.inbound) return "submission";
  if (client.authenticated) return "authenticated";
  if (client.dnswlListed) return "dnswl";
  let nets = exemptLists.get(cfg.exemptNetworks);
  if (!nets) {
    nets = networkList(cfg.exemptNetworks);
    exemptLists.set(cfg.exemptNetworks, nets);
  }
  return inNetworks(nets, client.ip) ? "exempt-network" : null;
}

export function policyOf(cfg: GreylistConfig): GreylistPolicy {
  return {
    delaySec: cfg.delaySec,
    retryWindowSec: cfg.retryWindowHours * 3600,
    passedTtlSec: cfg.passedTtlDays * 86400,
    autoAllowAfter: cfg.autoAllowAfter,
  };
}

/**
 * Seconds the client must wait before this recipient is accepted, or null to go on. Checks
 * nothing (and stores nothing) when greylisting is off or the client is exempt.
 */
export async function greylistWait(
  deps: { cfg: GreylistConfig; store: GreylistStore; log: Logger },
  q: { client: GreylistClient; reversePath: string; recipient: string; now?: Date },
): Promise<number | null> {
  const { cfg } = deps;
  if (!cfg.enabled || exemption(cfg, q.client) !== null) return null;
  const triplet = {
    network: networkOf(q.client.ip, cfg.ipv4PrefixLength, cfg.ipv6PrefixLength),
    sender: tripletSender(q.reversePath, cfg.normalizeSender),
    recipient: q.recipient.toLowerCase(),
  };
  const r = await deps.store.check(triplet, q.now ?? new Date(), policyOf(cfg));
  if (r.verdict === "pass") return null;
  deps.log.info("greylisted", { ...triplet, retryAfterSec: r.retryAfterSec });
  return r.retryAfterSec;
}
