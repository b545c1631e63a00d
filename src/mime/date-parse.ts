// RFC 5322 3.3 date-time (and the 4.3 obsolete forms real mail still carries: two- and three-digit
// years, alphabetic zones, comments anywhere), parsed to the instant AND the zone the sender wrote
// (the Sieve date test's :originalzone, RFC 5260 4; the mbox importer's fallback date). One left-to-right pass over at
// most MAX_DATE_CHARS characters: header values are attacker-controlled, so no backtracking regex.

/** A parsed date-time: the instant and the offset it was written in, in minutes east of UTC. */
export interface ParsedDate {
  time: number;
  zoneMinutes: number;
}

/** RFC 5322 2.1.1 caps a line at 998 characters; a longer value is not a date. */
export const MAX_DATE_CHARS = 998;

/** Month and day names as dates write them, lower case (index = JS month / day of week). */
export const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
export const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** RFC 5322 4.3 obs-zone: the US zones and UT/GMT; military letters other than Z are "-0000"
 *  (their meaning was botched in RFC 822, so 4.3 says to treat them as unknown, i.e. UTC). */
export const NAMED_ZONES: Readonly<Record<string, number>> = {
  ut: 0,
  gmt: 0,
  z: 0,
  est: -5 * 60,
  edt: -4 * 60,
  cst: -6 * 60,
  cdt: -5 * 60,
  mst: -7 * 60,
  mdt: -6 * 60,
  pst: -8 * 60,
  pdt: -7 * 60,
};

type Token = { kind: "word"; text: string } | { kind: "num"; text: string } | { kind: "sep"; text: string };

/** Words, digit runs and the separators that matter (",", ":", "+", "-"); white space and
 *  comments (nesting counted, not recursed) dropped. */
function tokenize(s: string): Token[] | null {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x28 /* ( */) {
      let depth = 0;
      for (; i < s.length; i++) {
        const d = s[i];
        if (d === "\\") i++;
        else if (d === "(") depth++;
        else if (d === ")" && --depth === 0) break;
      }
      i++;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) {
      i++;
      continue;
    }
    const start = i;
    if (c >= 0x30 && c <= 0x39) {
      while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
      out.push({ kind: "num", text: s.slice(start, i) });
    } else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) {
      while (i < s.length && (s.charCodeAt(i) | 0x20) >= 0x61 && (s.charCodeAt(i) | 0x20) <= 0x7a) i++;
      out.push({ kind: "word", text: s.slice(start, i).toLowerCase() });
    } else if (c === 0x2c || c === 0x3a || c === 0x2b || c === 0x2d || c === 0x2e) {
      out.push({ kind: "sep", text: s[i]! });
      i++;
    } else {
      return null;
    }
  }
  return out;
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (no Date object: years < 100
 *  would be shifted by Date.UTC). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Parses an RFC 5322 date-time; null when it is not one (the date test then fails, RFC 5260 4). */
export function parseRfc5322Date(value: string): ParsedDate | null {
  if (value.length > MAX_DATE_CHARS) return null;
  const t = tokenize(value);
  if (t === null) return null;
  let i = 0;
  // [ day-of-week "," ]
  const first = t[0];
  if (first?.kind === "word") {
    if (!DAYS.some((d) => first.text.startsWith(d))) return null;
    i++;
    if (t[i]?.kind === "sep" && t[i]?.text === ",") i++;
  }
  const dayTok = t[i++];
  const monTok = t[i++];
  const yearTok = t[i++];
  if (dayTok?.kind !== "num" || monTok?.kind !== "word" || yearTok?.kind !== "num") return null;
  if (dayTok.text.length > 2) return null;
  const month = MONTHS.indexOf(monTok.text.slice(0, 3)) + 1;
  if (month === 0 || (monTok.text.length > 3 && !fullMonth(monTok.text))) return null;
  let year = Number(yearTok.text);
  // RFC 5322 4.3: a two-digit year below 50 is 20xx, otherwise 19xx; three digits add 1900.
  if (yearTok.text.length === 2) year += year < 50 ? 2000 : 1900;
  else if (yearTok.text.length === 3) year += 1900;
  else if (yearTok.text.length !== 4) return null;
  const day = Number(dayTok.text);
  if (day < 1 || day > daysInMonth(year, month)) return null;
  // time-of-day: hour ":" minute [ ":" second ]
  const hTok = t[i++];
  if (hTok?.kind !== "num" || hTok.text.length > 2 || !isSep(t[i++], ":")) return null;
  const mTok = t[i++];
  if (mTok?.kind !== "num" || mTok.text.length !== 2) return null;
  let second = 0;
  if (isSep(t[i], ":")) {
    const sTok = t[i + 1];
    if (sTok?.kind !== "num" || sTok.text.length !== 2) return null;
    second = Number(sTok.text);
    i += 2;
    // Fractional seconds are not RFC 5322 but appear; ignored.
    if (isSep(t[i], ".") && t[i + 1]?.kind === "num") i += 2;
  }
  const hour = Number(hTok.text);
  const minute = Number(mTok.text);
  if (hour > 23 || minute > 59 || second > 60) return null;
  // zone: ("+" / "-") 4DIGIT, or an obsolete name
  let zoneMinutes: number;
  const z = t[i++];
  if (z?.kind === "sep" && (z.text === "+" || z.text === "-")) {
    const zd = t[i++];
    if (zd?.kind !== "num" || zd.text.length !== 4) return null;
    const hh = Number(zd.text.slice(0, 2));
    const mm = Number(zd.text.slice(2));
    if (mm > 59) return null;
    zoneMinutes = (z.text === "-" ? -1 : 1) * (hh * 60 + mm);
  } else if (z?.kind === "word") {
    const named = NAMED_ZONES[z.text];
    if (named !== undefined) zoneMinutes = named;
    else if (z.text.length === 1 && z.text !== "j") zoneMinutes = 0;
    else return null;
  } else {
    return null;
  }
  if (i !== t.length) return null;
  const time =
    ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - zoneMinutes) * 60_000 + second * 1000;
  return { time, zoneMinutes };
}

const FULL_MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
function fullMonth(w: string): boolean {
  return FULL_MONTHS.includes(w);
}

function isSep(t: Token | undefined, s: string): boolean {
  return t?.kind === "sep" && t.text === s;
}
