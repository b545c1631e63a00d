// rspamd as a signal source for the spam filter: the message and its envelope go to rspamd's
// /checkv2 (client.ts) and its verdict comes back as ONE signal, RSPAMD, scored rspamd's score
// × rspamd.weightPercent, whose detail names rspamd's strongest symbols.
// One signal rather than one per rspamd symbol: rspamd's total is not the plain sum of the
// symbols it lists (composites replace symbols, its grow factor scales positive scores), so
// only the total is exact; and a typical verdict lists 10-30 symbols, most scoring 0, which would
// drown our own signals in X-Spam-Status. The detail keeps the "why" for the admin page and log.
// Failure (unreachable, timeout, HTTP error, bad JSON) gives RSPAMD_UNAVAILABLE (score 0, the
// reason in its detail, logged); the message is scored without rspamd and mail keeps flowing.

import type { SectionValue } from "../config/dsl.js";
import { ConfigError } from "../config/load.js";
import type { Logger } from "../log/logger.js";
import type { FilterInput } from "../postoffice/types.js";
import type { MessageView, Signal, SignalSource } from "../spam/types.js";
import { type CheckRequest, type CheckResult, checkMessage, checkUrl } from "./client.js";
import type { rspamdSection } from "./config.js";

export type RspamdConfig = SectionValue<typeof rspamdSection>;

/** Symbols named in the RSPAMD signal's detail, strongest first. */
const maxSymbolsShown = 8;
/** Signal.detail is one line of at most 200 characters (src/spam/types.ts). */
const maxDetail = 200;

/** The rspamd source when rspamd.url is set, else none. A malformed url fails at start. */
export function rspamdSources(cfg: RspamdConfig, log: Logger): SignalSource[] {
  if (cfg.url === "") return [];
  if (!checkUrl(cfg.url)) throw new ConfigError(`rspamd.url: "${cfg.url}" is not an http:// or https:// URL`);
  return [rspamdSource(cfg, log)];
}

export function rspamdSource(cfg: RspamdConfig, log: Logger): SignalSource {
  const server = { url: cfg.url, timeoutMs: cfg.timeoutMs, password: cfg.password };
  return {
    name: "rspamd",
    async signals(input: FilterInput, _view: MessageView): Promise<Signal[]> {
      if (input.body.length > cfg.maxBytes) {
        return [
          {
            name: "RSPAMD_SKIPPED",
            score: 0,
            detail: `not sent: ${input.body.length} octets is above rspamd.maxBytes (${cfg.maxBytes})`,
          },
        ];
      }
      let r: CheckResult;
      try {
        r = await checkMessage(server, requestFor(input));
      } catch (e) {
        // checkMessage never rejects; this guards the promise against a bug, per SignalSource.
        r = { kind: "error", detail: (e as Error)?.message ?? String(e) };
      }
      if (r.kind === "error") {
        log.warn("rspamd check failed", { id: input.id, url: cfg.url, error: r.detail });
        return [{ name: "RSPAMD_UNAVAILABLE", score: 0, detail: oneLine(`rspamd not asked: ${r.detail}`) }];
      }
      return [toSignal(r, cfg.weightPercent)];
    },
  };
}

function requestFor(input: FilterInput): CheckRequest {
  const o = input.origin;
  return {
    body: input.body,
    ip: o.kind === "local" ? null : o.ip,
    helo: o.kind === "smtp" ? o.helo : null,
    mailFrom: input.mailFrom,
    rcpt: input.recipients.map((r) => r.address),
    queueId: input.id,
    // rspamd wants the login; the sending account's envelope address is what it authenticated
    // to send as (the doors enforce that), and it is what an rspamd admin recognises in its log.
    user: input.accountId === null ? null : input.mailFrom || `account ${input.accountId}`,
  };
}

/** rspamd's verdict as one signal: "rspamd 7.5/15 add header: SYM_A 5, SYM_B 2.5". */
export function toSignal(r: Extract<CheckResult, { kind: "ok" }>, weightPercent: number): Signal {
  const score = Math.round(r.score * weightPercent) / 100;
  const top = r.symbols
    .filter((s) => s.score !== 0)
    .sort((a, b) => Math.abs(b.score) - Math.abs(a.score) || (a.name < b.name ? -1 : 1))
    .slice(0, maxSymbolsShown)
    .map((s) => `${s.name} ${round2(s.score)}`);
  const head = `rspamd ${round2(r.score)}${r.requiredScore === null ? "" : `/${round2(r.requiredScore)}`}${
    r.action ? ` ${r.action}` : ""
  }${r.skipped ? " (skipped)" : ""}`;
  return { name: "RSPAMD", score, detail: oneLine(top.length > 0 ? `${head}: ${top.join(", ")}` : head) };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function oneLine(s: string): string {
  let out = "";
  for (const ch of s) out += ch < " " ? " " : ch;
  return out.length > maxDetail ? `${out.slice(0, maxDetail - 1)}…` : out;
}
