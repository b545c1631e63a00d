// Writing one folder of a Maildir++ tree the way Dovecot lays it out, so Dovecot, Courier,
// mbsync, Python's mailbox and our own import (src/import/maildir) read it:
//   - INBOX is the root (cur/ new/ tmp/); every other folder is `.Level1.Level2` beside them,
//     levels in modified UTF-7 (RFC 3501 5.1.3), with an empty `maildirfolder` file;
//   - each message goes to tmp/, gets its mtime set to the internal date (Dovecot reads the
//     received date from it) and is renamed into cur/ as `<base>:2,<flags>`; the body is the
//     stored one (CRLF), so S= and W= are both its size;
//   - flag letters in ASCII order (maildir(5)): D draft, F flagged, P $Forwarded, R answered,
//     S seen, T deleted; then keyword letters a..z, which `dovecot-keywords` names (26 at most
//     per folder: Dovecot's limit; further keywords cannot be written and are counted).
//     $Forwarded is written both ways (P and a keyword letter), as Dovecot reads no P;
//   - `dovecot-uidlist` version 3: our UIDVALIDITY and next UID in the header, then
//     `<uid> :<base>` per message, so an import (or Dovecot itself) keeps the UIDs and IMAP
//     clients do not download the mail again.
import { mkdir, open, rename, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { encodeMailboxName } from "../imap/wire/utf7.js";

const SYSTEM_LETTERS: Readonly<Record<string, string>> = {
  "\\draft": "D",
  "\\flagged": "F",
  $forwarded: "P",
  "\\answered": "R",
  "\\seen": "S",
  "\\deleted": "T",
};

/** Maildir(5): "/" and ":" in the host part are written as octal escapes. */
const HOST = hostname().replaceAll("/", "\\057").replaceAll(":", "\\072") || "localhost";
let sequence = 0;

/** A level of a name as a Maildir++ directory name: "." is the delimiter there, so a "." inside
 *  a level becomes "_" (Dovecot's Maildir++ layout cannot hold one either). */
export function maildirLevel(level: string): string {
  return encodeMailboxName(level).replaceAll(".", "_");
}

/** The directory (relative to the root) of a folder: "" for INBOX, ".A.B" for A/B. */
export function maildirDir(name: string): string {
  if (name.toUpperCase() === "INBOX") return "";
  return `.${name.split("/").map(maildirLevel).join(".")}`;
}

export class MaildirFolderWriter {
  private readonly keywords: string[] = [];
  private readonly keywordIndex = new Map<string, number>();
  private uidlist: Awaited<ReturnType<typeof open>> | null = null;
  /** Keywords left off messages because the folder already had 26. */
  keywordsDropped = 0;

  private constructor(readonly dir: string) {}

  /** Makes the folder's directories and starts its dovecot-uidlist. */
  static async create(
    root: string,
    name: string,
    uid: { uidValidity: number; uidNext: number },
  ): Promise<MaildirFolderWriter> {
    const dir = join(root, maildirDir(name));
    for (const sub of ["cur", "new", "tmp"]) await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
    if (dir !== root) await writeFile(join(dir, "maildirfolder"), "", { mode: 0o600 });
    const w = new MaildirFolderWriter(dir);
    w.uidlist = await open(join(dir, "dovecot-uidlist"), "wx", 0o600);
    await w.uidlist.write(`3 V${uid.uidValidity} N${uid.uidNext}\n`);
    return w;
  }

  private letters(flags: readonly string[]): string {
    let system = "";
    const kw: number[] = [];
    for (const f of flags) {
      const l = SYSTEM_LETTERS[f.toLowerCase()];
      if (l !== undefined) system += l;
      // $Forwarded is also a keyword letter: P is mbsync's and Thunderbird's, but Dovecot shows
      // only keywords from dovecot-keywords.
      if (l !== undefined && l !== "P") continue;
      if (f.startsWith("\\")) continue;
      const key = f.toLowerCase();
      let i = this.keywordIndex.get(key);
      if (i === undefined) {
        if (this.keywords.length >= 26) {
          this.keywordsDropped++;
          continue;
        }
        i = this.keywords.length;
        this.keywords.push(f);
        this.keywordIndex.set(key, i);
      }
      kw.push(i);
    }
    const sys = [...new Set(system)].sort().join("");
    return (
      sys +
      [...new Set(kw)]
        .sort((a, b) => a - b)
        .map((i) => String.fromCharCode(97 + i))
        .join("")
    );
  }

  async write(m: { uid: number; body: Buffer; flags: readonly string[]; internalDate: Date }): Promise<void> {
    const t = m.internalDate.getTime();
    const secs = Math.floor(t / 1000);
    const usecs = (t % 1000) * 1000;
    const base = `${secs}.M${usecs}P${process.pid}Q${++sequence}.${HOST},S=${m.body.length},W=${m.body.length}`;
    const tmp = join(this.dir, "tmp", base);
    await writeFile(tmp, m.body, { flag: "wx", mode: 0o600 });
    await utimes(tmp, m.internalDate, m.internalDate);
    await rename(tmp, join(this.dir, "cur", `${base}:2,${this.letters(m.flags)}`));
    await this.uidlist!.write(`${m.uid} :${base}\n`);
  }

  /** Ends the uidlist and writes dovecot-keywords. */
  async close(): Promise<void> {
    await this.uidlist?.close();
    this.uidlist = null;
    if (this.keywords.length > 0) {
      const text = this.keywords.map((k, i) => `${i} ${k}\n`).join("");
      await writeFile(join(this.dir, "dovecot-keywords"), text, { mode: 0o600 });
    }
  }
}

/** Dovecot's subscriptions file, version 2: "V\t2", an empty line, then one name per line with
 *  the levels separated by tabs. */
export async function writeSubscriptions(root: string, names: readonly string[]): Promise<void> {
  const lines = names.map((n) => `${n.split("/").join("\t")}\n`).join("");
  await writeFile(join(root, "subscriptions"), `V\t2\n\n${lines}`, { mode: 0o600 });
}
