// The import engine: files what an ImportSource (Maildir, mbox, a live IMAP server) streams into
// one account, folder by folder, in batches of one transaction each with the folder's resume
// position written in the same transaction (ImportStore.importBatch). So an import stopped at any
// point (an error, ^C, kill -9) continues after the last filed message when run again, never
// duplicating; run again later it picks up only what arrived since (a cut-over weekend).
// Memory: one batch being filed plus one being read, whatever the mailbox size.
import { toCrlf } from "../mime/line-ends.js";
import { QuotaError, StoreError } from "../store/errors.js";
import type { ImportedMessage, ImportStore, MailStore, QuotaUsage } from "../store/types.js";
import type { ImportFailure, ImportProgress, ImportSource, ImportSummary, SourceFolder } from "./types.js";

export interface ImportOptions {
  /** Skip messages whose content the account already holds (or that come twice). */
  dedupe?: boolean;
  /** A batch (one transaction) holds at most this many messages… */
  batchMessages?: number;
  /** …and at most about this many octets. */
  batchBytes?: number;
  /** Larger messages are failures, not filed (the CLI passes [imap] appendLimit). */
  maxMessageBytes?: number;
  /** How many failures the summary lists with reasons (all are counted). */
  maxFailures?: number;
  /** Only these folders (Yubin names, "INBOX" in any case). */
  folders?: string[];
  onProgress?(p: ImportProgress): void;
}

export const IMPORT_DEFAULTS = {
  batchMessages: 200,
  batchBytes: 16 * 1024 * 1024,
  maxMessageBytes: 50 * 1024 * 1024,
  maxFailures: 100,
} as const;

/** What runImport needs of the store (a Store has both). */
export interface ImportTarget {
  mail: Pick<MailStore, "quotaUsage">;
  imports: ImportStore;
}

/** The import would take the account over its quota; nothing of the failing batch was filed
 *  (nothing at all when the source told the sizes up front). `summary`: what was filed before. */
export class ImportQuotaError extends Error {
  constructor(
    message: string,
    readonly summary: ImportSummary,
  ) {
    super(message);
    this.name = "ImportQuotaError";
  }
}

/** The cursor an import leaves per source folder: where to continue, and under which UIDVALIDITY
 *  of the source that position means something. */
interface Cursor {
  uidValidity: number | null;
  position: string;
}

export function cursorKey(sourceId: string, folder: string): string {
  return `${sourceId}\0${folder}`;
}

function parseCursor(v: string | null): Cursor | null {
  if (v === null) return null;
  try {
    const c = JSON.parse(v) as Partial<Cursor>;
    if (typeof c.position !== "string") return null;
    return { uidValidity: typeof c.uidValidity === "number" ? c.uidValidity : null, position: c.position };
  } catch {
    return null;
  }
}

const sameFolder = (a: string, b: string) =>
  a === b || (a.toUpperCase() === "INBOX" && b.toUpperCase() === "INBOX");

