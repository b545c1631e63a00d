// WebSessionStore on PostgreSQL (tables: schema-accounts.ts). Sessions behave as in the SQLite
// store (src/store/sqlite/web-sessions.ts); creating one counts the kind's sessions (of the
// account and in all) under an advisory lock of the kind, so nodes logging users in at once
// keep both bounds.
//
// Login changes (a password changed, an account disabled or deleted, an app password revoked, a
// second factor turned on) are rows of login_changes, written by triggers whichever node (or
// `yubin user disable`) made the change, each keyed by its transaction's id. A reader reads the
// rows from its cursor on and moves the cursor to the oldest transaction still running at that
// read (pg_snapshot_xmin): every transaction below it had committed or aborted, so its rows were
// in the read, and nodes committing out of id order lose nothing. The rows at or above the new
// cursor are remembered, so each change is reported once. Reads happen every pollMs while anyone
// listens, and at once when the triggers' NOTIFY arrives (delivered at COMMIT to every node
// listening on the database: the writer's own node and the others hear it within milliseconds).
// The NOTIFY is a hint; the poll is what makes a node that lost its listening connection catch up.
import type pg from "pg";
import { StoreError } from "../errors.js";
import { millis } from "../shared/checks.js";
import { LoginListeners } from "../shared/login-listeners.js";
import {
  checkNewSession,
  expired,
  HASH_MAX,
  hashOf,
  IP_MAX,
  kindOf,
  type WebSessionRow as Row,
  SWEEP_EVERY_MS,
  SWEEP_LIMIT,
  toSession,
} from "../shared/web-sessions.js";
import type { WebSessionStore } from "../types.js";
import { LOCK, lockFor, mustAccount, uniqueAsExists } from "./account-kit.js";
import type { PgCtx } from "./context.js";

/** Changes read per poll; more are read by the next one, at once. */
const POLL_LIMIT = 1000;
/** The channel the login_changed() trigger function notifies (schema-accounts.ts). */
const CHANNEL = "yubin_login_changes";

const COLUMNS =
  "kind, token_hash, account_id, credential_stamp, ip, created_at, last_seen_at, expires_at, idle_ms";

/** Where the feed has read up to: rows with (xid, account_id) above it are new. */
interface Cursor {
  xid: bigint;
  account: number;
}

export interface PgWebSessionOptions {
  /** How often a listening store reads the feed besides the NOTIFY (default 1,000 ms). */
  pollMs?: number;
}

