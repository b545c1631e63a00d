// One attempt to deliver one message to the recipients at one destination domain: find the
// route (MX hosts, or the relay host), decide the TLS rule (opportunistic, or verified for
// requireTls domains and MTA-STS "enforce", or per host by its TLSA records under DANE), then try
// each host and address in order until one takes the transaction. All recipients of the domain
// go in one transaction (RFC 5321 3.3).
// A 5xx ends the attempt for the recipients it concerns; a 4xx or a network/TLS error moves on
// to the next host, and the recipients stay pending if none took them.
import { isIP } from "node:net";
import type { DaneHostPolicy, DaneLookup } from "../dane/lookup.js";
import type { DnsResolver } from "../dns/types.js";
import type { Logger } from "../log/logger.js";
import { type ClientTls, type Envelope, type OutboundRecipient, SmtpFailure } from "./client.js";
import type { OutboundConfig } from "./config.js";
import { statusFromReply } from "./dsn.js";
import { LeaseLostError } from "./lease.js";
import { type MtaStsCache, mxAllowed } from "./mta-sts.js";
import { type RouteHost, resolveRoute } from "./mx.js";
import type { ConnectionPool } from "./pool.js";
import type { TlsOutcome, TlsPolicyApplied } from "./tls-outcome.js";

export type Outcome =
  | { kind: "delivered"; reply: string; host: string; dsnPassedOn: boolean }
  /** Retry later. */
  | { kind: "temp"; status: string; reply: string; host: string | null; smtp: boolean }
  /** Give up: bounce. */
  | { kind: "perm"; status: string; reply: string; host: string | null; smtp: boolean };

export interface DeliverDeps {
  cfg: OutboundConfig;
  heloName: string;
  resolver: DnsResolver;
  pool: ConnectionPool;
  mtaSts: MtaStsCache | null;
  ca: string[] | undefined;
  log: Logger;
  /** One call per connection attempt with what it learned about TLS (TLS-RPT, tls-outcome.ts). */
  tlsOutcome?: (o: TlsOutcome) => void;
  /** DNSSEC/TLSA lookups when outbound DANE is on ([dane], RFC 7672); null = off. */
  dane?: DaneLookup | null;
}

export interface DomainJob {
  queueId: number;
  /** The post office's id for the message, in every line about it (issue 21's correlation id). */
  cid?: string;
  domain: string;
  from: string;
  recipients: OutboundRecipient[];
  envId: string | null;
  ret: "FULL" | "HDRS" | null;
  body: Buffer;
  /** Asked before the end of DATA: whether the entry's lease is still ours (lease.ts). */
  beforeEnd?: () => Promise<boolean>;
}

interface Plan {
  hosts: RouteHost[];
  tls: ClientTls;
  port: number;
  auth?: { user: string; pass: string };
  /** The TLS policy of the destination for TLS-RPT (RFC 8460 4.4); null through a relay host,
   *  which is not the recipient domain's MX. */
  policy: TlsPolicyApplied | null;
  /** An MTA-STS policy announced but not to be had (RFC 8460 4.3.2): every session counts as it. */
  policyProblem?: TlsOutcome["result"];
  /** DANE's verdict per MX host name (RFC 7672 2.2), when the MX RRset is secure. */
  dane?: Map<string, DaneHostPolicy>;
}