function positive(n: number | undefined, dflt: number, name: string): number {
  if (n === undefined) return dflt;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer`);
  return n;
}

/** IMAP UIDs are 32-bit (RFC 3501 2.3.1.1). */
const MAX_UID = 0xffffffff;

const SYSTEM_FLAGS = new Set(["\\seen", "\\answered", "\\flagged", "\\deleted", "\\draft"]);

/** The flags the store can keep: system flags it knows and keywords that are IMAP atoms (RFC 3501
 *  9 flag-keyword). Others (\\Recent, a server's own "\\X", "a b") are dropped rather than
 *  refusing the message: its mail matters more than a label no IMAP client could show. */
export function storableFlags(flags: readonly string[]): string[] {
  return flags.filter((f) =>
    f.startsWith("\\") ? SYSTEM_FLAGS.has(f.toLowerCase()) : f !== "" && !/[\x00-\x20\x7f(){%*"\\\]]/.test(f),
  );
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Imports `source` into the account. The caller closes the source. */
export async function runImport(
  store: ImportTarget,
  accountId: number,
  source: ImportSource,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const started = Date.now();
  const batchMessages = positive(opts.batchMessages, IMPORT_DEFAULTS.batchMessages, "batchMessages");
  const batchBytes = positive(opts.batchBytes, IMPORT_DEFAULTS.batchBytes, "batchBytes");
  const maxMessageBytes = positive(opts.maxMessageBytes, IMPORT_DEFAULTS.maxMessageBytes, "maxMessageBytes");
  const maxFailures = opts.maxFailures ?? IMPORT_DEFAULTS.maxFailures;
  const summary: ImportSummary = {
    folders: 0,
    imported: 0,
    duplicates: 0,
    failed: 0,
    failures: [],
    bytes: 0,
    keptUids: 0,
    elapsedMs: 0,
  };
  const fail = (f: ImportFailure) => {
    summary.failed++;
    if (summary.failures.length < maxFailures) summary.failures.push(f);
  };

  // The folders first (cheap: their messages are read later), so the quota can be checked
  // before anything is filed.
  const folders: { folder: SourceFolder; cursor: Cursor | null }[] = [];
  for await (const folder of source.folders()) {
    if (opts.folders && !opts.folders.some((n) => sameFolder(n, folder.name))) continue;
    const cursor = parseCursor(await store.imports.cursor(accountId, cursorKey(source.id, folder.name)));
    folders.push({ folder, cursor });
  }
  checkQuotaUpFront(await store.mail.quotaUsage(accountId), folders, summary);
  const total = folders.every((f) => f.folder.count !== undefined)
    ? folders.reduce((n, f) => n + (f.folder.count ?? 0), 0)
    : null;
  let done = 0;
  const progress = (folder: string) =>
    opts.onProgress?.({
      folder,
      done,
      total,
      bytes: summary.bytes,
      duplicates: summary.duplicates,
      failed: summary.failed,
    });

  for (const { folder, cursor } of folders) {
    const key = cursorKey(source.id, folder.name);
    const srcValidity = folder.uidValidity ?? null;
    // A position means something only under the UIDVALIDITY it was taken under (RFC 3501 2.3.1.1):
    // when the source renumbered, read it all again and let dedupe drop what is already here.
    const resumed = cursor !== null && cursor.uidValidity === srcValidity;
    const dedupe = opts.dedupe === true || (cursor !== null && !resumed);
    let target: Awaited<ReturnType<ImportStore["importMailbox"]>>;
    try {
      target = await store.imports.importMailbox(accountId, folder.name, {
        specialUse: folder.specialUse,
        ...(folder.uidValidity !== undefined ? { uidValidity: folder.uidValidity } : {}),
        ...(folder.subscribed !== undefined ? { subscribed: folder.subscribed } : {}),
      });
    } catch (e) {
      // A name the store refuses ("a*b", too long) costs that folder, not the whole import.
      if (!(e instanceof StoreError && e.code === "invalid")) throw e;
      summary.failed += Math.max(0, (folder.count ?? 1) - 1);
      fail({ folder: folder.name, label: "the whole folder", reason: e.message });
      continue;
    }
    const { mailbox, kept } = target;
    summary.folders++;
    if (kept && folder.uidValidity !== undefined) summary.keptUids++;
    // The UID the store will give next, as far as this run can tell; a kept UID must not be
    // below it (mail that arrived meanwhile took it), else the message takes the next one.
    let nextUid = mailbox.uidNext;
    let batch: ImportedMessage[] = [];
    let batchSize = 0;
    let position: string | null = resumed ? cursor.position : null;
    let dirty = false; // position moved past something not yet recorded
    let pending: Promise<void> | null = null;

    const flush = async (messages: ImportedMessage[], at: string) => {
      const value = JSON.stringify({ uidValidity: srcValidity, position: at } satisfies Cursor);
      try {
        const r = await store.imports.importBatch(accountId, mailbox.id, messages, {
          dedupe,
          cursor: { key, value },
        });
        summary.imported += r.copies.length;
        summary.duplicates += r.duplicates;
        summary.bytes += r.bytes;
      } catch (e) {
        if (e instanceof QuotaError) {
          summary.elapsedMs = Date.now() - started;
          throw new ImportQuotaError(
            `import stopped: the next ${messages.length} messages of ${folder.name} would take the account over its quota (${e.message}); nothing of them was filed`,
            summary,
          );
        }
        throw e;
      }
      progress(folder.name);
    };
    /** Starts filing the batch while the next one is read; waits for the previous one first. */
    const send = async () => {
      if (pending) await pending;
      pending = null;
      if (!dirty || position === null) return;
      const p = flush(batch, position);
      p.catch(() => undefined); // awaited below; this only keeps it from being "unhandled"
      pending = p;
      batch = [];
      batchSize = 0;
      dirty = false;
    };

    try {
      for await (const item of folder.messages(position)) {
        done++;
        position = item.position;
        dirty = true;
        if ("failed" in item) {
          fail({ folder: folder.name, label: item.label, reason: item.reason });
          continue;
        }
        const body = toCrlf(item.body);
        if (body.length === 0) {
          fail({ folder: folder.name, label: item.label, reason: "empty message" });
          continue;
        }
        if (body.length > maxMessageBytes) {
          fail({
            folder: folder.name,
            label: item.label,
            reason: `${body.length} octets, larger than the ${maxMessageBytes} allowed`,
          });
          continue;
        }
        // A date the source could not read costs the message its date, not its place.
        const date = Number.isFinite(item.internalDate?.getTime()) ? item.internalDate : new Date();
        const m: ImportedMessage = { body, flags: storableFlags(item.flags), internalDate: date };
        const uid = item.uid;
        if (kept && uid !== undefined && Number.isSafeInteger(uid) && uid >= nextUid && uid <= MAX_UID) {
          m.uid = uid;
          nextUid = uid + 1;
        } else nextUid++;
        batch.push(m);
        batchSize += body.length;
        if (batch.length >= batchMessages || batchSize >= batchBytes) await send();
      }
      await send(); // the rest, or just the position past trailing failures
    } finally {
      // Whatever stopped the folder, the batch in flight lands (or fails) before we go on, so
      // the cursor on disk is the one a re-run should start from.
      const p = pending as Promise<void> | null;
      if (p) await p;
    }
    if (kept && folder.uidNext !== undefined) await store.imports.raiseUidNext(mailbox.id, folder.uidNext);
    progress(folder.name);
  }
  summary.elapsedMs = Date.now() - started;
  return summary;
}

/** Stops before anything is filed when the folders the source could size do not fit. Folders
 *  being resumed are left out: only their unread rest would be filed, of unknown size. */
function checkQuotaUpFront(
  usage: QuotaUsage,
  folders: { folder: SourceFolder; cursor: Cursor | null }[],
  summary: ImportSummary,
): void {
  let bytes = 0;
  let count = 0;
  for (const { folder, cursor } of folders) {
    if (cursor !== null) continue;
    bytes += folder.bytes ?? 0;
    count += folder.count ?? 0;
  }
  if (usage.quotaBytes > 0 && usage.bytes + bytes > usage.quotaBytes) {
    throw new ImportQuotaError(
      `import needs ${mib(bytes)} but the account has ${mib(Math.max(0, usage.quotaBytes - usage.bytes))} free of its ${mib(usage.quotaBytes)} quota; nothing was imported`,
      summary,
    );
  }
  if (usage.quotaMessages > 0 && usage.messages + count > usage.quotaMessages) {
    throw new ImportQuotaError(
      `import needs ${count} messages but the account has room for ${Math.max(0, usage.quotaMessages - usage.messages)} of its ${usage.quotaMessages}; nothing was imported`,
      summary,
    );
  }
}
