// The queue worker. Invariants:
//  - An entry is worked only under a lease (store.queue.claimQueued): "sending" with
//    nextAttemptAt = lease end, renewed while it is worked. A worker that dies (kill -9) leaves
//    the lease to run out, and the entry is then claimed again: every queued message is
//    delivered or bounced at least once, never lost. A crash between a remote 250 and the
//    store update means that recipient gets the message twice (at-least-once, as RFC 5321 6.1
//    prefers duplicates to loss).
//  - Each claim's lease token fences the attempt (lease.ts): renewals and the final write are
//    conditional on it, and the end of DATA is sent only with the lease confirmed, so an entry
//    another engine claimed after our lease lapsed is neither sent again by us nor overwritten.
//  - Bounces and delay notices are stored (local INBOX or queue) before the entry is updated,
//    for the same reason.
//  - No bounce is ever sent for a message from the null sender (RFC 5321 4.5.5, no loops).
//  - Concurrency: at most maxConnections transactions in total and maxConnectionsPerDomain per
//    destination domain; connections are reused through the pool.
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import type { Config } from "../config/schema.js";
import { daneLookupFromConfig } from "../dane/lookup.js";
import type { DnsResolver } from "../dns/types.js";
import type { Logger } from "../log/logger.js";
import type { MetricEvents } from "../metrics/events.js";
import type { PostOffice } from "../postoffice/post-office.js";
import type { QueuedMessage, QueuedRecipient, Store } from "../store/types.js";
import { type DeliverDeps, deliverToDomain, type Outcome } from "./deliver.js";
import { buildDsn, type DsnRecipient } from "./dsn.js";
import { QueueLease } from "./lease.js";
import { MtaStsCache } from "./mta-sts.js";
import { ConnectionPool, type PoolOptions } from "./pool.js";
import { KeyedSemaphore, Semaphore } from "./semaphore.js";
import type { TlsOutcome } from "./tls-outcome.js";

export interface RunnerDeps {
  store: Store;
  config: Config;
  log: Logger;
  resolver: DnsResolver;
  /** Where the DSNs this runner writes go in: the post office's "system" door (trace fields,
   *  filing for local senders, DKIM signing and queueing for remote ones). */
  postOffice: Pick<PostOffice, "postSystem">;
  /** Each recipient's attempt ended: delivered, deferred or bounced (/metrics, admin charts). */
  metrics?: Pick<MetricEvents, "delivery">;
  now?: () => number;
  /** Replaces the HTTPS MTA-STS policy fetch (tests). */
  mtaStsFetch?: (domain: string) => Promise<string | null>;
  /** Replaces how SMTP connections are opened (tests). */
  open?: PoolOptions["open"];
  /** Each new connection's TLS outcome, for TLS-RPT (src/reports/outbound). */
  tlsOutcome?: (o: TlsOutcome) => void;
}

export interface RunnerStats {
  connectionsOpened: number;
  attempts: number;
  delivered: number;
  bounced: number;
  deferred: number;
  inFlight: number;
}

/** What an attempt left of an entry still queued: its state and when it is due. */
type Left = Pick<QueuedMessage, "state" | "nextAttemptAt">;

export interface QueueRunner {
  start(): void;
  /** Look at the queue now instead of at the next poll. */
  kick(): void;
  /** Stop claiming, wait (at most graceMs) for the entries in progress, close idle connections.
   *  Entries still in progress after that keep their lease and are retried after a restart. */
  stop(graceMs?: number): Promise<void>;
  stats(): RunnerStats;
}

/** Whether a queued message is a report of ours (TLS-RPT or DMARC aggregate: from the null
 *  sender, with their header fields), read from its header only. */
export function isReport(mailFrom: string, body: Buffer): boolean {
  if (mailFrom !== "") return false;
  const end = body.indexOf("\r\n\r\n");
  const header = body.subarray(0, end < 0 ? Math.min(body.length, 65536) : Math.min(end, 65536));
  const text = header.toString("latin1").toLowerCase();
  return text.includes("\ntls-report-domain:") || text.includes("\nsubject: report domain:");
}