export async function deliverToDomain(deps: DeliverDeps, job: DomainJob): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  const all = (o: Outcome) => {
    for (const r of job.recipients) out.set(r.address, o);
    return out;
  };
  const plan = await planRoute(deps, job.domain);
  if ("fail" in plan) {
    deps.log.info("delivery attempt", {
      queueId: job.queueId,
      cid: job.cid,
      domain: job.domain,
      host: null,
      reply: plan.reason,
    });
    return all({
      kind: plan.permanent ? "perm" : "temp",
      status: plan.status,
      reply: plan.reason,
      host: null,
      smtp: false,
    });
  }

  const env: Envelope = {
    from: job.from,
    recipients: job.recipients,
    envId: job.envId,
    ret: job.ret,
    size: job.body.length,
    eightBit: hasEightBit(job.body),
  };
  let last: Outcome = {
    kind: "temp",
    status: "4.4.1",
    reply: "no host could be reached",
    host: null,
    smtp: false,
  };
  for (const host of plan.hosts) {
    const dane = plan.dane?.get(host.name);
    if (dane?.kind === "fail") {
      // RFC 7672 2.2: a TLSA lookup that failed (bogus, SERVFAIL) means the host is not tried;
      // going on without DANE is exactly what an attacker breaking the lookup wants.
      const tlsaPlan = { ...plan, policy: { type: "tlsa" as const, strings: [], mxHosts: [] } };
      for (const address of host.addresses)
        reportTls(deps, tlsaPlan, job.domain, host.name, address, {
          result: "dnssec-invalid",
          detail: dane.reason,
        });
      last = { kind: "temp", status: "4.7.5", reply: `DANE: ${dane.reason}`, host: host.name, smtp: false };
      deps.log.info("delivery attempt", {
        queueId: job.queueId,
        cid: job.cid,
        domain: job.domain,
        host: host.name,
        reply: last.reply,
      });
      continue;
    }
    const hostPlan: Plan =
      dane?.kind === "dane"
        ? {
            ...plan,
            tls: "dane",
            policy: { type: "tlsa", strings: dane.strings, mxHosts: [] },
            policyProblem: undefined,
          }
        : plan;
    for (const address of host.addresses) {
      const where = { queueId: job.queueId, cid: job.cid, domain: job.domain, host: host.name, address };
      let client: Awaited<ReturnType<ConnectionPool["acquire"]>>;
      try {
        client = await deps.pool.acquire({
          address,
          port: plan.port,
          hostname: host.name,
          heloName: deps.heloName,
          localAddress: deps.cfg.sourceAddress || undefined,
          tls: hostPlan.tls,
          tlsa: dane?.kind === "dane" ? dane.records : undefined,
          ca: deps.ca,
          auth: plan.auth,
          connectTimeoutMs: deps.cfg.connectTimeoutMs,
          greetingTimeoutMs: deps.cfg.greetingTimeoutMs,
          socketTimeoutMs: deps.cfg.socketTimeoutMs,
        });
      } catch (e) {
        reportTls(deps, hostPlan, job.domain, host.name, address, {
          result: hostPlan.policyProblem ?? (e instanceof SmtpFailure ? (e.tlsFailure ?? null) : null),
          detail: e instanceof SmtpFailure ? e.reply : String(e),
          // The socket is gone with the failure; only a configured source address is known.
          sourceAddress: deps.cfg.sourceAddress || undefined,
        });
        last = failureOutcome(e, host.name);
        // RFC 7672 2.2 / RFC 3463: a host that failed DANE authentication is a security
        // failure (4.7.5), and the mail waits for a host that passes.
        if (hostPlan.tls === "dane" && e instanceof SmtpFailure && e.tlsFailure && last.kind !== "delivered")
          last = { ...last, status: "4.7.5" };
        deps.log.info("delivery attempt", { ...where, reply: last.reply });
        // A 5xx before any transaction (greeting, EHLO, STARTTLS, AUTH) says nothing about
        // the message: it is a problem of that host, or of our own setup (a wrong relay host
        // password answered 535 5.7.8, RFC 4954 6). Retry, so the message waits for the
        // fix instead of bouncing; the reply stays in lastError for the administrator.
        if (last.kind === "perm") last = asTemporary(last);
        continue;
      }
      // A connection from the pool was counted when it was opened (RFC 8460 counts sessions).
      if (client.messages === 0)
        reportTls(deps, hostPlan, job.domain, host.name, address, {
          // Opportunistic TLS that the server did not offer (or that failed) went on in clear.
          result: hostPlan.policyProblem ?? (client.secure ? "success" : "starttls-not-supported"),
          sourceAddress: client.localAddress,
        });
      try {
        const res = await client.send(env, job.body, job.beforeEnd);
        deps.pool.release(client);
        const dsnPassedOn = client.supportsDsn;
        for (const r of res.accepted) {
          out.set(r.address, { kind: "delivered", reply: r.reply, host: host.name, dsnPassedOn });
        }
        for (const r of res.rejected) {
          const status = statusFromReply(r.code, r.reply);
          const kind = r.code >= 500 ? "perm" : "temp";
          out.set(r.address, { kind, status, reply: r.reply, host: host.name, smtp: true });
        }
        deps.log.info("delivery attempt", {
          ...where,
          tls: client.secure,
          accepted: res.accepted.length,
          rejected: res.rejected.length,
          reply: res.accepted[0]?.reply ?? res.rejected[0]?.reply,
        });
        return out;
      } catch (e) {
        if (e instanceof LeaseLostError) {
          // The connection is already gone, without the end of DATA. No other host is tried:
          // the entry is no longer (or not surely) ours; its owner, or our next claim, retries it.
          deps.log.warn("queue lease not confirmed: delivery aborted before the end of DATA", {
            ...where,
            reply: e.message,
          });
          return all({ kind: "temp", status: "4.4.0", reply: e.message, host: host.name, smtp: false });
        }
        client.close();
        last = failureOutcome(e, host.name);
        deps.log.info("delivery attempt", { ...where, reply: last.reply });
        if (last.kind === "perm") return all(last);
      }
    }
  }
  return all(last);
}

/** One connection attempt's TLS outcome to the TLS-RPT recorder (when there is one). */
function reportTls(
  deps: DeliverDeps,
  plan: Plan,
  domain: string,
  mxHost: string,
  address: string,
  o: { result: TlsOutcome["result"]; detail?: string; sourceAddress?: string },
): void {
  if (!deps.tlsOutcome || !plan.policy) return;
  deps.tlsOutcome({ domain, policy: plan.policy, mxHost, address, ...o });
}

/** A permanent failure turned into a temporary one: the status class too (RFC 3463 2: a
 *  delayed DSN carries 4.X.X), so a later delay notice or expiry does not report 5.X.X. */
