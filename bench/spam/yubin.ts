// Yubin's side of bench:spam, on the real store path: a fresh SQLite store in a temp dir opened as
// the server opens it, the training groups trained into the global model (accountId 0: the admin's
// corpus command) through trainMessage, then every held-out message scored as the filter scores
// it: bounded view, token hashes, classify() against the store (no network lookups anywhere).
// Two rows: the classifier's probability alone, and the filter's whole score without network
// sources (the rule families plus the classifier's BAYES_* signal, as src/spam/filter.ts sums
// them; no SPF/DKIM/DMARC or DNS-list results exist for a corpus message, so those rules are
// silent).
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import { defaultsOf } from "../../src/config/dsl.js";
import { silentLogger } from "../../src/log/logger.js";
import type { FilterInput } from "../../src/postoffice/types.js";
import { classify } from "../../src/spam/classifier/classify.js";
import { messageTokens } from "../../src/spam/classifier/tokens.js";
import { trainMessage } from "../../src/spam/classifier/train.js";
import { spamSection } from "../../src/spam/config.js";
import { spamFilters } from "../../src/spam/filter.js";
import { buildMessageView } from "../../src/spam/message-view.js";
import { bayesSignals } from "../../src/spam/rules/index.js";
import { header } from "../../src/spam/rules/types.js";
import { ruleSignals, total } from "../../src/spam/score.js";
import type { MessageView } from "../../src/spam/types.js";
import { VerdictLog } from "../../src/spam/verdict-log.js";
import { LocalNotifier } from "../../src/store/notifier.js";
import { DATABASE_FILE, openSqliteStore, type SqliteStore } from "../../src/store/sqlite/index.js";
import type { Sample } from "./corpus.js";

/** Trainings in flight: the store's group commit shares one fsync among them, as it does for
 *  several users moving messages to Junk at once. */
const TRAIN_CONCURRENCY = 8;

export function openStore(dataDir: string): Promise<SqliteStore> {
  return openSqliteStore({ dataDir, notifier: new LocalNotifier(), log: silentLogger });
}

/** The database's bytes on disk (main file and WAL). */
export function dbBytes(dataDir: string): number {
  const size = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  const db = join(dataDir, DATABASE_FILE);
  return size(db) + size(`${db}-wal`);
}

export function corpusKey(body: Buffer): string {
  return `corpus:${createHash("sha256").update(body).digest("hex")}`;
}

/** Runs `fn` over `items` with at most `n` in flight. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

export interface TrainResult {
  seconds: number;
  messages: number;
  outcomes: Record<string, number>;
}

export async function trainCorpus(
  store: SqliteStore,
  samples: readonly Sample[],
  opts: { accountId: number; keyPrefix?: string },
): Promise<TrainResult> {
  const outcomes: Record<string, number> = {};
  const t0 = process.hrtime.bigint();
  await pool(samples, TRAIN_CONCURRENCY, async (s) => {
    const r = await trainMessage(store.spam, {
      accountId: opts.accountId,
      key: `${opts.keyPrefix ?? ""}${corpusKey(s.body)}`,
      as: s.label,
      body: s.body,
    });
    outcomes[r] = (outcomes[r] ?? 0) + 1;
  });
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, messages: samples.length, outcomes };
}

export interface YubinScore {
  id: string;
  label: "spam" | "ham";
  /** The classifier's spam probability. */
  probability: number;
  /** The filter's score without network sources (rules + BAYES_*), SpamAssassin's scale. */
  score: number;
  /** View + hashes + classify against the store, one message at a time. */
  classifyMs: number;
  /** The same plus the rule families (the whole local scoring). */
  scoreMs: number;
  /** CPU time (user + system, this process) of the whole local scoring: what the message cost,
   *  apart from other processes' time slices on a loaded machine. */
  cpuMs: number;
  /** CPU time of view + hashes + classify. */
  classifyCpuMs: number;
}

const ORIGIN: FilterInput["origin"] = {
  kind: "smtp",
  helo: null,
  ip: "192.0.2.1",
  esmtp: true,
  utf8: false,
  authenticated: false,
  tls: null,
};

/** When the message arrived: the date of its newest Received field (RFC 5321 §4.4: after the
 *  last ";"), the clock its receiving server had; the Date rules compare with it, not with today
 *  (a 2002 message is not "96 hours old" to the server that took it). Falls back to Date. */
export function receivedAt(view: MessageView): Date {
  for (const h of view.headers) {
    if (h.name !== "received") continue;
    const t = Date.parse(h.value.slice(h.value.lastIndexOf(";") + 1).trim());
    if (Number.isFinite(t)) return new Date(t);
    break;
  }
  const d = Date.parse(header(view, "date") ?? "");
  return Number.isFinite(d) ? new Date(d) : new Date();
}

/** Scores each sample in turn (one at a time, so the timings are per message, not per batch). */
export async function scoreSamples(
  store: SqliteStore,
  samples: readonly Sample[],
  opts: { accountIdOf: (i: number) => number | null; rules: boolean },
): Promise<YubinScore[]> {
  const out: YubinScore[] = [];
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const accountId = opts.accountIdOf(i);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const view = buildMessageView(s.body);
    const c = await classify(store.spam, { accountId }, messageTokens(view));
    const t1 = process.hrtime.bigint();
    const cpu1 = process.cpuUsage(cpu0);
    let score = Number.NaN;
    if (opts.rules) {
      const input: FilterInput = {
        door: "inbound",
        id: s.id,
        mailFrom: "",
        recipients: [],
        body: s.body,
        accountIds: accountId === null ? [] : [accountId],
        accountId: null,
        origin: ORIGIN,
        screen: null,
        auth: null,
      };
      const now = receivedAt(view);
      score = total([...ruleSignals(input, view, { outbound: false, now }), ...bayesSignals(c)]);
    }
    const t2 = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpu0);
    out.push({
      id: s.id,
      label: s.label,
      probability: c.probability,
      score,
      classifyMs: Number(t1 - t0) / 1e6,
      scoreMs: Number(t2 - t0) / 1e6,
      cpuMs: (cpu.user + cpu.system) / 1000,
      classifyCpuMs: (cpu1.user + cpu1.system) / 1000,
    });
  }
  return out;
}

/** The inbound filter as the server builds it from the config's defaults (filter on), for one
 *  new account `address` in example.test; `now` fixes the Date rules' clock. */
export async function inboundFilter(store: SqliteStore, address: string, now?: () => Date) {
  await store.directory.addDomain("example.test");
  const account = await store.directory.createAccount({ address, passwordHash: "x" });
  const config = { ...defaultsOf(spamSection), enabled: true };
  const verdicts = new VerdictLog({ spam: store.spam, keep: config.keepVerdicts, log: silentLogger });
  const [inbound] = spamFilters(config, {
    spam: store.spam,
    directory: store.directory,
    log: silentLogger,
    verdicts,
    ...(now ? { now } : {}),
  });
  if (inbound === undefined) throw new Error("filter off");
  return { inbound, account, verdicts };
}
