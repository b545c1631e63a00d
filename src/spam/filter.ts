// The spam filter: a built-in post-office filter (src/app/start.ts puts it after antivirus).
//
// Inbound (port 25): the rules, the other sources and the classifier (each recipient's own model)
// give named signals; their sum is the score. Per recipient (policy.ts: config, [spam] domains,
// the user's prefs): an allow-listed sender is delivered, a block-listed one or a score at the
// junk threshold goes to Junk, and at rejectScore the message is refused at DATA with 550 5.7.1
// — only when every recipient's policy says so (RFC 5321 §6.2: refuse in the dialogue, never
// accept and bounce; nothing is ever sent to the envelope sender). The sender's X-Spam-* fields
// are removed and ours added (headers.ts).
//
// Submission and JMAP (our users' mail): the rules on what a person wrote plus the global model;
// at outboundHoldScore the copies for other servers are held in the queue (the user sees
// success; postmaster is told; an admin releases or deletes), so a stolen account cannot spend
// the server's reputation. Never "system" (our own DSNs and notices).
//
// Every scored message goes into the delivery log line (the filter's note) and the store's
// recent verdicts (bounded by keepVerdicts; written in batches, verdict-log.ts).
import type { SectionValue } from "../config/dsl.js";
import type { Logger } from "../log/logger.js";
import type { MetricEvents } from "../metrics/events.js";
import type { Filter, FilterInput, FilterVerdict, Folder } from "../postoffice/types.js";
import type { DirectoryStore, SpamPrefs, SpamStore, SpamVerdictRecord } from "../store/types.js";
import { TokenCache } from "./classifier/token-cache.js";
import type { spamSection } from "./config.js";
import { formatScore, SPAM_FIELDS, signalText, spamFields } from "./headers.js";
import { buildMessageView } from "./message-view.js";
import { modelLookup } from "./model-lookup.js";
import {
  type InboundAction,
  inboundAction,
  parseDomainPolicies,
  type RecipientPolicy,
  recipientPolicy,
  type Thresholds,
} from "./policy.js";
import { bayesSignals } from "./rules/index.js";
import { header } from "./rules/types.js";
import { ruleSignals, type Scored, scored, sourceSignals } from "./score.js";
import type { MessageView, Signal, SignalSource } from "./types.js";
import { VerdictLog } from "./verdict-log.js";

export type SpamConfig = SectionValue<typeof spamSection>;

/** The statistical classifier for one message: the account's model with the global one (null:
 *  the global model alone). `synced`: the filter's cache already synced for this message. */
export type Classifier = (
  view: MessageView,
  synced: Promise<void>,
) => {
  classify(accountId: number | null): Promise<{ probability: number; ready: boolean }>;
};

export interface SpamFilterDeps {
  spam: SpamStore;
  directory: Pick<DirectoryStore, "getAccount">;
  log: Logger;
  sources?: readonly SignalSource[];
  /** Where verdicts are recorded; src/app/start.ts passes its own to write them on stop.
   *  Default: one on `spam`, keeping [spam] keepVerdicts. */
  verdicts?: VerdictLog;
  /** Default: the built-in classifier (src/spam/classifier) on `spam`'s models (model-lookup.ts). */
  classifier?: Classifier;
  /** Each inbound verdict (/metrics, admin charts). */
  metrics?: Pick<MetricEvents, "spamVerdict">;
  now?: () => Date;
}

/** Per-recipient models asked per message; recipients past this get the first one's score. */
const MAX_MODELS = 20;