export function createQueueRunner(deps: RunnerDeps): QueueRunner {
  const cfg = deps.config.outbound;
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ proto: "outbound" });
  const ca = cfg.caFile ? [...rootCertificates, readFileSync(cfg.caFile, "utf8")] : undefined;
  const pool = new ConnectionPool({
    idleKeepMs: cfg.idleKeepMs,
    maxMessagesPerConnection: cfg.maxMessagesPerConnection,
    open: deps.open,
  });
  const mtaSts = cfg.mtaSts
    ? new MtaStsCache({
        resolver: deps.resolver,
        port: cfg.mtaStsPort,
        timeoutMs: cfg.mtaStsTimeoutMs,
        maxBytes: cfg.mtaStsMaxBytes,
        ca,
        fetchText: deps.mtaStsFetch,
      })
    : null;
  const deliverDeps: DeliverDeps = {
    cfg,
    heloName: cfg.heloName || deps.config.server.hostname,
    resolver: deps.resolver,
    pool,
    mtaSts,
    ca,
    log,
    dane: daneLookupFromConfig(deps.config),
    tlsOutcome: deps.tlsOutcome,
  };
  // A report's own delivery is not reported on: two reporters never report on each other's reports.
  const quietDeps: DeliverDeps = { ...deliverDeps, tlsOutcome: undefined };
  const total = new Semaphore(cfg.maxConnections);
  const perDomain = new KeyedSemaphore(cfg.maxConnectionsPerDomain);
  const inFlight = new Set<Promise<void>>();
  /** Queue ids this runner works now. A claim can hand one of them back: its lease lapsed while
   *  the work goes on (renewals refused or late: a store busy or away, a starved event loop), or
   *  the attempt's deferral was written and claimed (due at once, tests' retryBaseMs) before the
   *  work's end was seen. Working it a second time would send the message twice; the claim is
   *  noted in `reclaimed` instead, and undone once the work ends (the claim's lease would
   *  otherwise hold a deferred entry for leaseMs). */
  const working = new Map<number, QueueLease>();
  const reclaimed = new Set<number>();
  const counts = { attempts: 0, delivered: 0, bounced: 0, deferred: 0 };
  // At most this many entries are worked at once; more would only wait for the semaphores.
  const maxEntries = cfg.maxConnections * 2;
  // With a backlog, entries are claimed again once half of them are done, in one batch:
  // claiming one entry per finished one would cost a write transaction (an fsync) per message.
  const refill = Math.max(1, Math.ceil(maxEntries / 2));
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  let ticking = false;
  /** Smallest `minRoom` asked for while a tick was running (0 = none asked). */
  let again = 0;
  /** The last claim took as many entries as it could: more are probably due. */
  let backlog = false;
  /** Resolves when the tick under way (if any) has seen its claim's answer (QueueLease). */
  let tickDone: Promise<void> = Promise.resolve();

  /** Claims due entries if at least `minRoom` more can be worked (1: new mail, the poll). */
  const tick = async (minRoom: number) => {
    if (stopping) return;
    if (ticking) {
      again = again === 0 ? minRoom : Math.min(again, minRoom);
      return;
    }
    ticking = true;
    let endTick = () => {};
    tickDone = new Promise<void>((r) => {
      endTick = r;
    });
    try {
      const room = maxEntries - inFlight.size;
      if (room <= 0 || room < minRoom) return;
      const t = now();
      const claimed = await deps.store.queue.claimQueued({
        now: new Date(t),
        leaseUntil: new Date(t + cfg.leaseMs),
        limit: room,
      });
      backlog = claimed.length === room;
      for (const entry of claimed) {
        const mine = working.get(entry.id);
        if (mine) {
          // Our own claim: its token is now the one our writes must carry.
          mine.adopt(entry.lease, t + cfg.leaseMs);
          reclaimed.add(entry.id);
          continue;
        }
        const lease = new QueueLease({
          queue: deps.store.queue,
          id: entry.id,
          cid: entry.cid ?? undefined,
          token: entry.lease,
          until: t + cfg.leaseMs,
          leaseMs: cfg.leaseMs,
          now,
          log,
          claimsSeen: () => tickDone,
        });
        working.set(entry.id, lease);
        const p: Promise<void> = work(entry, lease)
          .then(async (left) => {
            // One synchronous step: a claim seen after it works the entry as any other.
            working.delete(entry.id);
            if (reclaimed.delete(entry.id) && left)
              await lease.write((token) => deps.store.queue.updateLeased(entry.id, token, left));
          })
          .catch((error) =>
            log.error("queue entry failed", { queueId: entry.id, cid: entry.cid, error: String(error) }),
          )
          .finally(() => {
            // After a failure: a claim meanwhile keeps its lease (retried once it runs out).
            working.delete(entry.id);
            reclaimed.delete(entry.id);
            inFlight.delete(p);
            // A full claim suggests more is due: take the next batch when there is room for it.
            if (backlog) void tick(refill);
          });
        inFlight.add(p);
      }
    } catch (error) {
      if (!stopping) log.error("queue claim failed", { error: String(error) });
    } finally {
      ticking = false;
      endTick();
      if (again !== 0) {
        const min = again;
        again = 0;
        queueMicrotask(() => void tick(min));
      }
    }
  };
  const kick = () => {
    void tick(1);
  };

  /** Works one claimed entry; resolves to the state its attempt left (null: delivered or
   *  bounced to the end, the entry removed). */
  async function work(entry: QueuedMessage, lease: QueueLease): Promise<Left | null> {
    // Keep the lease while working, so no other worker takes the entry.
    let renewing: Promise<unknown> = Promise.resolve();
    const renew = setInterval(
      () => {
        renewing = renewing.then(() => lease.renew());
      },
      Math.max(250, Math.floor(cfg.leaseMs / 3)),
    );
    let result: { body: Buffer; outcomes: Map<string, Outcome> };
    try {
      result = await attempt(entry, lease);
    } finally {
      clearInterval(renew);
      await renewing;
    }
    return settle(entry, lease, result.body, result.outcomes);
  }

  async function attempt(
    entry: QueuedMessage,
    lease: QueueLease,
  ): Promise<{ body: Buffer; outcomes: Map<string, Outcome> }> {
    counts.attempts++;
    const body = await deps.store.mail.readBody(entry.blobId);
    const pending = entry.recipients.filter((r) => r.state === "pending");
    const byDomain = new Map<string, QueuedRecipient[]>();
    for (const r of pending) {
      const domain = r.address.slice(r.address.lastIndexOf("@") + 1).toLowerCase();
      const list = byDomain.get(domain) ?? [];
      list.push(r);
      byDomain.set(domain, list);
    }
    const outcomes = new Map<string, Outcome>();
    await Promise.all(
      [...byDomain].map(async ([domain, rcpts]) => {
        const releaseDomain = await perDomain.acquire(domain);
        const releaseTotal = await total.acquire();
        try {
          const res = await deliverToDomain(isReport(entry.mailFrom, body) ? quietDeps : deliverDeps, {
            queueId: entry.id,
            cid: entry.cid ?? undefined,
            domain,
            from: entry.mailFrom,
            recipients: rcpts.map((r) => ({ address: r.address, notify: r.notify, orcpt: r.orcpt })),
            envId: entry.envId,
            ret: entry.ret,
            body,
            beforeEnd: () => lease.confirm(),
          });
          for (const [a, o] of res) outcomes.set(a, o);
        } catch (error) {
          const reply = `internal error: ${String(error)}`;
          for (const r of rcpts)
            outcomes.set(r.address, { kind: "temp", status: "4.3.0", reply, host: null, smtp: false });
        } finally {
          releaseTotal();
          releaseDomain();
        }
      }),
    );
    return { body, outcomes };
  }

  /** Record the outcomes, send the DSNs they call for, then retry, or drop the finished entry. */
  async function settle(
    entry: QueuedMessage,
    lease: QueueLease,
    body: Buffer,
    outcomes: Map<string, Outcome>,
  ): Promise<Left | null> {
    const t = now();
    const expired = t >= entry.createdAt.getTime() + cfg.maxQueueTimeMs;
    const failed: DsnRecipient[] = [];
    const delayed: DsnRecipient[] = [];
    const relayed: DsnRecipient[] = [];
    const lastAttempt = new Date(t);
    const attempts = entry.attempts + 1;
    const retryUntil = new Date(entry.createdAt.getTime() + cfg.maxQueueTimeMs);
    const delayNotice = delayNoticeDue(entry, t);
    let lastError: string | null = null;

    const recipients = entry.recipients.map((r): QueuedRecipient => {
      const o = outcomes.get(r.address);
      if (r.state !== "pending" || !o) return r;
      const notify = r.notify ?? [];
      const wants = (what: string) => (r.notify === null ? what !== "SUCCESS" : notify.includes(what));
      const dsn = (action: DsnRecipient["action"], status: string, diag: string | null, smtp: boolean) => ({
        address: r.address,
        orcpt: r.orcpt,
        action,
        status,
        diagnostic: diag,
        diagnosticIsSmtp: smtp,
        remoteMta: o.host,
        lastAttempt,
        willRetryUntil: action === "delayed" ? retryUntil : null,
      });
      if (o.kind === "delivered") {
        counts.delivered++;
        deps.metrics?.delivery("delivered", "remote");
        // RFC 3461 5.2.2: a server without DSN cannot report success itself, so we say "relayed".
        if (!o.dsnPassedOn && r.notify?.includes("SUCCESS"))
          relayed.push(dsn("relayed", "2.0.0", o.reply, true));
        return { ...r, state: "delivered", lastError: null };
      }
      lastError = `${r.address}: ${o.reply}`;
      if (o.kind === "perm" || expired) {
        counts.bounced++;
        deps.metrics?.delivery("bounced", "remote");
        const status = o.kind === "perm" ? o.status : "4.4.7";
        const diag =
          o.kind === "perm" ? o.reply : `message expired after ${attempts} attempts; last: ${o.reply}`;
        if (wants("FAILURE")) failed.push(dsn("failed", status, diag, o.kind === "perm" && o.smtp));
        return { ...r, state: "failed", lastError: o.reply };
      }
      deps.metrics?.delivery("deferred", "remote");
      if (delayNotice && wants("DELAY")) delayed.push(dsn("delayed", o.status, o.reply, o.smtp));
      return { ...r, lastError: o.reply };
    });

    // An entry another engine holds now is its to report on: no DSN of ours on top of its own.
    const dsnDue = entry.mailFrom !== "" && failed.length + delayed.length + relayed.length > 0;
    if (dsnDue && (await lease.renew()) === "lost") return null;
    if (dsnDue) {
      for (const list of [failed, delayed, relayed]) {
        if (list.length === 0) continue;
        await sendDsn(entry, body, list);
      }
    }

    const stillPending = recipients.some((r) => r.state === "pending");
    if (!stillPending) {
      // Refused (null): another engine claimed the entry after our lease lapsed; it is its now.
      await lease.write((token) => deps.store.queue.removeLeased(entry.id, token));
      return null;
    }
    counts.deferred++;
    // The last attempt is made when the queue time runs out, not up to retryMaxMs after it:
    // the sender hears of an expired message when promised (Will-Retry-Until).
    const next = Math.min(nextAttemptAt(entry.createdAt.getTime(), attempts, t), retryUntil.getTime());
    // An account frozen while this attempt was under way (src/postoffice/sending-limits.ts): its
    // entry is held with the rest of its mail, not retried.
    const held = await frozenSender(entry);
    log.info(held ? "held" : "deferred", {
      queueId: entry.id,
      cid: entry.cid ?? undefined,
      attempts,
      next: new Date(next).toISOString(),
      lastError,
    });
    const left: Left = { state: held ? "held" : "deferred", nextAttemptAt: new Date(next) };
    const written = await lease.write((token) =>
      deps.store.queue.updateLeased(entry.id, token, { ...left, attempts, lastError, recipients }),
    );
    // Lost: the new owner's state stands, and there is nothing of ours to write again.
    return written ? left : null;
  }

  async function frozenSender(entry: QueuedMessage): Promise<boolean> {
    if (entry.accountId === null) return false;
    const policy = await deps.store.sending.getSendingPolicy(entry.accountId).catch(() => null);
    return policy?.frozenAt != null;
  }

  /** Delay before retry n (n >= 1): retryBaseMs * retryFactor^(n-1), at most retryMaxMs. */
  function delayAfter(n: number): number {
    return Math.min(cfg.retryMaxMs, cfg.retryBaseMs * cfg.retryFactor ** Math.max(0, n - 1));
  }
  /** Attempt n+1 is due at createdAt + the sum of the first n delays (but never sooner than
   *  retryBaseMs from now, so a backlog after downtime does not retry in a burst). */
  function scheduled(createdAt: number, n: number): number {
    let s = createdAt;
    for (let i = 1; i <= n && i <= 1000; i++) s += delayAfter(i);
    return s;
  }
  function nextAttemptAt(createdAt: number, attempts: number, t: number): number {
    return Math.max(scheduled(createdAt, attempts), t + Math.min(cfg.retryBaseMs, cfg.retryMaxMs));
  }
  /** Whether this attempt is the first scheduled one at or past delayNoticeAfterMs: the notice
   *  goes out once, with no extra state stored. */
  function delayNoticeDue(entry: QueuedMessage, _t: number): boolean {
    const d = cfg.delayNoticeAfterMs;
    if (d <= 0 || entry.attempts === 0) return false;
    const c = entry.createdAt.getTime();
    return scheduled(c, entry.attempts) - c >= d && scheduled(c, entry.attempts - 1) - c < d;
  }

  async function sendDsn(entry: QueuedMessage, original: Buffer, recipients: DsnRecipient[]): Promise<void> {
    const reportingMta = deps.config.server.hostname;
    const dsn = buildDsn({
      reportingMta,
      to: entry.mailFrom,
      envId: entry.envId,
      arrivalDate: entry.createdAt,
      recipients,
      original,
      ret: entry.ret,
      returnMaxBytes: cfg.bounceReturnMaxBytes,
    });
    // RFC 3461 §6.2: a DSN asks for no DSN of its own (NOTIFY=NEVER), so two servers never loop.
    const posted = await deps.postOffice.postSystem({
      body: dsn,
      to: entry.mailFrom,
      accountId: null,
      notify: ["NEVER"],
    });
    log.info("dsn", {
      queueId: entry.id,
      cid: entry.cid ?? undefined,
      to: entry.mailFrom,
      action: recipients[0]?.action,
      recipients: recipients.length,
      local: (posted?.local ?? 0) > 0,
    });
    if (!posted)
      log.warn("dsn dropped: sender unknown", { queueId: entry.id, cid: entry.cid, to: entry.mailFrom });
  }

  return {
    start() {
      if (timer || stopping) return;
      timer = setInterval(kick, cfg.pollIntervalMs);
      timer.unref();
      kick();
    },
    kick,
    async stop(graceMs = 10_000) {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      let waitTimer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => {
        waitTimer = setTimeout(r, graceMs);
      });
      await Promise.race([Promise.allSettled([...inFlight]), timeout]);
      clearTimeout(waitTimer);
      pool.closeAll();
    },
    stats: () => ({ connectionsOpened: pool.opened, ...counts, inFlight: inFlight.size }),
  };
}
