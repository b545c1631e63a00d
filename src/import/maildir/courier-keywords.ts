// Courier-IMAP's keywords (its "IMAP keywords implementation" paper): a folder's
// courierimapkeywords/ directory holds `:list` — the keyword names one per line, a blank line,
// then `<base name>:<index> <index> ...` for each message with keywords — and update files not
// yet merged into it, named `<base name>` or `.<N>.<base name>`, each holding that message's
// whole new keyword set, one per line. Courier's reading rule: a `<base name>` file wins, else
// the `.<N>.` one with the largest N, over what `:list` says. Read only; nothing is rewritten.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isKeyword } from "./uidlist.js";

/** `:list` → base name → keywords. */
export function parseCourierKeywordList(text: string): Map<string, string[]> {
  const lines = text.split("\n");
  const names: string[] = [];
  let i = 0;
  for (; i < lines.length && lines[i] !== ""; i++) names.push(lines[i]!);
  const out = new Map<string, string[]>();
  for (i++; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.lastIndexOf(":");
    if (colon <= 0) continue;
    const kws = line
      .slice(colon + 1)
      .split(" ")
      .map((n) => (/^\d{1,6}$/.test(n) ? names[Number(n)] : undefined))
      .filter((k): k is string => k !== undefined && isKeyword(k));
    if (kws.length > 0) out.set(line.slice(0, colon), [...new Set(kws)]);
  }
  return out;
}

/** The folder's keywords by base name, or null when it has no courierimapkeywords/. */
export async function readCourierKeywords(folderDir: string): Promise<Map<string, string[]> | null> {
  const dir = join(folderDir, "courierimapkeywords");
  const names = await readdir(dir).catch(() => null);
  if (names === null) return null;
  const list = await readFile(join(dir, ":list"), "utf8").catch(() => "");
  const out = parseCourierKeywordList(list);
  // The newest update file per message: a plain name, else the largest N.
  const newest = new Map<string, { n: number; file: string }>();
  for (const file of names) {
    if (file === ":list") continue;
    const m = /^\.(\d{1,15})\.(.+)$/.exec(file);
    const base = m ? m[2]! : file;
    const n = m ? Number(m[1]) : Number.POSITIVE_INFINITY;
    if ((newest.get(base)?.n ?? -1) < n) newest.set(base, { n, file });
  }
  for (const [base, { file }] of newest) {
    const text = await readFile(join(dir, file), "utf8").catch(() => null);
    if (text === null) continue; // merged and removed meanwhile: :list has it
    const kws = text.split("\n").filter((k) => k !== "" && isKeyword(k));
    out.set(base, [...new Set(kws)]);
  }
  return out;
}
