// Which directories of a Maildir are folders, and their names and roles.
//   Maildir++ (Dovecot's default layout, Courier's only one): INBOX is the root; every other
//     folder is a directory `.Name.Sub` beside cur/ new/ tmp/ ("." as the hierarchy delimiter).
//   LAYOUT=fs (Dovecot's option): folders are directories `Name/Sub` under the root; a directory
//     without cur/ is only a parent (IMAP's \Noselect) and is made as a parent here.
// Names on disk are modified UTF-7 (RFC 3501 5.1.3), as Dovecot and Courier write them.
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { decodeMailboxName } from "../../imap/wire/utf7.js";
import type { SpecialUse } from "../../store/types.js";

export type MaildirLayout = "maildir++" | "fs";

export interface MaildirFolderDir {
  /** Yubin's name: "INBOX", or levels joined by "/". */
  name: string;
  dir: string;
}

/** Bounds on a walk of an fs-layout tree (a symlink loop or a huge unrelated tree given as the
 *  Maildir must not run on forever). */
const MAX_DEPTH = 32;
const MAX_FOLDERS = 100_000;

const isDir = async (p: string) => (await stat(p).catch(() => null))?.isDirectory() === true;
/** A mailbox directory has cur/ (Dovecot and Courier make cur/, new/ and tmp/ together). */
const isMailbox = async (dir: string) => (await isDir(join(dir, "cur"))) || (await isDir(join(dir, "new")));

/** One level of a name as stored on disk, decoded; kept as it is when not valid modified UTF-7
 *  (a name written by a tool that stores UTF-8); a "/" inside a level becomes "_". */
function level(raw: string): string {
  return (decodeMailboxName(raw) ?? raw).replaceAll("/", "_");
}

/** Maildir++ when the root holds a `.Name` folder with cur/ or new/, else fs. */
export async function detectLayout(root: string): Promise<MaildirLayout> {
  for (const e of await readdir(root, { withFileTypes: true })) {
    if (e.name.startsWith(".") && e.name !== "." && e.name !== ".." && e.isDirectory())
      if (await isMailbox(join(root, e.name))) return "maildir++";
  }
  return "fs";
}

/** The folders under `root`, INBOX (the root) first, then by name. */
export async function listFolders(root: string, layout: MaildirLayout): Promise<MaildirFolderDir[]> {
  const out: MaildirFolderDir[] = [];
  if (await isMailbox(root)) out.push({ name: "INBOX", dir: root });
  if (layout === "maildir++") {
    for (const e of await readdir(root, { withFileTypes: true })) {
      if (!e.name.startsWith(".") || e.name === "." || e.name === ".." || !e.isDirectory()) continue;
      const dir = join(root, e.name);
      if (!(await isMailbox(dir))) continue;
      const levels = e.name.slice(1).split(".");
      // `.INBOX.Sub` is how a subfolder of INBOX looks on disk.
      const name = levels.map(level).join("/");
      out.push({ name: /^inbox(\/|$)/i.test(name) ? `INBOX${name.slice(5)}` : name, dir });
      if (out.length >= MAX_FOLDERS) break;
    }
  } else await walkFs(root, [], out);
  return out.sort((a, b) => (a.name === "INBOX" ? -1 : b.name === "INBOX" ? 1 : a.name < b.name ? -1 : 1));
}

async function walkFs(dir: string, levels: string[], out: MaildirFolderDir[]): Promise<void> {
  if (levels.length >= MAX_DEPTH) return;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (out.length >= MAX_FOLDERS) return;
    // cur/ new/ tmp/ are the mail; dot-names are Dovecot's and Courier's own files.
    if (!e.isDirectory() || e.name.startsWith(".") || ["cur", "new", "tmp"].includes(e.name)) continue;
    const sub = join(dir, e.name);
    const names = [...levels, level(e.name)];
    if (await isMailbox(sub)) {
      const name = names.join("/");
      out.push({ name: /^inbox(\/|$)/i.test(name) ? `INBOX${name.slice(5)}` : name, dir: sub });
    }
    await walkFs(sub, names, out);
  }
}

/** Dovecot's default special-use names (conf.d/15-mailboxes.conf) and the common ones of other
 *  servers and clients, for top-level folders: a Maildir does not record roles. */
const ROLE_BY_NAME: ReadonlyMap<string, SpecialUse> = new Map([
  ["sent", "\\Sent"],
  ["sent messages", "\\Sent"],
  ["sent items", "\\Sent"],
  ["sent mail", "\\Sent"],
  ["drafts", "\\Drafts"],
  ["trash", "\\Trash"],
  ["deleted messages", "\\Trash"],
  ["deleted items", "\\Trash"],
  ["junk", "\\Junk"],
  ["spam", "\\Junk"],
  ["junk e-mail", "\\Junk"],
  ["junk email", "\\Junk"],
  ["archive", "\\Archive"],
  ["archives", "\\Archive"],
]);

export function specialUseFor(name: string): SpecialUse | null {
  if (name.includes("/")) return null;
  return ROLE_BY_NAME.get(name.toLowerCase()) ?? null;
}

/** Subscribed folder names (Yubin's) from Dovecot's `subscriptions` (version 2: a "V\t2" line, a
 *  blank line, then one name per line with levels separated by tabs; version 1: one name per line
 *  with the IMAP delimiter) or Courier's `courierimapsubscribed` ("INBOX.Sent" per line). */
export function parseSubscriptions(
  text: string,
  opts: { delimiter: string; courier?: boolean },
): Set<string> {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const v2 = lines[0] === "V\t2";
  const out = new Set<string>();
  for (const line of v2 ? lines.slice(2) : lines) {
    if (line === "") continue;
    const levels = v2 ? line.split("\t") : line.split(opts.delimiter);
    let name = levels.map(level).join("/");
    if (/^inbox(\/|$)/i.test(name)) name = `INBOX${name.slice(5)}`;
    // Courier lists folders as INBOX.Name (its namespace prefix); Yubin has no prefix.
    if (opts.courier && name.startsWith("INBOX/")) name = name.slice(6);
    out.add(name);
  }
  return out;
}
