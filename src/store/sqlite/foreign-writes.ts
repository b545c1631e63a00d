// Mail changed by another process on the same database (`yubin import` while the server runs,
// or any other CLI write) told to this process's listeners: IMAP sessions (IDLE, NOOP), POP3
// maildrops, JMAP push. This process's own writes publish their events after each commit
// (context.ts); another process's do not reach our notifier, so they are looked for: every
// pollMs, SQLite's data_version (which moves only when another connection committed) and, when
// it moved, each mailbox's highest mod-sequence against the last one seen; the changes since are
// published as the events an own write would have made (cause "append" for added mail: the CLI
// files, it does not copy or move).
// They are published marked `remote` (made elsewhere), as a shared notifier marks another worker's
// or node's: a worker's notifier then does not send them on to the other workers (each polls the
// database itself; sent on, they came back to the worker that made the change as events it had
// already published, waking its sessions again).
// Own events keep the snapshot current, so they are not published twice; if one hides another
// process's earlier change to the same mailbox, the listener woken by it reads that change too
// (IMAP and JMAP read changesSince their last known mod-sequence).
import type { MailEvent, MailListener } from "../notifier.js";
import type { MailStore } from "../types.js";
import type { Ctx } from "./context.js";

interface Seen {
  accountId: number;
  name: string;
  /** -1: created by this process, to be adopted at the next look without an event. */
  modseq: number;
}

interface BoxRow {
  id: number;
  account_id: number;
  name: string;
  highest_modseq: number;
}

export function watchForeignWrites(
  ctx: Ctx,
  mail: Pick<MailStore, "changesSince">,
  opts: { pollMs: number; onForeignCommit?: () => void },
): { stop(): void } {
  if (opts.pollMs <= 0) return { stop() {} };
  const boxes = ctx.db.prepare<[], BoxRow>("SELECT id, account_id, name, highest_modseq FROM mailboxes");
  const dataVersion = () => ctx.db.pragma("data_version", { simple: true }) as number;
  // Taken at the first tick, not at open: a short CLI command never pays for the scan.
  let seen: Map<number, Seen> | null = null;
  let version = 0;
  let running = false;
  let stopped = false;
  let publishing = false;

  const own: MailListener = {
    onMailEvent(e: MailEvent) {
      if (!seen || publishing) return; // our own findings are in the snapshot already
      const s = seen.get(e.mailboxId);
      if ("modseq" in e) {
        if (s && s.modseq !== -1 && e.modseq > s.modseq) s.modseq = e.modseq;
      } else if (e.kind === "mailbox-created") {
        seen.set(e.mailboxId, { accountId: e.accountId, name: e.name, modseq: -1 });
      } else if (e.kind === "mailbox-deleted") seen.delete(e.mailboxId);
      // A "resync" (a shared notifier reconnected) reports the database, not a change made here:
      // the snapshot keeps what the next poll must still compare.
      else if (s && e.kind === "mailbox-renamed") s.name = e.name;
    },
  };
  ctx.notifier.subscribeAll(own);
  // A group commit's events are published after its fsync, but readers (this poll) see it from
  // its COMMIT on: a poll in between took this process's write for another's, read its changes
  // and published them to every listener of the mailbox, whose sessions then read them again
  // (with two workers, each committing while the other polls: 0.12 changesSince a mixed-load
  // IMAP operation). Told at the COMMIT, the snapshot is current before any poll can look.
  ctx.onOwnCommit = (events) => {
    for (const e of events) own.onMailEvent(e);
  };

  const snapshot = (): Map<number, Seen> => {
    const m = new Map<number, Seen>();
    for (const r of boxes.all())
      m.set(r.id, { accountId: r.account_id, name: r.name, modseq: r.highest_modseq });
    return m;
  };

  const look = async (): Promise<void> => {
    if (stopped || ctx.closed) return;
    const v = dataVersion();
    if (!seen) {
      seen = snapshot();
      version = v;
      return;
    }
    if (v === version) return;
    version = v;
    // New bodies among them (an import) wait in fts_pending for this process's indexer.
    opts.onForeignCommit?.();
    const events: MailEvent[] = [];
    const rows = boxes.all();
    const present = new Set<number>();
    for (const r of rows) {
      present.add(r.id);
      const s = seen.get(r.id);
      if (!s) {
        seen.set(r.id, { accountId: r.account_id, name: r.name, modseq: r.highest_modseq });
        events.push({ kind: "mailbox-created", accountId: r.account_id, mailboxId: r.id, name: r.name });
        continue;
      }
      if (s.modseq === -1) {
        s.modseq = r.highest_modseq;
        continue;
      }
      if (s.name !== r.name) {
        s.name = r.name;
        events.push({ kind: "mailbox-renamed", accountId: r.account_id, mailboxId: r.id, name: r.name });
      }
      if (r.highest_modseq > s.modseq) {
        const since = s.modseq;
        s.modseq = r.highest_modseq;
        // Nobody here listens to the account: no one to tell, so nothing to read. With
        // `--workers N` this is every account whose sessions are in another worker (which
        // published its own change): without it each worker read the changes of every mailbox
        // the others wrote to, once a poll (0.034 changesSince a mixed-load IMAP operation).
        // A listener that subscribes later reads the mailbox itself (IMAP SELECT, JMAP state).
        if (ctx.notifier.listens?.(r.account_id) === false) continue;
        events.push(...(await changeEvents(mail, r, since)));
      }
    }
    for (const [id, s] of seen) {
      if (present.has(id)) continue;
      seen.delete(id);
      events.push({ kind: "mailbox-deleted", accountId: s.accountId, mailboxId: id, name: s.name });
    }
    if (stopped || ctx.closed) return;
    publishing = true;
    try {
      for (const e of events) ctx.notifier.publish({ ...e, remote: true });
    } finally {
      publishing = false;
    }
  };

  const timer = setInterval(() => {
    if (running) return;
    running = true;
    look()
      .catch((error: unknown) => {
        if (!ctx.closed) ctx.log.warn("looking for other processes' mail changes failed", { error });
      })
      .finally(() => {
        running = false;
      });
  }, opts.pollMs);
  timer.unref();

  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      ctx.onOwnCommit = null;
      ctx.notifier.unsubscribeAll(own);
    },
  };
}

/** The added, flag and expunge events of one mailbox's changes after `since`. */
async function changeEvents(
  mail: Pick<MailStore, "changesSince">,
  box: BoxRow,
  since: number,
): Promise<MailEvent[]> {
  const changes = await mail.changesSince(box.id, since).catch(() => []);
  const by = { added: [] as number[], flags: [] as number[], expunged: [] as number[] };
  const top = { added: 0, flags: 0, expunged: 0 };
  for (const c of changes) {
    by[c.kind].push(c.uid);
    top[c.kind] = Math.max(top[c.kind], c.modseq);
  }
  const base = { accountId: box.account_id, mailboxId: box.id };
  const out: MailEvent[] = [];
  if (by.expunged.length > 0)
    out.push({ kind: "expunged", ...base, uids: by.expunged, modseq: top.expunged });
  if (by.added.length > 0)
    out.push({ kind: "added", ...base, uids: by.added, modseq: top.added, cause: "append" });
  if (by.flags.length > 0) out.push({ kind: "flags", ...base, uids: by.flags, modseq: top.flags });
  return out;
}
