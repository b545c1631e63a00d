// Keywords (RFC 8621 4.1.1) ↔ IMAP flags: $seen ↔ \Seen, $answered ↔ \Answered, $flagged ↔
// \Flagged, $draft ↔ \Draft; other keywords are the same word. JMAP keywords are
// case-insensitive and reported lower-case. \Deleted has no keyword: it is kept as it is when
// JMAP changes the others (and IMAP's EXPUNGE is what removes such messages).
const TO_FLAG: Record<string, string> = {
  $seen: "\\Seen",
  $answered: "\\Answered",
  $flagged: "\\Flagged",
  $draft: "\\Draft",
};
const TO_KEYWORD: Record<string, string> = Object.fromEntries(
  Object.entries(TO_FLAG).map(([k, f]) => [f.toLowerCase(), k]),
);

/** RFC 8621 4.1.1: keyword characters are those of an IMAP atom, 1-255 of them. */
export const KEYWORD = /^[\x21-\x7e]{1,255}$/;
const FORBIDDEN = /[(){\]%*"\\]/;

export function isKeyword(k: string): boolean {
  return KEYWORD.test(k) && !FORBIDDEN.test(k);
}

export function flagsToKeywords(flags: readonly string[]): Record<string, true> {
  const out: Record<string, true> = {};
  for (const f of flags) {
    const l = f.toLowerCase();
    if (l.startsWith("\\")) {
      const k = TO_KEYWORD[l];
      if (k) out[k] = true;
    } else out[l] = true;
  }
  return out;
}

export function keywordToFlag(k: string): string {
  const l = k.toLowerCase();
  return TO_FLAG[l] ?? l;
}

/** The full flag list for a new keyword set, keeping \Deleted if the message had it. */
export function keywordsToFlags(keywords: Iterable<string>, current: readonly string[] = []): string[] {
  const out = [...keywords].map(keywordToFlag);
  if (current.some((f) => f.toLowerCase() === "\\deleted")) out.push("\\Deleted");
  return out;
}
