// How a source server's folder names and roles become Yubin's: the hierarchy delimiter becomes
// "/", the personal namespace prefix (Courier's and old Dovecot's "INBOX.") is dropped, and the
// RFC 6154 special-use attribute (or, from imapflow, a well-known name when the server has no
// SPECIAL-USE) picks the role. Pure functions, so the rules are tested by table.
import { isSpecialUse, type SpecialUse } from "../../store/types.js";

/** A "/" inside one level of a name whose server delimits with something else ("." on Courier
 *  and Maildir++ Dovecot) would otherwise split the folder in two here: it becomes this. */
export const SLASH_IN_NAME = "_";

export interface ListedName {
  /** The full path as the server lists it, decoded from modified UTF-7. */
  path: string;
  delimiter: string | null | undefined;
}

/** Yubin's name for a listed folder: "INBOX" for the inbox in any case, levels joined by "/". */
export function yubinFolderName(listed: ListedName, namespacePrefix = ""): string {
  let path = listed.path;
  if (path.toUpperCase() === "INBOX") return "INBOX";
  // RFC 2342: the personal namespace's prefix is part of every name but the inbox's; Yubin has
  // no prefix, so "INBOX.Sent" on Courier is "Sent" here.
  if (namespacePrefix !== "" && path.startsWith(namespacePrefix) && path.length > namespacePrefix.length)
    path = path.slice(namespacePrefix.length);
  const delim = listed.delimiter ?? "";
  const levels = delim === "" ? [path] : path.split(delim);
  const out = levels.map((level) => (level === "" ? SLASH_IN_NAME : level.replaceAll("/", SLASH_IN_NAME)));
  if (out[0]!.toUpperCase() === "INBOX") out[0] = "INBOX";
  return out.join("/");
}

/** The role imapflow found (attribute or well-known name), when Yubin has that role. */
export function yubinSpecialUse(specialUse: string | undefined): SpecialUse | null {
  return specialUse !== undefined && isSpecialUse(specialUse) ? specialUse : null;
}

/** Folder selection: names are Yubin names ("INBOX" in any case); "Name/*" means Name's
 *  subfolders and Name itself. Empty include means every folder. */
export interface FolderFilter {
  include?: readonly string[];
  exclude?: readonly string[];
}

function matches(pattern: string, name: string): boolean {
  const norm = (s: string) =>
    s.toUpperCase() === "INBOX" || s.toUpperCase().startsWith("INBOX/") ? `INBOX${s.slice(5)}` : s;
  const n = norm(name);
  if (pattern.endsWith("/*")) {
    const base = norm(pattern.slice(0, -2));
    return n === base || n.startsWith(`${base}/`);
  }
  return n === norm(pattern);
}

export function folderWanted(filter: FolderFilter | undefined, name: string): boolean {
  if (!filter) return true;
  if (filter.include && filter.include.length > 0 && !filter.include.some((p) => matches(p, name)))
    return false;
  return !(filter.exclude ?? []).some((p) => matches(p, name));
}

/** System flags as imported: \Recent belongs to a session, not a message (RFC 3501 2.3.2). */
export function importedFlags(flags: Iterable<string> | undefined): string[] {
  const out: string[] = [];
  for (const f of flags ?? []) if (f.toLowerCase() !== "\\recent") out.push(f);
  return out;
}

/** A compact UID set ("3:7,9,12:13") for a sorted list of UIDs. */
export function uidSet(uids: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < uids.length) {
    const start = uids[i]!;
    let end = start;
    while (i + 1 < uids.length && uids[i + 1] === end + 1) end = uids[++i]!;
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return parts.join(",");
}