function asTemporary(o: Outcome & { kind: "perm" }): Outcome {
  return { ...o, kind: "temp", status: `4${o.status.slice(1)}` };
}

function failureOutcome(e: unknown, host: string): Outcome {
  if (e instanceof SmtpFailure) {
    const status = e.code === null ? "4.4.1" : statusFromReply(e.code, e.reply);
    return { kind: e.permanent ? "perm" : "temp", status, reply: e.reply, host, smtp: e.code !== null };
  }
  return { kind: "temp", status: "4.4.1", reply: String(e), host, smtp: false };
}

async function planRoute(
  deps: DeliverDeps,
  domain: string,
): Promise<Plan | { fail: true; permanent: boolean; status: string; reason: string }> {
  const cfg = deps.cfg;
  if (cfg.smarthost) {
    const addresses = isIP(cfg.smarthost)
      ? [cfg.smarthost]
      : await hostAddresses(deps.resolver, cfg.smarthost);
    if (addresses.length === 0)
      return {
        fail: true,
        permanent: false,
        status: "4.4.3",
        reason: `relay host ${cfg.smarthost} has no address`,
      };
    return {
      hosts: [{ name: cfg.smarthost, priority: 0, addresses }],
      port: cfg.smarthostPort,
      tls: cfg.smarthostTls === "starttls" ? "verify" : cfg.smarthostTls === "implicit" ? "implicit" : "none",
      auth: cfg.smarthostUser ? { user: cfg.smarthostUser, pass: cfg.smarthostPassword } : undefined,
      policy: null,
    };
  }
  const route = await resolveRoute(deps.resolver, domain, { maxHosts: cfg.maxMxHosts });
  if (route.kind === "fail")
    return { fail: true, permanent: route.permanent, status: route.status, reason: route.reason };
  let hosts = route.hosts;
  let tls: ClientTls = cfg.requireTls.some((d) => d.toLowerCase() === domain) ? "verify" : "opportunistic";
  let applied: TlsPolicyApplied = { type: "no-policy-found", strings: [], mxHosts: [] };
  let policyProblem: Plan["policyProblem"];
  const dane = deps.dane ? await danePolicies(deps.dane, { domain, route, port: cfg.port }) : null;
  if (dane && "fail" in dane) return dane;
  // RFC 8461 2: with DANE TLSA records for the destination, MTA-STS is not applied.
  const daneApplies = dane !== null && [...dane.values()].some((p) => p.kind !== "none");
  if (deps.mtaSts && !daneApplies) {
    const policy = await deps.mtaSts.policyFor(domain);
    if (policy && policy.mode !== "none")
      applied = { type: "sts", strings: policy.lines ?? [], mxHosts: policy.mx };
    const problem = policy ? null : deps.mtaSts.problemWith(domain);
    if (problem) {
      applied = { type: "sts", strings: [], mxHosts: [] };
      policyProblem = problem;
    }
    if (policy?.mode === "enforce") {
      // RFC 8461 4.1-4.2: only MX hosts the policy names, over TLS with a valid certificate.
      hosts = hosts.filter((h) => mxAllowed(policy, h.name));
      tls = "verify";
      if (hosts.length === 0)
        return {
          fail: true,
          permanent: false,
          status: "4.7.5",
          reason: `no MX host of ${domain} matches its MTA-STS policy`,
        };
    } else if (policy?.mode === "testing" && !hosts.every((h) => mxAllowed(policy, h.name))) {
      deps.log.warn("MTA-STS testing: MX host not in policy", { domain });
    }
  }
  return { hosts, tls, port: cfg.port, policy: applied, policyProblem, dane: dane ?? undefined };
}

/** RFC 7672 2.2: DANE's verdict for each MX host; none at all when the MX RRset is insecure.
 *  The implicit MX (no MX records) has no MX RRset to check: its host's own records decide. */
async function danePolicies(
  lookup: DaneLookup,
  o: { domain: string; route: { hosts: RouteHost[]; implicit: boolean }; port: number },
): Promise<Map<string, DaneHostPolicy> | { fail: true; permanent: false; status: string; reason: string }> {
  const out = new Map<string, DaneHostPolicy>();
  const mx = o.route.implicit ? "secure" : await lookup.mxSecurity(o.domain);
  if (typeof mx === "object")
    return { fail: true, permanent: false, status: "4.7.5", reason: `DANE: ${mx.fail}` };
  if (mx === "insecure") return out;
  const policies = await Promise.all(o.route.hosts.map((h) => lookup.hostPolicy(h.name, o.port)));
  for (const [i, h] of o.route.hosts.entries()) out.set(h.name, policies[i] ?? { kind: "none", why: "" });
  return out;
}

async function hostAddresses(resolver: DnsResolver, name: string): Promise<string[]> {
  const r = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
  return r.flatMap((x) => (x.status === "fulfilled" ? x.value : []));
}

function hasEightBit(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if ((b[i] ?? 0) > 127) return true;
  return false;
}
