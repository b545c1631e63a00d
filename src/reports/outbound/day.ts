// UTC days, the reports' unit (RFC 8460 4.1 and RFC 7489 7.2: reports cover UTC days).

const DAY_MS = 86_400_000;

/** "YYYY-MM-DD" of the UTC day holding `t` (ms since the epoch). */
export function utcDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** The UTC day before `day`. */
export function previousDay(day: string): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) - DAY_MS);
}

/** The day `n` days before `day`. */
export function daysBefore(day: string, n: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS);
}

/** First and last second of a UTC day, in ms since the epoch. */
export function dayRange(day: string): { start: number; end: number } {
  const start = Date.parse(`${day}T00:00:00Z`);
  return { start, end: start + DAY_MS - 1000 };
}
