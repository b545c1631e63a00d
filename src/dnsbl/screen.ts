// One port-25 connection's screening: list lookups started when it connects (never delaying the
// greeting), HELO and protocol findings noted as they happen, all awaited and summed at RCPT.

import type { DnsResolver } from "../dns/types.js";
import type { Logger } from "../log/logger.js";
import { checkFcrdns, type Fcrdns } from "./fcrdns.js";
import { checkHelo } from "./helo-checks.js";
import { askList, type ListAnswer } from "./lookup.js";
import { domainQueryName, ipQueryName } from "./query-name.js";
import type { ListStats } from "./stats.js";
import type { ZoneSpec } from "./zone-spec.js";

export interface ScreenSettings {
  ipZones: readonly ZoneSpec[];
  domainZones: readonly ZoneSpec[];
  rejectScore: number;
  timeoutMs: number;
  weights: { pregreet: number; pipelining: number; fcrdns: number; helo: number; bareNewline: number };
}

/** What a later stage (spam scoring) and the trace header get: the total and each reason. */
export interface ScreenResult {
  score: number;
  /** "name=weight" each, e.g. "bl.test=3", "helo-bare-ip=1". */
  reasons: string[];
  /** Set when the client is to be refused: the text after "554 5.7.1 Service unavailable: ". */
  refusal: string | null;
  /** On a list with a negative weight (a DNSWL): greylisting lets it through (RFC 6647 §4.5). */
  allowlisted: boolean;
}

export class ConnectionScreen {
  private readonly lists: Promise<ListAnswer>[] = [];
  private readonly fcrdns: Promise<Fcrdns>;
  private readonly findings = new Map<string, number>();
  private claimsUs: string | null = null;
  private readonly askedDomains = new Set<string>();
  private logged = false;

  constructor(
    private readonly ip: string,
    private readonly opts: ScreenSettings & {
      resolver: DnsResolver;
      log: Logger;
      hostname: string;
      stats?: ListStats;
    },
  ) {
    const deadline = Date.now() + opts.timeoutMs;
    for (const spec of opts.ipZones) {
      const name = ipQueryName(ip, spec.zone);
      if (name) this.ask("ip", spec, { name, subject: `client [${ip}]` }, deadline);
    }
    this.fcrdns =
      opts.weights.fcrdns > 0
        ? checkFcrdns(opts.resolver, ip, deadline)
        : Promise.resolve({ kind: "unknown" });
  }

  /** The client sent before our greeting (RFC 5321 §3.1). */
  pregreet(): void {
    this.note("pregreet", this.opts.weights.pregreet);
  }

  /** HELO/EHLO: the name's sanity, whether commands were pipelined before PIPELINING was offered,
   *  and the name asked of the domain lists. */
  helo(name: string, opts: { localIp: string; pipelined: boolean }): void {
    if (opts.pipelined) this.note("pipelining", this.opts.weights.pipelining);
    const finding = checkHelo(name, {
      hostname: this.opts.hostname,
      localIp: opts.localIp,
      clientIp: this.ip,
    });
    if (finding === "helo-claims-us") this.claimsUs = name;
    else if (finding) this.note(finding, this.opts.weights.helo);
    this.askDomain(name.replace(/^\[.*\]$/, ""));
  }

  /** A line ended with a bare LF, in a command or in DATA (RFC 5321 §2.3.8: lines end with CRLF;
   *  postscreen's bare_newline test): real MTAs never do it, spamware and scripts do. */
  bareNewline(): void {
    this.note("bare-newline", this.opts.weights.bareNewline);
  }

  /** MAIL FROM: the sender's domain asked of the domain lists. */
  mailFrom(address: string): void {
    const at = address.lastIndexOf("@");
    if (at > 0) this.askDomain(address.slice(at + 1));
  }

  /** Every lookup answered or timed out (dnsbl.timeoutMs after it started). Never rejects. */
  async result(): Promise<ScreenResult> {
    const answers = await Promise.all(this.lists);
    const fcrdns = await this.fcrdns;
    const reasons: string[] = [];
    let score = 0;
    let refusal: string | null = null;
    let allowlisted = false;
    const listed: string[] = [];
    for (const a of answers) {
      if (a.kind === "error") {
        if (!this.logged)
          this.opts.log.warn("dnsbl lookup failed, not counted", { zone: a.spec.zone, err: a.detail });
        continue;
      }
      if (a.kind !== "listed") continue;
      const w = a.spec.weight;
      listed.push(`${a.spec.zone} ${a.codes.join(",")}`);
      reasons.push(`${a.spec.zone}=${w}`);
      if (w === "reject") refusal ??= this.refusalText(a);
      else score += w;
      if (w !== "reject" && w < 0) allowlisted = true;
    }
    if (fcrdns.kind === "fail") this.note("fcrdns", this.opts.weights.fcrdns);
    for (const [name, w] of this.findings) {
      reasons.push(`${name}=${w}`);
      score += w;
    }
    if (this.claimsUs !== null) {
      reasons.push("helo-claims-us=reject");
      refusal ??= `client [${this.ip}] greeted as ${this.claimsUs}, which is this server`;
    }
    if (refusal === null && score >= this.opts.rejectScore) {
      const top = answers.find((a) => a.kind === "listed" && a.spec.weight !== "reject" && a.spec.weight > 0);
      refusal =
        top?.kind === "listed"
          ? `${this.refusalText(top)}; score ${score}`
          : `client [${this.ip}] score ${score} (${reasons.join(" ")})`;
    }
    if (!this.logged && (listed.length > 0 || reasons.length > 0))
      this.opts.log.info("dnsbl screen", { score, reasons: reasons.join(" "), listed: listed.join("; ") });
    this.logged = true;
    return { score, reasons, refusal, allowlisted };
  }

  private refusalText(a: Extract<ListAnswer, { kind: "listed" }>): string {
    const reason = a.reason ? ` (${a.reason.replace(/[^\x20-\x7e]/g, "?")})` : "";
    return `${a.subject} blocked using ${a.spec.zone}${reason}`;
  }

  private note(name: string, weight: number): void {
    if (weight > 0) this.findings.set(name, weight);
  }

  private askDomain(domain: string): void {
    const d = domain.toLowerCase();
    if (this.askedDomains.has(d) || this.askedDomains.size >= 4) return; // a few per connection
    this.askedDomains.add(d);
    const deadline = Date.now() + this.opts.timeoutMs;
    for (const spec of this.opts.domainZones) {
      const name = domainQueryName(d, spec.zone);
      if (name) this.ask("domain", spec, { name, subject: d }, deadline);
    }
  }

  private ask(kind: "ip" | "domain", spec: ZoneSpec, q: { name: string; subject: string }, deadline: number) {
    const stats = this.opts.stats;
    const answer = askList(this.opts.resolver, spec, q, deadline);
    this.lists.push(stats ? answer.then((a) => stats.record(kind, a)) : answer);
  }
}
