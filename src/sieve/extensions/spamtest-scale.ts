// RFC 5235 spamtest / virustest values from the spam filter's verdict and the virus scanner's.
// spamtest: "0" not tested, "1" certainly not spam ... "10" certainly spam (3.2). Our filter
// gives a score and a junk threshold; the threshold maps to 6 (over the middle: "probably
// spam") and twice the threshold or more to 10, so scripts written for the common
// `spamtest :value "ge" "6"` or a percentage of 50 agree with the junk folder.

export interface SpamVerdict {
  score: number;
  threshold: number;
}

function fraction(v: SpamVerdict): number {
  if (!(v.threshold > 0) || !Number.isFinite(v.score)) return v.score > 0 ? 1 : 0;
  return Math.min(Math.max(v.score / (2 * v.threshold), 0), 1);
}

/** RFC 5235 3.2 spamtest: "0" .. "10". */
export function spamtestValue(v: SpamVerdict | null | undefined): string {
  if (!v) return "0";
  return String(1 + Math.min(9, Math.floor(fraction(v) * 10)));
}

/** RFC 5235 3.3 spamtestplus :percent: "0" .. "100" (0 also when not tested, RFC 5235 3.3). */
export function spamtestPercent(v: SpamVerdict | null | undefined): string {
  if (!v) return "0";
  return String(Math.round(fraction(v) * 100));
}

/** RFC 5235 3.4 virustest: "0" not tested, "1" clean .. "5" infected, passed through. */
export function virustestValue(v: number | null | undefined): string {
  if (v == null || !Number.isInteger(v) || v < 1 || v > 5) return "0";
  return String(v);
}
