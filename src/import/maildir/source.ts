// A Maildir (Dovecot's or Courier's) as an ImportSource: folders from the layout (folders.ts),
// each message's flags and keywords from its file name (flags.ts), UIDVALIDITY and UIDs from
// dovecot-uidlist or Courier's courierimapuiddb (uidlist.ts), and the internal date from the
// file's mtime (Dovecot's rule: it sets a delivered or APPENDed file's mtime to the received date).
//
// Streaming: a folder's file names are listed (names only), then files are read one at a time
// as the engine asks. Order: the files the uidlist names, by UID; then the others (never seen by
// Dovecot: they get new UIDs after the kept ones) by delivery time (the leading seconds of the
// name) and name.
//
// Position (where a re-run continues): "<last uid>", or "<last uid>/<last base name>" once past
// unlisted files. A re-run skips listed files up to that UID and unlisted ones up to that name, so
// mail Dovecot delivered meanwhile (higher UIDs, later names) is picked up by a later run, and an
// unlisted file taken before that Dovecot has listed since is not taken twice.
//
// Courier's keywords come from its courierimapkeywords/ (courier-keywords.ts). Not read:
// Dovecot's index files (dovecot.index*: caches; flags live in the names), tmp/ (mail being
// written), `maildirfolder`.
import { constants } from "node:fs";
import { open, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ImportSource, SourceFailure, SourceFolder, SourceMessage } from "../types.js";
import { readCourierKeywords } from "./courier-keywords.js";
import { flagsFromLetters, sizesFromBase, splitFileName } from "./flags.js";
import {
  detectLayout,
  listFolders,
  type MaildirFolderDir,
  type MaildirLayout,
  parseSubscriptions,
  specialUseFor,
} from "./folders.js";
import { parseKeywords, parseUidList, type UidList } from "./uidlist.js";

export interface MaildirSourceOptions {
  /** Default: Maildir++ when the root holds `.Name` folders, else fs. */
  layout?: MaildirLayout;
  /** Larger files are failures, not read (the engine would refuse them anyway). */
  maxMessageBytes?: number;
  /** Files read at once, yielded in order (default 8; each holds one message in memory). */
  readAhead?: number;
}

export class MaildirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MaildirError";
  }
}

/** One message file as listed. */
interface Entry {
  sub: "cur" | "new";
  name: string;
  base: string;
  uid?: number;
}

/** The Maildir at `path` (the user's Maildir root, whose cur/ and new/ are the INBOX). */
export async function openMaildirSource(
  path: string,
  opts: MaildirSourceOptions = {},
): Promise<ImportSource & { layout: MaildirLayout }> {
  const root = await realpath(path).catch((e: NodeJS.ErrnoException) => {
    throw new MaildirError(`${path}: ${e.code === "ENOENT" ? "no such directory" : e.message}`);
  });
  if (!(await stat(root)).isDirectory()) throw new MaildirError(`${path}: not a directory`);
  const layout = opts.layout ?? (await detectLayout(root));
  const dirs = await listFolders(root, layout);
  if (dirs.length === 0)
    throw new MaildirError(`${path}: not a Maildir (no cur/ or new/ in it or in any folder below it)`);
  const subscribed = await readSubscriptions(root, layout);
  return {
    id: `maildir:${root}`,
    layout,
    async *folders(): AsyncIterable<SourceFolder> {
      for (const d of dirs) yield await folder(d, subscribed, opts);
    },
    async close() {},
  };
}

const readText = (p: string) => readFile(p, "utf8").catch(() => null);

async function readSubscriptions(root: string, layout: MaildirLayout): Promise<Set<string> | null> {
  const dovecot = await readText(join(root, "subscriptions"));
  // Dovecot's version 1 file uses the IMAP delimiter: "." in Maildir++ unless configured.
  if (dovecot !== null) return parseSubscriptions(dovecot, { delimiter: layout === "fs" ? "/" : "." });
  const courier = await readText(join(root, "courierimapsubscribed"));
  if (courier !== null) return parseSubscriptions(courier, { delimiter: ".", courier: true });
  return null;
}

