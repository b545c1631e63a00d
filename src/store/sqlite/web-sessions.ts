// WebSessionStore on SQLite (tables: web-session-schema.ts). Writes are a login, a logout and a
// use recorded at most about once a minute per session (the callers batch: http/session.ts,
// jmap/http/tokens.ts), so each is one immediate transaction of its own, off the group-commit
// path that mail takes.
//
// Login changes reach listeners two ways. This process's writes: a TEMP trigger on
// login_changes (this connection only, so the file itself names no function another tool would
// lack) calls yubin_login_changed inside the transaction; the ids are handed out in a microtask,
// which runs only after the synchronous transaction has committed (a rolled-back one gives a
// harmless extra check). Another process's writes (`yubin user disable`): a poll of
// `seq > last seen` every pollMs, on the index, while anyone listens. SQLite's data_version
// would also tell that another connection wrote, but not what: every delivery would wake it.
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
import type { Ctx } from "./context.js";

/** Changes read per poll; more wait for the next one. */
const POLL_LIMIT = 1000;

export function createWebSessions(ctx: Ctx, opts: { pollMs: number }): WebSessionStore & { stop(): void } {
  const db = ctx.db;
  const s = {
    account: db.prepare<[number], { id: number }>("SELECT id FROM accounts WHERE id = ?"),
    insert: db.prepare<[string, string, number, string, string, number, number, number, number]>(
      `INSERT INTO web_sessions (kind, token_hash, account_id, credential_stamp, ip, created_at, last_seen_at, expires_at, idle_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    get: db.prepare<[string, string], Row>("SELECT * FROM web_sessions WHERE kind = ? AND token_hash = ?"),
    touch: db.prepare<[number, string, string, number]>(
      "UPDATE web_sessions SET last_seen_at = ? WHERE kind = ? AND token_hash = ? AND last_seen_at < ?",
    ),
    remove: db.prepare<[string, string]>("DELETE FROM web_sessions WHERE kind = ? AND token_hash = ?"),
    removeAccount: db.prepare<[number, string | null, string | null, string | null]>(
      `DELETE FROM web_sessions WHERE account_id = ? AND (? IS NULL OR kind = ?)
         AND token_hash IS NOT coalesce(?, '')`,
    ),
    countAccount: db.prepare<[number, string], { n: number }>(
      "SELECT count(*) AS n FROM web_sessions WHERE account_id = ? AND kind = ?",
    ),
    oldestOfAccount: db.prepare<[number, string, number]>(
      `DELETE FROM web_sessions WHERE (kind, token_hash) IN (SELECT kind, token_hash FROM web_sessions
         WHERE account_id = ? AND kind = ? ORDER BY last_seen_at LIMIT ?)`,
    ),
    count: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM web_sessions WHERE kind = ?"),
    oldest: db.prepare<[string, number]>(
      `DELETE FROM web_sessions WHERE (kind, token_hash) IN (SELECT kind, token_hash FROM web_sessions
         WHERE kind = ? ORDER BY last_seen_at LIMIT ?)`,
    ),
    // The absolute expiry on its index; idle ones by a scan bounded by the limit.
    sweep: db.prepare<[number, number, number]>(
      `DELETE FROM web_sessions WHERE (kind, token_hash) IN (SELECT kind, token_hash FROM web_sessions
         WHERE expires_at <= ? OR last_seen_at + idle_ms <= ? LIMIT ?)`,
    ),
    maxSeq: db.prepare<[], { seq: number }>("SELECT coalesce(max(seq), 0) AS seq FROM login_changes"),
    changes: db.prepare<[number, number], { account_id: number; seq: number }>(
      "SELECT account_id, seq FROM login_changes WHERE seq > ? ORDER BY seq LIMIT ?",
    ),
  };

  // ---- login changes ----
  const listeners = new LoginListeners(
    ctx.log,
    () => startPolling(),
    () => stopPolling(),
  );
  const emit = (id: number) => listeners.emit(id);
  const pending = new Set<number>();
  let flushing = false;
  const flush = () => {
    flushing = false;
    const ids = [...pending];
    pending.clear();
    for (const id of ids) emit(id);
  };
  db.function("yubin_login_changed", { deterministic: false }, (id: unknown) => {
    if (listeners.size > 0 && typeof id === "number" && Number.isSafeInteger(id)) {
      pending.add(id);
      if (!flushing) {
        flushing = true;
        queueMicrotask(flush);
      }
    }
    return null;
  });
  db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS login_changes_here AFTER INSERT ON main.login_changes
    BEGIN SELECT yubin_login_changed(NEW.account_id); END`);

  let cursor = 0;
  let timer: NodeJS.Timeout | null = null;
  const poll = () => {
    if (ctx.closed) return stopPolling();
    try {
      for (const r of s.changes.all(cursor, POLL_LIMIT)) {
        cursor = r.seq;
        emit(r.account_id);
      }
    } catch (error) {
      ctx.log.warn("login change poll failed", { error });
    }
  };
  const startPolling = () => {
    if (timer || opts.pollMs <= 0) return;
    cursor = s.maxSeq.get()?.seq ?? 0;
    timer = setInterval(poll, opts.pollMs);
    timer.unref();
  };
  const stopPolling = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };

  let lastSweep = 0;
  const sweep = (now: number, limit: number) => s.sweep.run(now, now, limit).changes;

  return {
    async create(w, limits) {
      const { kind, hash, created, seen, expires, perAccount, total } = checkNewSession(w, limits);
      ctx.write(() => {
        if (!s.account.get(w.accountId)) throw new StoreError("not-found", `no account ${w.accountId}`);
        if (s.get.get(kind, hash)) throw new StoreError("exists", "session exists");
        if (seen - lastSweep >= SWEEP_EVERY_MS) {
          lastSweep = seen;
          sweep(seen, SWEEP_LIMIT);
        }
        const mine = s.countAccount.get(w.accountId, kind)?.n ?? 0;
        if (mine >= perAccount) s.oldestOfAccount.run(w.accountId, kind, mine - perAccount + 1);
        const all = s.count.get(kind)?.n ?? 0;
        if (all >= total) s.oldest.run(kind, all - total + 1);
        s.insert.run(
          kind,
          hash,
          w.accountId,
          String(w.credentialStamp),
          String(w.ip).slice(0, IP_MAX),
          created,
          seen,
          expires,
          w.idleMs,
        );
        return { value: undefined };
      });
    },

    async get(kind, tokenHash, now) {
      kindOf(kind);
      if (typeof tokenHash !== "string" || tokenHash.length === 0 || tokenHash.length > HASH_MAX) return null;
      const t = millis(now, "now");
      const r = ctx.read(() => s.get.get(kind, tokenHash));
      if (!r) return null;
      if (expired(r, t)) {
        ctx.write(() => ({ value: s.remove.run(kind, tokenHash) }));
        return null;
      }
      return toSession(r);
    },

    async touch(kind, tokenHash, at) {
      kindOf(kind);
      const t = millis(at, "at");
      ctx.write(() => ({ value: s.touch.run(t, kind, hashOf(tokenHash), t) }));
    },

    async remove(kind, tokenHash) {
      kindOf(kind);
      if (typeof tokenHash !== "string" || tokenHash.length > HASH_MAX) return false;
      return ctx.write(() => ({ value: s.remove.run(kind, tokenHash).changes > 0 }));
    },

    async removeAccount(accountId, o = {}) {
      const kind = o.kind === undefined ? null : kindOf(o.kind);
      return ctx.write(() => ({
        value: s.removeAccount.run(accountId, kind, kind, o.except ?? null).changes,
      }));
    },

    async sweep(now, limit) {
      const t = millis(now, "now");
      return ctx.write(() => ({ value: sweep(t, Math.max(0, Math.floor(limit))) }));
    },

    async count(kind) {
      return ctx.read(() => s.count.get(kindOf(kind))?.n ?? 0);
    },

    onLoginChange: (listener) => listeners.add(listener),

    stop: stopPolling,
  };
}
