// mbox files as an import source (`yubin import mbox`): one file, or a directory of them in
// Thunderbird's layout (Inbox, Sent, Folder.sbd/Sub, .msf index files ignored) or mutt's and
// Dovecot's (plain files, subdirectories for subfolders, "name.mbox" as well as "name").
// Each file is read as a stream through MboxSplitter: memory is one message plus one chunk.
// A message's position is the file offset just past it, so a resumed import opens the file
// there; flags come from the state header fields (state-headers.ts), the internal date from the
// From_ line, else the Date field, else the file's modification time.
import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { parseRfc5322Date } from "../../mime/date-parse.js";
import type { SpecialUse } from "../../store/types.js";
import type { ImportSource, SourceFailure, SourceFolder, SourceMessage } from "../types.js";
import { fromLineDate } from "./from-line.js";
import { MboxSplitter } from "./split.js";
import { flagsFromFields, stripStateFields } from "./state-headers.js";

export interface MboxSourceOptions {
  /** Larger messages are failures, skipped without being held in memory. */
  maxMessageBytes: number;
  /** For a single file: the folder it fills. Default: INBOX for a file named Inbox, INBOX or mbox
   *  (any case), else the file's name without ".mbox". Not allowed for a directory. */
  folder?: string;
  /** Read size. Default 256 KiB. */
  chunkBytes?: number;
}

export class MboxSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MboxSourceError";
  }
}

/** Files that live beside mbox files in mail directories and are not mail. */
const NOT_MAIL = /\.(?:msf|dat|html?|json|sqlite|db|lock|log|bak|tmp|ini|js)$/i;
/** Directory depth walked at most (a link loop or a pathological tree must end). */
const MAX_DEPTH = 32;
/** Files looked at at most in a directory tree. */
const MAX_FILES = 100_000;

/** Top-level folder names that say their role (Thunderbird's, Outlook's, mutt's usual ones).
 *  Templates has no special-use attribute (RFC 6154), so it is none. */
const ROLES: Record<string, SpecialUse> = {
  sent: "\\Sent",
  "sent messages": "\\Sent",
  "sent items": "\\Sent",
  "sent mail": "\\Sent",
  drafts: "\\Drafts",
  trash: "\\Trash",
  "deleted items": "\\Trash",
  "deleted messages": "\\Trash",
  junk: "\\Junk",
  spam: "\\Junk",
  archive: "\\Archive",
  archives: "\\Archive",
};

export function specialUseOf(name: string): SpecialUse | null {
  if (name.includes("/")) return null;
  return ROLES[name.toLowerCase()] ?? null;
}

interface MboxFile {
  name: string;
  path: string;
  /** Path relative to the import's root, for labels. */
  rel: string;
  size: number;
  mtime: Date;
}

async function startsLikeMbox(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const b = Buffer.alloc(5);
    const { bytesRead } = await fh.read(b, 0, 5, 0);
    return bytesRead === 5 && b.toString("latin1") === "From ";
  } finally {
    await fh.close();
  }
}

/** The folder a file's name gives: ".mbox" dropped; a top-level Inbox is INBOX. */
function folderName(levels: readonly string[], file: string): string {
  const leaf = file.toLowerCase().endsWith(".mbox") && file.length > 5 ? file.slice(0, -5) : file;
  const all = [...levels, leaf];
  // Inbox and its subfolders (Thunderbird's Inbox.sbd/) belong to INBOX, in any case.
  if (all[0]!.toLowerCase() === "inbox") all[0] = "INBOX";
  return all.join("/");
}

/** Every mbox file under `root`, sorted by path, with the folder names they fill. */
async function walk(root: string): Promise<MboxFile[]> {
  const out: MboxFile[] = [];
  let seen = 0;
  const visit = async (dir: string, levels: string[], rel: string): Promise<void> => {
    if (levels.length > MAX_DEPTH)
      throw new MboxSourceError(`${dir}: more than ${MAX_DEPTH} levels of folders`);
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (++seen > MAX_FILES) throw new MboxSourceError(`${root}: more than ${MAX_FILES} files`);
      if (e.name.startsWith(".")) continue;
      const path = join(dir, e.name);
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      // Links are not followed: a link loop would never end, and a link out of the tree is not
      // what the user pointed at.
      if (e.isDirectory()) {
        if (e.name.endsWith(".mozmsgs")) continue; // Thunderbird's search-integration files
        const level = e.name.endsWith(".sbd") ? e.name.slice(0, -4) : e.name;
        await visit(path, [...levels, level], r);
        continue;
      }
      if (!e.isFile() || NOT_MAIL.test(e.name)) continue;
      const st = await stat(path);
      // An empty file is an empty folder (Thunderbird makes one per folder); anything else
      // must start with a From_ line.
      if (st.size > 0 && !(await startsLikeMbox(path))) continue;
      out.push({ name: folderName(levels, e.name), path, rel: r, size: st.size, mtime: st.mtime });
    }
  };
  await visit(root, [], "");
  // "A" and "A.mbox" would fill the same folder: the second keeps its full name.
  const taken = new Set<string>();
  for (const f of out) {
    if (taken.has(f.name.toUpperCase())) f.name = f.rel;
    taken.add(f.name.toUpperCase());
  }
  return out;
}