export function spamFilters(config: SpamConfig, deps: SpamFilterDeps): Filter[] {
  if (!config.enabled) return [];
  const domains = parseDomainPolicies(config.domains);
  const base: Thresholds = {
    junkScore: config.junkScore,
    rejectScore: config.rejectScore,
    fileIntoJunk: config.fileIntoJunk,
  };
  const now = deps.now ?? (() => new Date());
  // One cache of the models' token counts for all messages, synced per message (token-cache.ts).
  const models = new TokenCache(deps.spam, { maxEntries: config.tokenCacheEntries });
  const classifier: Classifier = deps.classifier ?? ((view, synced) => modelLookup(models, view, { synced }));

  async function signalsOf(input: FilterInput, view: MessageView, outbound: boolean): Promise<Signal[]> {
    const fromSources = await sourceSignals(deps.sources ?? [], input, view, {
      timeoutMs: config.sourceTimeoutMs,
      log: deps.log,
    });
    return [...ruleSignals(input, view, { outbound, now: now() }), ...fromSources];
  }

  // Written in batches off the message's path (verdict-log.ts); a failure is only logged.
  const verdicts =
    deps.verdicts ?? new VerdictLog({ spam: deps.spam, keep: config.keepVerdicts, log: deps.log });
  function record(input: FilterInput, r: Scored, action: SpamVerdictRecord["action"]): void {
    if (input.door === "system" || input.door === "redirect") return;
    if (input.door === "inbound")
      deps.metrics?.spamVerdict(action === "reject" ? "rejected" : action === "junk" ? "junk" : "ham");
    verdicts.add({
      at: now(),
      messageId: input.id,
      door: input.door,
      mailFrom: input.mailFrom,
      recipient: input.recipients[0]?.address ?? "",
      recipients: input.recipients.length,
      score: r.score,
      action,
      reasons: r.signals.map(signalText).join(" ").slice(0, 1000),
    });
  }

  const inbound: Filter = {
    name: "spam",
    doors: ["inbound"],
    async check(input): Promise<FilterVerdict> {
      // The cache's one read of the models' version for this message, before the prefs and
      // token counts it then answers (token-cache.ts). Awaited below; a failure is theirs.
      const synced = models.sync();
      synced.catch(() => {});
      const view = buildMessageView(input.body, { maxTextBytes: config.maxScanBytes });
      const common = await signalsOf(input, view, false);
      const bayes = classifier(view, synced);
      // Each local recipient's model (its own training over the global model), the first
      // MAX_MODELS of them; the message-wide score (headers, refusal) is the first recipient's,
      // or the global model's when the message has none here.
      const accounts = [...new Set(input.accountIds)];
      const perAccount = new Map<number, Scored>();
      const classified = Promise.all(
        accounts.slice(0, MAX_MODELS).map(async (id) => {
          perAccount.set(id, scored([...common, ...bayesSignals(await bayes.classify(id))]));
        }),
      );
      // Prefs come through the models' cache (token-cache.ts), read from the store only after
      // a change (bench:smtp's server: an SQLite read after an await costs 10–20 µs more than
      // the same read right after another, docs/ARCHITECTURE.md "Spam filter cost").
      const lookedUp = Promise.all(
        accounts.map(
          async (id) =>
            [
              id,
              await prefsOf(models, synced, id, deps.log),
              // The account's domain only matters when [spam] domains has policies.
              domains.size === 0 ? "" : await domainOf(deps.directory, id),
            ] as const,
        ),
      );
      const [, looked] = await Promise.all([classified, lookedUp]);
      const first = accounts[0] === undefined ? undefined : perAccount.get(accounts[0]);
      const overall = first ?? scored([...common, ...bayesSignals(await bayes.classify(null))]);

      const senders = senderAddresses(input, view);
      const actions = new Map<number, { action: InboundAction; fileIntoJunk: boolean }>();
      const perAccountSpam: { accountId: number; score: number; threshold: number }[] = [];
      // Mail only for other servers (a forwarding alias) is judged by the config's thresholds.
      let firstPolicy: RecipientPolicy = { ...base, allowed: false, blocked: false };
      for (const [id, prefs, domain] of looked) {
        const p = recipientPolicy({ config: base, domain: domains.get(domain), prefs, senders });
        if (id === accounts[0]) firstPolicy = p;
        perAccountSpam.push({
          accountId: id,
          score: (perAccount.get(id) ?? overall).score,
          threshold: p.junkScore,
        });
        actions.set(id, {
          action: inboundAction((perAccount.get(id) ?? overall).score, p),
          fileIntoJunk: p.fileIntoJunk,
        });
      }
      const all =
        accounts.length === 0
          ? [inboundAction(overall.score, firstPolicy)]
          : [...actions.values()].map((a) => a.action);
      // The header speaks for the first recipient (usually the only one).
      const spam = inboundAction(overall.score, firstPolicy) !== "deliver";
      const required = firstPolicy.junkScore;
      const tests = overall.signals.map(signalText).join(",");
      if (all.every((a) => a === "reject")) {
        record(input, overall, "reject");
        return {
          kind: "reject",
          reason: `message refused as spam (score ${formatScore(overall.score)}: ${overall.signals
            .filter((s) => s.score > 0)
            .map((s) => s.name)
            .join(" ")})`.slice(0, 200),
        };
      }
      const folders: { accountId: number; folder: Folder }[] = [];
      for (const [accountId, a] of actions)
        if ((a.action === "junk" || a.action === "reject") && a.fileIntoJunk)
          folders.push({ accountId, folder: "junk" });
      const junked = folders.length;
      record(input, overall, junked > 0 || spam ? "junk" : "deliver");
      return {
        kind: "accept",
        removeFields: SPAM_FIELDS,
        headers: config.addHeaders
          ? spamFields({ score: overall.score, required, spam, signals: overall.signals })
          : [],
        folders,
        spam: { score: overall.score, threshold: required, accounts: perAccountSpam },
        note: `score=${formatScore(overall.score)}${junked > 0 ? ` junk=${junked}` : ""} tests=${tests || "none"}`.slice(
          0,
          190,
        ),
      };
    },
  };

  const outbound: Filter = {
    name: "spam",
    doors: ["submission", "jmap"],
    async check(input): Promise<FilterVerdict> {
      const view = buildMessageView(input.body, { maxTextBytes: config.maxScanBytes });
      const common = await signalsOf(input, view, true);
      const synced = models.sync();
      synced.catch(() => {});
      const bayes = classifier(view, synced);
      const r = scored([...common, ...bayesSignals(await bayes.classify(null))]);
      const tests = r.signals.map(signalText).join(",") || "none";
      const remote = input.recipients.some((x) => x.remote.length > 0);
      const hold = config.outboundHoldScore > 0 && r.score >= config.outboundHoldScore && remote;
      record(input, r, hold ? "hold" : "deliver");
      const note = `score=${formatScore(r.score)}${hold ? " held" : ""} tests=${tests}`.slice(0, 190);
      if (!hold) return { kind: "accept", note };
      return {
        kind: "accept",
        note,
        hold: `outbound spam score ${formatScore(r.score)} >= ${config.outboundHoldScore} (${tests})`,
      };
    },
  };
  return [inbound, outbound];
}