async function readUidList(dir: string): Promise<UidList | null> {
  const text =
    (await readText(join(dir, "dovecot-uidlist"))) ?? (await readText(join(dir, "courierimapuiddb")));
  return text === null ? null : parseUidList(text);
}

/** The message files of a folder in import order. */
async function listEntries(dir: string, uidList: UidList | null): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const sub of ["cur", "new"] as const) {
    const names = await readdir(join(dir, sub)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return [] as string[];
      throw new MaildirError(`${join(dir, sub)}: ${e.message}`);
    });
    for (const name of names) {
      if (name.startsWith(".")) continue; // maildir(5): names starting with a dot are not mail
      const { base } = splitFileName(name);
      const uid = uidList?.uids.get(base);
      out.push(uid === undefined ? { sub, name, base } : { sub, name, base, uid });
    }
  }
  return out.sort(compareEntries);
}

function compareEntries(a: Entry, b: Entry): number {
  if (a.uid !== undefined || b.uid !== undefined) {
    if (a.uid === undefined) return 1;
    if (b.uid === undefined) return -1;
    return a.uid - b.uid;
  }
  return compareBases(a.base, b.base);
}

/** Delivery order of unlisted files: the leading seconds of maildir(5) names, then the name. */
function compareBases(a: string, b: string): number {
  const ta = leadingNumber(a);
  const tb = leadingNumber(b);
  if (ta !== tb) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function leadingNumber(s: string): number {
  const m = /^\d{1,15}/.exec(s);
  return m ? Number(m[0]) : Number.MAX_SAFE_INTEGER;
}

async function folder(
  d: MaildirFolderDir,
  subscribed: Set<string> | null,
  opts: MaildirSourceOptions,
): Promise<SourceFolder> {
  const uidList = await readUidList(d.dir);
  const keywords = parseKeywords((await readText(join(d.dir, "dovecot-keywords"))) ?? "");
  const courierKeywords = await readCourierKeywords(d.dir);
  // Count and size without reading a message: W= (the size with CRLF, what is stored here) or S=
  // from the name when Dovecot or Maildir++ wrote them, else a stat.
  const entries = await listEntries(d.dir, uidList);
  let bytes = 0;
  for (const e of entries) {
    const s = sizesFromBase(e.base);
    bytes += s.vsize ?? s.size ?? (await stat(join(d.dir, e.sub, e.name)).catch(() => null))?.size ?? 0;
  }
  const count = entries.length;
  return {
    name: d.name,
    specialUse: specialUseFor(d.name),
    ...(uidList ? { uidValidity: uidList.uidValidity, uidNext: uidList.uidNext } : {}),
    ...(subscribed && d.name !== "INBOX" ? { subscribed: subscribed.has(d.name) } : {}),
    count,
    bytes,
    messages: (after) => readMessages({ dir: d.dir, uidList, keywords, courierKeywords, after, opts }),
  };
}

/** Parses a position this source wrote: the last UID taken and, past the listed files, the last
 *  unlisted base name. */
function parsePosition(after: string | null): { uid: number; base: string | null } {
  if (after === null) return { uid: 0, base: null };
  const slash = after.indexOf("/");
  const uid = Number(slash < 0 ? after : after.slice(0, slash));
  return { uid: Number.isSafeInteger(uid) ? uid : 0, base: slash < 0 ? null : after.slice(slash + 1) };
}

async function* readMessages(o: {
  dir: string;
  uidList: UidList | null;
  keywords: ReadonlyMap<number, string>;
  courierKeywords: ReadonlyMap<string, string[]> | null;
  after: string | null;
  opts: MaildirSourceOptions;
}): AsyncIterable<SourceMessage | SourceFailure> {
  const from = parsePosition(o.after);
  let lastUid = from.uid;
  let lastBase = from.base;
  // Up to READ_AHEAD files are read at once, yielded in order: each read is a few round trips
  // to libuv's thread pool, which one at a time leave the disk and the pool mostly idle.
  const ahead: Promise<SourceMessage | SourceFailure>[] = [];
  for (const e of await listEntries(o.dir, o.uidList)) {
    if (e.uid !== undefined) {
      // Past unlisted files, a listed one named no later than the last of them was one of them,
      // since listed by the server that still runs on this Maildir: taken already.
      if (e.uid <= from.uid || (from.base !== null && compareBases(e.base, from.base) <= 0)) continue;
      lastUid = e.uid;
    } else {
      if (from.base !== null && compareBases(e.base, from.base) <= 0) continue;
      lastBase = e.base;
    }
    const position = lastBase === null ? String(lastUid) : `${lastUid}/${lastBase}`;
    const extra = o.courierKeywords?.get(e.base) ?? [];
    const read = readEntry(o.dir, e, {
      position,
      keywords: o.keywords,
      extra,
      maxBytes: o.opts.maxMessageBytes,
    });
    read.catch(() => undefined); // awaited in turn below; this only keeps it from being "unhandled"
    ahead.push(read);
    if (ahead.length >= Math.max(1, o.opts.readAhead ?? READ_AHEAD)) yield await ahead.shift()!;
  }
  while (ahead.length > 0) yield await ahead.shift()!;
}

const READ_AHEAD = 8;

async function readEntry(
  dir: string,
  e: Entry,
  o: {
    position: string;
    keywords: ReadonlyMap<number, string>;
    /** Courier's keywords of this message. */
    extra: readonly string[];
    maxBytes: number | undefined;
  },
): Promise<SourceMessage | SourceFailure> {
  let path = join(dir, e.sub, e.name);
  const failed = (reason: string): SourceFailure => ({
    failed: true,
    label: path,
    reason,
    position: o.position,
  });
  let read = await readFileAt(path, o.maxBytes);
  if (read.kind === "gone") {
    // Renamed since the listing: a flag change (a new info) or new/ → cur/, by a server still
    // running on this Maildir. Found again by its base name, once.
    const moved = await findByBase(dir, e.base);
    if (moved === null) return failed("the file vanished while importing (expunged meanwhile?)");
    e = { ...e, ...moved };
    path = join(dir, e.sub, e.name);
    read = await readFileAt(path, o.maxBytes);
    if (read.kind === "gone") return failed("the file vanished while importing (expunged meanwhile?)");
  }
  if (read.kind === "failed") return failed(read.reason);
  const { letters } = splitFileName(e.name);
  return {
    body: read.body,
    flags: [...new Set([...flagsFromLetters(letters, o.keywords), ...o.extra])],
    internalDate: read.mtime,
    ...(e.uid !== undefined ? { uid: e.uid } : {}),
    position: o.position,
    label: path,
  };
}

type Read = { kind: "ok"; body: Buffer; mtime: Date } | { kind: "gone" } | { kind: "failed"; reason: string };

async function readFileAt(path: string, maxBytes: number | undefined): Promise<Read> {
  // O_NONBLOCK: a FIFO put in cur/ must not hang the import at open (regular files ignore it).
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(
    (e: NodeJS.ErrnoException) => e,
  );
  if (fh instanceof Error) {
    if (fh.code === "ENOENT") return { kind: "gone" };
    return { kind: "failed", reason: `cannot open: ${fh.code ?? fh.message}` };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { kind: "failed", reason: "not a regular file" };
    if (st.size === 0) return { kind: "failed", reason: "empty file" };
    if (maxBytes !== undefined && st.size > maxBytes)
      return { kind: "failed", reason: `${st.size} octets, larger than the ${maxBytes} allowed` };
    // One read of the size fstat gave (a file still growing is cut there, as a Maildir file
    // never changes once in cur/ or new/); fh.readFile() would fstat and read again.
    const body = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < body.length) {
      const { bytesRead } = await fh.read(body, got, body.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { kind: "ok", body: got === body.length ? body : body.subarray(0, got), mtime: st.mtime };
  } catch (e) {
    return {
      kind: "failed",
      reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    };
  } finally {
    await fh.close();
  }
}

async function findByBase(dir: string, base: string): Promise<{ sub: "cur" | "new"; name: string } | null> {
  for (const sub of ["cur", "new"] as const) {
    const names = await readdir(join(dir, sub)).catch(() => [] as string[]);
    const name = names.find((n) => splitFileName(n).base === base);
    if (name !== undefined) return { sub, name };
  }
  return null;
}
