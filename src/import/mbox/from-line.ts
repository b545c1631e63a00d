// The mbox From_ line (RFC 4155 2): "From " envelope-sender SP date, the date in the form of C's
// asctime() ("Thu Nov 24 18:22:48 1986", UTC by convention), sometimes with a zone after the
// time or the year ("+0100", "PST"). Thunderbird writes "From - <date>", mutt and Dovecot the
// envelope sender, Python's mailbox "MAILER-DAEMON" when it has none.

import { DAYS, MONTHS, NAMED_ZONES } from "../../mime/date-parse.js";

function zoneOffset(tok: string): number | null {
  const lower = tok.toLowerCase();
  const named = lower === "utc" ? 0 : NAMED_ZONES[lower];
  if (named !== undefined) return named;
  if (tok.length === 5 && (tok[0] === "+" || tok[0] === "-") && /^[+-]\d{4}$/.test(tok)) {
    const m = Number(tok.slice(1, 3)) * 60 + Number(tok.slice(3, 5));
    return tok[0] === "-" ? -m : m;
  }
  return null;
}

/** The date of a From_ line (the whole line, "From " included), or null when it has none. */
export function fromLineDate(line: string): Date | null {
  const toks = line
    .slice(5)
    .split(/[ \t]+/)
    .filter((t) => t !== "")
    .slice(0, 40);
  // The sender may be missing or hold spaces (a quoted local part): find "Day Mon".
  for (let i = 0; i + 3 < toks.length; i++) {
    if (!DAYS.includes(toks[i]!.toLowerCase())) continue;
    const month = MONTHS.indexOf(toks[i + 1]!.toLowerCase());
    if (month === -1) continue;
    const day = toks[i + 2]!;
    const time = toks[i + 3]!.split(":");
    if (
      !/^\d{1,2}$/.test(day) ||
      time.length < 2 ||
      time.length > 3 ||
      !time.every((t) => /^\d{1,2}$/.test(t))
    )
      continue;
    let year: number | null = null;
    let zone = 0;
    for (const t of toks.slice(i + 4, i + 6)) {
      if (year === null && /^\d{4}$/.test(t)) year = Number(t);
      else {
        const z = zoneOffset(t);
        if (z === null) break;
        zone = z;
      }
    }
    if (year === null) continue;
    const [h, m, s] = time.map(Number) as [number, number, number | undefined];
    const d = Number(day);
    if (d < 1 || d > 31 || h > 23 || m > 59 || (s ?? 0) > 60) continue;
    const t = Date.UTC(year, month, d, h, m, s ?? 0) - zone * 60_000;
    const date = new Date(t);
    if (Number.isNaN(t) || new Date(Date.UTC(year, month, d)).getUTCDate() !== d) continue; // Feb 31
    return date;
  }
  return null;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** asctime() of `d` in UTC: "Thu Nov 24 18:22:48 1986" (day of month padded with a space). */
export function asctime(d: Date): string {
  const day = DAYS[d.getUTCDay()]!;
  const mon = MONTHS[d.getUTCMonth()]!;
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  return `${cap(day)} ${cap(mon)} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** A From_ line (without line end) for a message whose envelope sender is `sender` (an address,
 *  or "" / null for none: MAILER-DAEMON, as Python's mailbox and Dovecot write). */
export function fromLine(sender: string | null, date: Date): string {
  const s = sender && !/[\s\x00-\x1f\x7f]/.test(sender) ? sender : "MAILER-DAEMON";
  return `From ${s} ${asctime(date)}`;
}
