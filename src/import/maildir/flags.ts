// Maildir file names: `<base>[:2,<letters>]` (D. J. Bernstein's maildir(5) "info"; Maildir++ adds
// `,S=<size>` and Dovecot `,W=<size with CRLF>` to the base). Upper-case letters are the system
// flags, in ASCII order; Dovecot writes lower-case letters for keywords, `a` being line 0 of the
// folder's dovecot-keywords, `b` line 1, up to `z`.

/** maildir(5)'s letters. P ("passed": resent, forwarded or bounced) has no IMAP system flag; it
 *  becomes the $Forwarded keyword (RFC 5550 5.9), as mbsync and Thunderbird read it. */
export const FLAG_LETTERS: Readonly<Record<string, string>> = {
  D: "\\Draft",
  F: "\\Flagged",
  P: "$Forwarded",
  R: "\\Answered",
  S: "\\Seen",
  T: "\\Deleted",
};

export interface MaildirFileName {
  /** The unique part before the info: what dovecot-uidlist records. */
  base: string;
  /** The letters after ":2,", or null when the name has no (version 2) info. */
  letters: string | null;
}

export function splitFileName(name: string): MaildirFileName {
  const colon = name.indexOf(":");
  if (colon < 0) return { base: name, letters: null };
  const info = name.slice(colon + 1);
  // ":1,..." is maildir(5)'s experimental info: no flags in it. Dovecot extends ":2,<letters>"
  // to ":2,<letters>[,<other fields>]": the letters end at a comma.
  if (!info.startsWith("2,")) return { base: name.slice(0, colon), letters: null };
  const comma = info.indexOf(",", 2);
  return { base: name.slice(0, colon), letters: comma < 0 ? info.slice(2) : info.slice(2, comma) };
}

/** Flags and keywords the letters stand for; a keyword letter that dovecot-keywords does not name
 *  is dropped (Dovecot drops it too). */
export function flagsFromLetters(letters: string | null, keywords: ReadonlyMap<number, string>): string[] {
  if (letters === null) return [];
  const out = new Set<string>();
  for (const ch of letters) {
    const sys = FLAG_LETTERS[ch];
    if (sys !== undefined) out.add(sys);
    else if (ch >= "a" && ch <= "z") {
      const kw = keywords.get(ch.charCodeAt(0) - 97);
      if (kw !== undefined) out.add(kw);
    }
  }
  return [...out];
}

/** The sizes Maildir++ (S=) and Dovecot (W=, the size with CRLF line ends) put in the base. */
export function sizesFromBase(base: string): { size?: number; vsize?: number } {
  const out: { size?: number; vsize?: number } = {};
  for (const part of base.split(",").slice(1)) {
    const v = /^[SW]=(\d{1,15})$/.exec(part);
    if (!v) continue;
    if (part[0] === "S") out.size = Number(v[1]);
    else out.vsize = Number(v[1]);
  }
  return out;
}
