// RFC 5260 4.2 date parts: what the date and currentdate tests compare, taken from an instant
// seen in a zone (the :zone argument, the date's own zone with :originalzone, or the local zone).
import { type ParsedDate, parseRfc5322Date } from "../../mime/date-parse.js";

export const DATE_PARTS = [
  "year",
  "month",
  "day",
  "date",
  "julian",
  "hour",
  "minute",
  "second",
  "time",
  "iso8601",
  "std11",
  "zone",
  "weekday",
] as const;
export type DatePart = (typeof DATE_PARTS)[number];

export function isDatePart(s: string): s is DatePart {
  return (DATE_PARTS as readonly string[]).includes(s.toLowerCase());
}

/** RFC 5260 4.1 :zone "+hhmm" / "-hhmm" to minutes east of UTC; null when malformed. */
export function parseZone(zone: string): number | null {
  if (!/^[+-]\d{4}$/.test(zone)) return null;
  const hh = Number(zone.slice(1, 3));
  const mm = Number(zone.slice(3));
  if (mm > 59) return null;
  return (zone[0] === "-" ? -1 : 1) * (hh * 60 + mm);
}

/** "+hhmm" / "-hhmm"; zero has a positive sign (RFC 5260 4.2 "zone"). */
export function formatZone(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${p2(Math.floor(a / 60))}${p2(a % 60)}`;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const p2 = (n: number) => String(n).padStart(2, "0");
const p4 = (n: number) => String(n).padStart(4, "0");

/** Days from 1858-11-17 (the Modified Julian Day epoch) to 1970-01-01. */
const MJD_UNIX_EPOCH = 40587;

/** The part of `time` (ms since the epoch) as seen in the zone `zoneMinutes` east of UTC. */
export function datePart(time: number, zoneMinutes: number, part: DatePart): string {
  const local = new Date(time + zoneMinutes * 60_000);
  const y = local.getUTCFullYear();
  const mo = local.getUTCMonth();
  const d = local.getUTCDate();
  const h = local.getUTCHours();
  const mi = local.getUTCMinutes();
  const s = local.getUTCSeconds();
  const date = `${p4(y)}-${p2(mo + 1)}-${p2(d)}`;
  const hms = `${p2(h)}:${p2(mi)}:${p2(s)}`;
  switch (part.toLowerCase() as DatePart) {
    case "year":
      return p4(y);
    case "month":
      return p2(mo + 1);
    case "day":
      return p2(d);
    case "date":
      return date;
    case "julian":
      // RFC 5260 4.2 (and its appendix A, with the erratum): the day in this zone as an MJD.
      return String(Math.floor(Date.UTC(y, mo, d) / 86_400_000) + MJD_UNIX_EPOCH);
    case "hour":
      return p2(h);
    case "minute":
      return p2(mi);
    case "second":
      return p2(s);
    case "time":
      return hms;
    case "iso8601": {
      // RFC 5260 4.2: RFC 3339 date-time with a zero offset written "Z".
      if (zoneMinutes === 0) return `${date}T${hms}Z`;
      const z = formatZone(zoneMinutes);
      return `${date}T${hms}${z.slice(0, 3)}:${z.slice(3)}`;
    }
    case "std11":
      return `${WEEKDAYS[local.getUTCDay()]}, ${p2(d)} ${MONTHS[mo]} ${p4(y)} ${hms} ${formatZone(zoneMinutes)}`;
    case "zone":
      return formatZone(zoneMinutes);
    case "weekday":
      return String(local.getUTCDay());
  }
}

/** How the date test picks the zone (RFC 5260 4.1): a given one, the value's own, or local. */
export type ZoneChoice = { kind: "zone"; minutes: number } | { kind: "original" } | { kind: "local" };

/** The date-time in a header value: after the last ";" when there is one (Received, RFC 5322
 *  3.6.7), else the whole value. Null when it does not parse (the value is then skipped). */
export function headerDate(value: string): ParsedDate | null {
  const semi = value.lastIndexOf(";");
  return parseRfc5322Date(semi === -1 ? value : value.slice(semi + 1));
}

/** The part of a header's date, or null when the value holds no date (RFC 5260 4.1: the test
 *  then does not match that value). */
export function headerDatePart(
  value: string,
  part: DatePart,
  zone: ZoneChoice,
  localZoneMinutes: number,
): string | null {
  const d = headerDate(value);
  if (d === null) return null;
  const z = zone.kind === "zone" ? zone.minutes : zone.kind === "original" ? d.zoneMinutes : localZoneMinutes;
  return datePart(d.time, z, part);
}
