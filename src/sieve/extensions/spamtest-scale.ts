// RFC 5235 spamtest / virustest values from the spam filter's verdict and the virus scanner's.
// spamtest: "0" not tested, "1" certainly not spam ... "10" certainly spam (3.2). Our filter
// gives a score and the junk threshold; the scale is Dovecot Pigeonhole's (the score as a share of
// the threshold, 0 or less -> 1, the threshold or more -> 10, 1 + floor(9 x share) between), so
// scripts written for Dovecot (`spamtest :value "ge" "10"` for the junk verdict, "ge" "5" for
// "suspect") behave the same here, and the Pigeonhole test suite's values come out.

export interface SpamVerdict {
  score: number;
  threshold: number;
}

function share(v: SpamVerdict): number {
  if (!(v.threshold > 0) || !Number.isFinite(v.score)) return v.score > 0 ? 1 : 0;
  return Math.min(Math.max(v.score / v.threshold, 0), 1);
}

/** RFC 5235 3.2 spamtest: "0" .. "10" (the 0.001 keeps 0.3 x 10 from rounding down to 2.99). */
export function spamtestValue(v: SpamVerdict | null | undefined): string {
  if (!v) return "0";
  return String(Math.floor(share(v) * 9 + 1.001));
}

/** RFC 5235 3.3 spamtestplus :percent: "0" .. "100" (0 also when not tested, RFC 5235 3.3). */
export function spamtestPercent(v: SpamVerdict | null | undefined): string {
  if (!v) return "0";
  return String(Math.floor(share(v) * 100 + 0.001));
}

/** RFC 5235 3.4 virustest: "0" not tested, "1" clean .. "5" infected, passed through. */
export function virustestValue(v: number | null | undefined): string {
  if (v == null || !Number.isInteger(v) || v < 1 || v > 5) return "0";
  return String(v);
}