/** The addresses allow and block lists are matched against: the envelope sender, and the From
 *  address unless DMARC failed for it (a forged From must not ride a user's allow list). */
function senderAddresses(input: FilterInput, view: MessageView): string[] {
  const out: string[] = [];
  if (input.mailFrom !== "") out.push(input.mailFrom.toLowerCase());
  const from = header(view, "from");
  if (from !== null && input.auth?.dmarc?.result !== "fail") {
    const lt = from.lastIndexOf("<");
    const gt = from.indexOf(">", lt);
    const addr = (lt >= 0 && gt > lt ? from.slice(lt + 1, gt) : from).trim().toLowerCase();
    if (addr.includes("@") && addr.length <= 320) out.push(addr);
  }
  return out;
}

async function prefsOf(
  models: TokenCache,
  synced: Promise<void>,
  accountId: number,
  log: Logger,
): Promise<SpamPrefs | null> {
  try {
    await synced;
    return await models.spamPrefs(accountId);
  } catch (err) {
    log.warn("spam prefs unreadable, defaults used", { accountId, err: (err as Error).message });
    return null;
  }
}

async function domainOf(directory: Pick<DirectoryStore, "getAccount">, accountId: number): Promise<string> {
  const a = await directory.getAccount(accountId);
  const address = a?.address ?? "";
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}
