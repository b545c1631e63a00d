// dovecot-uidlist and dovecot-keywords, the files that let an import keep a Dovecot folder's
// UIDVALIDITY and UIDs (so IMAP clients do not download everything again) and its keywords.
// Formats as Dovecot's src/lib-storage/index/maildir/maildir-uidlist.c documents them:
//   version 3 (Dovecot 1.1 and later): header `3 V<uidvalidity> N<nextuid> G<guid> ...`,
//     entries `<uid> [<key><value> ...] :<filename>`;
//   version 1 (Dovecot 1.0, and Courier's courierimapuiddb): header `1 <uidvalidity> <nextuid>`,
//     entries `<uid> <filename>`; version 2 as 1 with a flags field before the filename.
// The filename is matched by its base (the part before ":2,"): the flags in a name change.

export interface UidList {
  uidValidity: number;
  /** The header's next UID, raised past the highest listed UID (Dovecot updates the header
   *  lazily: its index holds the real one, so the header can be behind). */
  uidNext: number;
  /** Base file name → UID. */
  uids: Map<string, number>;
}

const MAX_UID = 0xffff_ffff; // RFC 3501 2.3.1.1: UIDs and UIDVALIDITY are 32-bit

function uid32(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 && n <= MAX_UID ? n : null;
}

/** Parses a uidlist; null when its header is not one of the formats above (the folder is then
 *  imported without its UIDs). Entries that do not parse, or repeat a UID or a name, are left
 *  out: those files are imported as new mail. */
export function parseUidList(text: string): UidList | null {
  const lines = text.split("\n");
  const header = (lines[0] ?? "").trimEnd().split(" ");
  let uidValidity: number | null = null;
  let uidNext: number | null = null;
  const version = header[0];
  if (version === "3") {
    for (const field of header.slice(1)) {
      if (field[0] === "V") uidValidity = uid32(field.slice(1));
      else if (field[0] === "N") uidNext = uid32(field.slice(1));
    }
  } else if (version === "1" || version === "2") {
    uidValidity = uid32(header[1]);
    uidNext = uid32(header[2]);
  } else return null;
  if (uidValidity === null) return null;
  const uids = new Map<string, number>();
  const seen = new Set<number>();
  let maxUid = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    if (line === "") continue;
    const sp = line.indexOf(" ");
    const uid = uid32(line.slice(0, sp < 0 ? line.length : sp));
    if (uid === null || sp < 0) continue;
    let name: string;
    if (version === "3") {
      const colon = line.indexOf(" :", sp);
      if (colon < 0) continue;
      name = line.slice(colon + 2);
    } else name = line.slice(line.lastIndexOf(" ") + 1);
    const colon = name.indexOf(":");
    const base = colon < 0 ? name : name.slice(0, colon);
    if (base === "" || seen.has(uid) || uids.has(base)) continue;
    seen.add(uid);
    uids.set(base, uid);
    if (uid > maxUid) maxUid = uid;
  }
  return { uidValidity, uidNext: Math.min(MAX_UID, Math.max(uidNext ?? 1, maxUid + 1)), uids };
}

/** dovecot-keywords: `<index> <keyword>` per line, index 0 for the letter a up to 25 for z. */
export function parseKeywords(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    const sp = line.indexOf(" ");
    if (sp < 1) continue;
    const idx = /^\d{1,2}$/.test(line.slice(0, sp)) ? Number(line.slice(0, sp)) : -1;
    const kw = line.slice(sp + 1);
    if (idx < 0 || idx > 25 || !isKeyword(kw)) continue;
    out.set(idx, kw);
  }
  return out;
}

/** RFC 3501 9: a keyword is an atom (a safe subset here); anything else cannot be a flag on the
 *  IMAP side, so it is not imported. */
export function isKeyword(s: string): boolean {
  return /^[!#$&'+\-.0-9:<>?@A-Z^_`a-z|~]{1,100}$/.test(s);
}