export async function openMboxSource(path: string, opts: MboxSourceOptions): Promise<ImportSource> {
  const root = resolve(path);
  const st = await stat(root).catch((e: NodeJS.ErrnoException) => {
    throw new MboxSourceError(`cannot read ${path}: ${e.code ?? e.message}`);
  });
  let files: MboxFile[];
  if (st.isDirectory()) {
    if (opts.folder !== undefined)
      throw new MboxSourceError("a folder name is for a single mbox file, not a directory");
    files = await walk(root);
  } else if (st.isFile()) {
    const file = basename(root);
    const lower = file.toLowerCase();
    const name = opts.folder ?? (lower === "inbox" || lower === "mbox" ? "INBOX" : folderName([], file));
    if (st.size > 0 && !(await startsLikeMbox(root)))
      throw new MboxSourceError(`${path} is not an mbox file (it does not start with "From ")`);
    files = [{ name, path: root, rel: file, size: st.size, mtime: st.mtime }];
  } else throw new MboxSourceError(`${path} is neither a file nor a directory`);
  const chunkBytes = opts.chunkBytes ?? 256 * 1024;
  return {
    id: `mbox:${root}`,
    async *folders(): AsyncGenerator<SourceFolder> {
      for (const f of files) {
        yield {
          name: f.name,
          specialUse: specialUseOf(f.name),
          bytes: f.size,
          messages: (after) => readMessages(f, after, { max: opts.maxMessageBytes, chunkBytes }),
        };
      }
    },
    async close() {},
  };
}

async function* readMessages(
  f: MboxFile,
  after: string | null,
  o: { max: number; chunkBytes: number },
): AsyncGenerator<SourceMessage | SourceFailure> {
  let offset = 0;
  if (after !== null) {
    if (!/^\d{1,15}$/.test(after))
      throw new MboxSourceError(`${f.rel}: bad resume position ${JSON.stringify(after)}`);
    offset = Number(after);
  }
  if (offset > 0) {
    // A resumed read must land on a From_ line: an offset means something only in a file that
    // has just grown since (an MDA appends). One a client rewrote (compacted) would be read from
    // the middle of some message: reported, not guessed at, so nothing is filed twice.
    // The last message read may have ended the file without the empty line that separates
    // messages; an MDA appending writes it first: skipped.
    const fh = await open(f.path, "r");
    const head = Buffer.alloc(7);
    const { bytesRead } = await fh.read(head, 0, 7, offset).finally(() => fh.close());
    if (bytesRead === 0) return; // nothing new
    const text = head.subarray(0, bytesRead).toString("latin1");
    const blank = text.startsWith("\r\n") ? 2 : text.startsWith("\n") ? 1 : 0;
    if (blank > 0 && bytesRead === blank) return; // only the separator: nothing new
    offset += blank;
    if (!text.startsWith("From ", blank)) {
      yield {
        failed: true,
        label: `${f.rel} offset ${offset}`,
        position: after!,
        reason:
          "the file changed since the last import (no message starts where it stopped): the rest was not imported; import the file into a new folder with --dedupe",
      };
      return;
    }
  }
  const splitter = new MboxSplitter({ maxMessageBytes: o.max, offset });
  const stream = createReadStream(f.path, { start: offset, highWaterMark: o.chunkBytes });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (const e of splitter.push(chunk)) yield toMessage(f, e, o.max);
    }
    for (const e of splitter.end()) yield toMessage(f, e, o.max);
  } finally {
    stream.destroy();
  }
}

function toMessage(
  f: MboxFile,
  e: ReturnType<MboxSplitter["push"]>[number],
  max: number,
): SourceMessage | SourceFailure {
  const label = `${f.rel} offset ${e.start}`;
  const position = String(e.end);
  if (e.fromLine === null)
    return {
      failed: true,
      label,
      position,
      reason: 'text that is not a message (no "From " line before it)',
    };
  if (e.body === null)
    return { failed: true, label, position, reason: `${e.size} octets, larger than the ${max} allowed` };
  const { body, fields } = stripStateFields(e.body);
  const date = fields.get("date");
  const internalDate = fromLineDate(e.fromLine) ?? (date !== undefined ? dateOf(date) : null) ?? f.mtime;
  return { body, flags: flagsFromFields(fields), internalDate, position, label };
}

function dateOf(v: string): Date | null {
  const p = parseRfc5322Date(v);
  return p ? new Date(p.time) : null;
}
