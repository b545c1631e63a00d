// The day a message was sent, for SEARCH SENTBEFORE/SENTON/SENTSINCE: the date in its Date header
// "disregarding time and timezone" (RFC 3501 6.4.4, RFC 9051 6.4.4), so "Sat, 24 Mar 2007
// 23:00:00 +0200" is 24 March even though it is the 24th at 21:00 UTC. Dovecot does the same.

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

// RFC 5322 3.3 date-time: [day-of-week ","] day month year ..., with obsolete CFWS; only the part
// up to the year is read. Linear: no two adjacent quantifiers can take the same characters.
const DATE_PART = /^\s*(?:[A-Za-z]+\s*,\s*)?(\d{1,2})\s*([A-Za-z]{3})[A-Za-z]*\s*(\d{2,4})(?!\d)/;

/** Days since the epoch of the Date header's calendar date, or null when it has none. */
export function sentDay(date: string | null | undefined): number | null {
  if (!date) return null;
  const m = DATE_PART.exec(date.replace(/\([^()]*\)/g, " "));
  if (m) {
    const month = MONTHS.indexOf(m[2]!.toLowerCase());
    let year = Number(m[3]);
    // RFC 5322 4.3 obs-year: two digits under 50 are 20xx, others and three digits 19xx.
    if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
    else if (m[3]!.length === 3) year += 1900;
    const day = Number(m[1]);
    if (month !== -1 && day >= 1 && day <= 31) return Math.floor(Date.UTC(year, month, day) / 86400000);
  }
  // Not RFC 5322 (e.g. ISO 8601): take what the date parser reads, as a UTC day.
  const t = Date.parse(date);
  return Number.isNaN(t) ? null : Math.floor(t / 86400000);
}
