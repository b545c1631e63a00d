// The local time zone of Sieve's date and currentdate tests when a script gives no :zone
// (RFC 5260 4.1: "the local time zone"), from [sieve] timeZone: an offset "+hhmm" / "-hhmm" as
// written, an IANA name ("Europe/Berlin", through Intl), or empty for the server's own zone (the
// OS's, TZ). A named or the OS zone is resolved for the instant asked about, so daylight saving
// time is right on both sides of a change. Values are checked at start (src/sieve/config.ts).

/** Formatters by IANA name: building one costs far more than using it. Bounded by the config
 *  (one name) and the tests. */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** The zone as RFC 5260 writes it ("+hhmm"), for `setting` at `at`. */
export function sieveZone(setting: string, at: Date): string {
  if (/^[+-]\d{4}$/.test(setting)) return setting;
  const named = setting === "" ? null : ianaOffset(setting, at);
  // Empty, or a name Intl does not know (the config check refuses those at start): the OS zone.
  return formatOffset(named ?? -at.getTimezoneOffset());
}

/** "+hhmm" / "-hhmm" for an offset east of UTC in minutes. */
export function formatOffset(minutes: number): string {
  const m = Math.abs(Math.round(minutes));
  const hh = String(Math.floor(m / 60)).padStart(2, "0");
  const mm = String(m % 60).padStart(2, "0");
  return `${minutes < 0 ? "-" : "+"}${hh}${mm}`;
}

function formatter(name: string): Intl.DateTimeFormat | null {
  let f = formatters.get(name);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "longOffset" });
    } catch {
      f = null;
    }
    if (formatters.size < 64) formatters.set(name, f);
  }
  return f;
}

/** Minutes east of UTC of the IANA zone at that instant; null for an unknown name. */
function ianaOffset(name: string, at: Date): number | null {
  const f = formatter(name);
  if (!f) return null;
  // "GMT+05:30", "GMT-08:00", or just "GMT" at offset zero.
  const text = f.formatToParts(at).find((p) => p.type === "timeZoneName")?.value ?? "";
  if (text === "GMT") return 0;
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