export function createWebSessions(
  ctx: PgCtx,
  opts: PgWebSessionOptions = {},
): WebSessionStore & { stop(): void } {
  const db = ctx.db;
  const pollMs = opts.pollMs ?? 1000;

  // ---- login changes ----
  const listeners = new LoginListeners(
    ctx.log,
    () => startPolling(),
    () => stopPolling(),
  );
  const emit = (id: number) => listeners.emit(id);

  let cursor: Cursor | null = null;
  /** "account:xid" of rows at or above the cursor already reported. */
  let reported = new Set<string>();

  /** Reads the feed after the cursor (one page); `report` false: only moves the cursor (the
   *  start). True when the page was full (more to read). */
  async function read(from: Cursor, report: boolean): Promise<boolean> {
    const rows = await db.rows<{ xmin: string; account_id: number | null; xid: string | null }>(
      `SELECT s.xmin::text AS xmin, c.account_id, c.xid::text AS xid
         FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) s
         LEFT JOIN LATERAL (SELECT account_id, xid FROM login_changes
           WHERE (xid, account_id) > ($1::text::xid8, $2::bigint) ORDER BY xid, account_id LIMIT $3) c ON true`,
      [from.xid.toString(), from.account, POLL_LIMIT],
    );
    const found = rows.filter((r) => r.xid !== null && r.account_id !== null);
    const last = found[found.length - 1];
    const full = found.length === POLL_LIMIT && last !== undefined;
    const xmin = BigInt(rows[0]?.xmin ?? "0");
    // Below xmin every transaction is over: rows under it can no longer appear. A full page
    // continues after its last row instead.
    const next: Cursor = full
      ? { xid: BigInt(last.xid!), account: last.account_id! }
      : { xid: xmin > from.xid ? xmin : from.xid, account: 0 };
    const keep = new Set<string>();
    for (const r of found) {
      const key = `${r.account_id}:${r.xid}`;
      if (report && !reported.has(key)) emit(r.account_id!);
      const x = BigInt(r.xid!);
      if (x > next.xid || (x === next.xid && r.account_id! > next.account)) keep.add(key);
    }
    reported = keep;
    cursor = next;
    return full;
  }

  /** The cursor at the feed's present: changes made before this store opened are not news. */
  async function start(): Promise<void> {
    const r = await db.one<{ xmin: string }>("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin");
    let from: Cursor = { xid: BigInt(r?.xmin ?? "0"), account: 0 };
    for (let pages = 0; pages < 100 && (await read(from, false)); pages++) from = cursor ?? from;
  }
  const begin = (): Promise<void> =>
    start().catch((error) => {
      ctx.log.warn("login change feed: first read failed; starting again at the next poll", { error });
      starting = null;
    });
  let starting: Promise<void> | null = begin();

  let polling = false;
  let again = false;
  const poll = async () => {
    if (polling) {
      again = true;
      return;
    }
    polling = true;
    try {
      if (cursor === null) {
        starting ??= begin();
        await starting;
      }
      for (let pages = 0; pages < 100 && cursor && !stopped && listeners.size > 0; pages++) {
        again = false;
        const full = await read(cursor, true);
        if (!full && !again) break;
      }
    } catch (error) {
      ctx.log.warn("login change poll failed", { error });
    } finally {
      polling = false;
    }
  };

  // The connection that LISTENs, held while anyone listens; dropped on error, made again by the
  // next poll.
  let channel: pg.PoolClient | null = null;
  let connecting = false;
  let schema: string | null = null;
  const dropChannel = () => {
    const c = channel;
    channel = null;
    if (c) {
      c.removeAllListeners("notification");
      c.release(true);
    }
  };
  const listen = async () => {
    if (channel || connecting || stopped || listeners.size === 0) return;
    connecting = true;
    let c: pg.PoolClient | null = null;
    try {
      c = await db.pool.connect();
      c.on("error", (error) => {
        ctx.log.warn("login change channel lost; polling until it is back", { error });
        if (channel === c) dropChannel();
      });
      schema ??= (await c.query<{ s: string }>("SELECT current_schema() AS s")).rows[0]?.s ?? null;
      c.on("notification", (m) => {
        if (m.channel === CHANNEL && m.payload === schema) void poll();
      });
      await c.query(`LISTEN ${CHANNEL}`);
      if (stopped || listeners.size === 0 || channel) {
        c.release(true);
        return;
      }
      channel = c;
      // Anything committed while the channel was being set up.
      void poll();
    } catch (error) {
      ctx.log.warn("login change channel: LISTEN failed; polling", { error });
      c?.release(true);
    } finally {
      connecting = false;
    }
  };

  let timer: NodeJS.Timeout | null = null;
  const startPolling = () => {
    if (timer || stopped) return;
    void listen();
    if (pollMs > 0) {
      timer = setInterval(() => {
        if (ctx.closed) return stop();
        void listen();
        void poll();
      }, pollMs);
      timer.unref();
    }
  };
  const stopPolling = () => {
    if (timer) clearInterval(timer);
    timer = null;
    dropChannel();
  };
  /** The store is closing: no more polls, and the listening connection goes back (the pool's end
   *  waits for every connection it lent). */
  let stopped = false;
  const stop = () => {
    stopped = true;
    stopPolling();
  };

  let lastSweep = 0;
  // The absolute expiry and the idle limit, at most $2 of them.
  const sweepSql = `DELETE FROM web_sessions WHERE (kind, token_hash) IN (SELECT kind, token_hash FROM web_sessions
     WHERE expires_at <= $1 OR last_seen_at + idle_ms <= $1 LIMIT $2)`;

  return {
    async create(w, limits) {
      const { kind, hash, created, seen, expires, perAccount, total } = checkNewSession(w, limits);
      await uniqueAsExists(
        ctx.write(async (t) => {
          await mustAccount(t, w.accountId);
          await lockFor(t, LOCK.webSessions, kind === "web" ? 1 : 2);
          if (await t.one("SELECT 1 FROM web_sessions WHERE kind = $1 AND token_hash = $2", [kind, hash]))
            throw new StoreError("exists", "session exists");
          if (seen - lastSweep >= SWEEP_EVERY_MS) {
            lastSweep = seen;
            await t.run(sweepSql, [seen, SWEEP_LIMIT]);
          }
          const mine = (await t.one<{ n: number }>(
            "SELECT count(*) AS n FROM web_sessions WHERE account_id = $1 AND kind = $2",
            [w.accountId, kind],
          ))!.n;
          if (mine >= perAccount)
            await t.run(
              `DELETE FROM web_sessions WHERE (kind, token_hash) IN (SELECT kind, token_hash FROM web_sessions
                 WHERE account_id = $1 AND kind = $2 ORDER BY last_seen_at LIMIT $3)`,
              [w.accountId, kind, mine - perAccount + 1],
            );
          const all = (await t.one<{ n: number }>("SELECT count(*) AS n FROM web_sessions WHERE kind = $1", [
            kind,
          ]))!.n;
          if (all >= total)
            await t.run(
              `DELETE FROM web_sessions WHERE (kind, token_hash) IN (SELECT kind, token_hash FROM web_sessions
                 WHERE kind = $1 ORDER BY last_seen_at LIMIT $2)`,
              [kind, all - total + 1],
            );
          await t.run(`INSERT INTO web_sessions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
            kind,
            hash,
            w.accountId,
            String(w.credentialStamp),
            String(w.ip).slice(0, IP_MAX),
            created,
            seen,
            expires,
            w.idleMs,
          ]);
          return { value: undefined };
        }),
        "session exists",
      );
    },

    async get(kind, tokenHash, now) {
      kindOf(kind);
      if (typeof tokenHash !== "string" || tokenHash.length === 0 || tokenHash.length > HASH_MAX) return null;
      const t = millis(now, "now");
      ctx.assertOpen();
      const r = await db.one<Row>(`SELECT ${COLUMNS} FROM web_sessions WHERE kind = $1 AND token_hash = $2`, [
        kind,
        tokenHash,
      ]);
      if (!r) return null;
      if (expired(r, t)) {
        await ctx.write(async (tx) => ({
          value: await tx.run("DELETE FROM web_sessions WHERE kind = $1 AND token_hash = $2", [
            kind,
            tokenHash,
          ]),
        }));
        return null;
      }
      return toSession(r);
    },

    async touch(kind, tokenHash, at) {
      kindOf(kind);
      const t = millis(at, "at");
      const hash = hashOf(tokenHash);
      // Never back: a use recorded late does not undo a later one.
      await ctx.write(async (tx) => ({
        value: await tx.run(
          "UPDATE web_sessions SET last_seen_at = $1 WHERE kind = $2 AND token_hash = $3 AND last_seen_at < $1",
          [t, kind, hash],
        ),
      }));
    },

    async remove(kind, tokenHash) {
      kindOf(kind);
      if (typeof tokenHash !== "string" || tokenHash.length > HASH_MAX) return false;
      return ctx.write(async (t) => ({
        value:
          (await t.run("DELETE FROM web_sessions WHERE kind = $1 AND token_hash = $2", [kind, tokenHash])) >
          0,
      }));
    },

    async removeAccount(accountId, o = {}) {
      const kind = o.kind === undefined ? null : kindOf(o.kind);
      if (!Number.isSafeInteger(accountId)) return 0;
      return ctx.write(async (t) => ({
        value: await t.run(
          `DELETE FROM web_sessions WHERE account_id = $1 AND ($2::text IS NULL OR kind = $2)
             AND token_hash IS DISTINCT FROM $3::text`,
          [accountId, kind, o.except ?? null],
        ),
      }));
    },

    async sweep(now, limit) {
      const t = millis(now, "now");
      return ctx.write(async (tx) => ({
        value: await tx.run(sweepSql, [t, Math.max(0, Math.floor(limit))]),
      }));
    },

    async count(kind) {
      const k = kindOf(kind);
      ctx.assertOpen();
      return (
        (await db.one<{ n: number }>("SELECT count(*) AS n FROM web_sessions WHERE kind = $1", [k]))?.n ?? 0
      );
    },

    onLoginChange: (listener) => listeners.add(listener),

    stop,
  };
}
