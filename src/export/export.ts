// `yubin export`: an account's folders (or some of them) as a Maildir++ tree or as mbox files,
// for moving out or for a copy a user can open in any mail program. Streaming: one message body
// in memory at a time, message metadata read in UID windows, so memory is bounded whatever the
// mailbox size. Each folder is exported as it was when its turn came: mail arriving meanwhile
// (UIDs from the folder's UIDNEXT then on) is left for the next export, so the dovecot-uidlist
// header's next UID is right.
//
// mbox layout: Thunderbird's, which our import and Thunderbird read back: a file per folder
// named by its last level, subfolders of "A" in the directory "A.sbd"; INBOX is the file INBOX.
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Mailbox, MailStore, MessageMeta } from "../store/types.js";
import { MaildirFolderWriter, maildirDir, writeSubscriptions } from "./maildir-writer.js";
import { mboxEntry } from "./mbox-writer.js";

export type ExportFormat = "maildir" | "mbox";

export interface ExportOptions {
  format: ExportFormat;
  /** Only these folders (Yubin names, "INBOX" in any case); default all. */
  folders?: readonly string[];
  /** Called after each folder. */
  onFolder?(name: string, messages: number): void;
}

export interface ExportSummary {
  folders: number;
  messages: number;
  bytes: number;
  /** Keywords a Maildir folder could not carry (more than 26 distinct in one folder). */
  keywordsDropped: number;
  /** Folders whose name could not be written as it is (a "." in a Maildir++ level, a leading
   *  "." in an mbox file name): where they went. */
  renamed: { folder: string; path: string }[];
}

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportError";
  }
}

/** Message metadata is read this many UIDs at a time (widened over gaps in the UIDs). */
const UID_WINDOW = 1000;

/** The folder's messages below `uidNext`, in UID order, a window at a time. */
async function* messagesOf(mail: MailStore, mailbox: Mailbox): AsyncGenerator<MessageMeta> {
  let from = 1;
  let width = UID_WINDOW;
  while (from < mailbox.uidNext) {
    const to = Math.min(mailbox.uidNext - 1, from + width - 1);
    const page = await mail.listMessages(mailbox.id, { minUid: from, maxUid: to });
    // An empty window doubles the next (kept UIDs can leave wide gaps); bounded by log2(2^32).
    width = page.length === 0 ? Math.min(width * 2, 2 ** 32) : UID_WINDOW;
    yield* page;
    from = to + 1;
  }
}

/** The message's body, or null when it was expunged since its metadata was read (its blob may
 *  be gone): an export of a folder in use skips it rather than failing. */
async function bodyOf(mail: MailStore, meta: MessageMeta): Promise<Buffer | null> {
  try {
    return await mail.readBody(meta.blobId);
  } catch (e) {
    if ((await mail.getMessage(meta.mailboxId, meta.uid)) === null) return null;
    throw e;
  }
}

async function ensureEmptyDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return null;
    throw new ExportError(`cannot use ${dir}: ${e.code ?? e.message}`);
  });
  if (entries !== null && entries.length > 0) throw new ExportError(`${dir} is not empty`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

const sameName = (a: string, b: string) =>
  a === b || (a.toUpperCase() === "INBOX" && b.toUpperCase() === "INBOX");

/** Exports the account's folders into `dir` (which must be absent or empty). */
export async function exportAccount(
  store: { mail: MailStore },
  accountId: number,
  dir: string,
  opts: ExportOptions,
): Promise<ExportSummary> {
  const all = await store.mail.listMailboxes(accountId);
  const chosen = opts.folders ? all.filter((m) => opts.folders!.some((f) => sameName(f, m.name))) : all;
  for (const f of opts.folders ?? []) {
    if (!all.some((m) => sameName(f, m.name))) throw new ExportError(`no folder ${JSON.stringify(f)}`);
  }
  await ensureEmptyDir(dir);
  const summary: ExportSummary = { folders: 0, messages: 0, bytes: 0, keywordsDropped: 0, renamed: [] };
  // Parents before children (the sort puts "A" before "A/B").
  chosen.sort((a, b) => (a.name === "INBOX" ? -1 : b.name === "INBOX" ? 1 : a.name < b.name ? -1 : 1));
  for (const mailbox of chosen) {
    const n =
      opts.format === "maildir"
        ? await exportMaildirFolder(store.mail, mailbox, dir, summary)
        : await exportMboxFolder(store.mail, mailbox, dir, summary);
    summary.folders++;
    opts.onFolder?.(mailbox.name, n);
  }
  if (opts.format === "maildir") {
    await writeSubscriptions(
      dir,
      chosen.filter((m) => m.subscribed).map((m) => m.name),
    );
  }
  return summary;
}

async function exportMaildirFolder(
  mail: MailStore,
  mailbox: Mailbox,
  root: string,
  summary: ExportSummary,
): Promise<number> {
  if (mailbox.name.split("/").some((l) => l.includes(".")))
    summary.renamed.push({ folder: mailbox.name, path: maildirDir(mailbox.name) });
  const w = await MaildirFolderWriter.create(root, mailbox.name, mailbox);
  let n = 0;
  try {
    for await (const meta of messagesOf(mail, mailbox)) {
      const body = await bodyOf(mail, meta);
      if (body === null) continue;
      await w.write({ uid: meta.uid, body, flags: meta.flags, internalDate: meta.internalDate });
      n++;
      summary.messages++;
      summary.bytes += body.length;
    }
  } finally {
    await w.close();
  }
  summary.keywordsDropped += w.keywordsDropped;
  return n;
}

/** The mbox file of a folder: levels but the last are `.sbd` directories (Thunderbird). A level
 *  starting with "." (which readers skip as hidden) starts with "_" instead. */
function mboxPath(name: string): { rel: string; renamed: boolean } {
  const levels = name.split("/");
  let renamed = false;
  const safe = levels.map((l) => {
    if (!l.startsWith(".") && l !== "") return l;
    renamed = true;
    return `_${l.slice(1)}`;
  });
  const rel = [...safe.slice(0, -1).map((l) => `${l}.sbd`), safe[safe.length - 1]!].join("/");
  return { rel, renamed };
}

function write(stream: WriteStream, b: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    stream.once("error", onError);
    const ok = stream.write(b);
    const done = () => {
      stream.off("error", onError);
      resolve();
    };
    if (ok) done();
    else stream.once("drain", done);
  });
}

async function exportMboxFolder(
  mail: MailStore,
  mailbox: Mailbox,
  root: string,
  summary: ExportSummary,
): Promise<number> {
  const { rel, renamed } = mboxPath(mailbox.name);
  if (renamed) summary.renamed.push({ folder: mailbox.name, path: rel });
  const path = join(root, rel);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const stream = createWriteStream(path, { flags: "wx", mode: 0o600 });
  let n = 0;
  try {
    for await (const meta of messagesOf(mail, mailbox)) {
      const body = await bodyOf(mail, meta);
      if (body === null) continue;
      await write(stream, mboxEntry(body, meta.flags, meta.internalDate));
      n++;
      summary.messages++;
      summary.bytes += body.length;
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      stream.end((e?: Error | null) => (e ? reject(e) : resolve())),
    );
  }
  return n;
}
