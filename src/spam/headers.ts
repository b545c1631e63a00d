// The X-Spam-* header fields, in SpamAssassin's shape so that mail clients' and users' filters
// written for SpamAssassin work unchanged:
//   X-Spam-Status: Yes, score=7.3 required=5.0 tests=BAYES_99=3.5,DKIM_NONE=0.1
//   X-Spam-Score: 7.3
//   X-Spam-Flag: YES            (only when spam)
// The post office takes each field as one unfolded line; RFC 5322 §2.1.1 allows 998 octets, so
// X-Spam-Status is kept under 900 characters, the test list cut with "…" when longer.
import type { Signal } from "./types.js";

/** Names of the fields we write; the sender's own copies are removed (a spammer's "NO"). */
export const SPAM_FIELDS = ["x-spam-status", "x-spam-score", "x-spam-flag", "x-spam-level", "x-spam-report"];

const MAX_STATUS = 900;

export function formatScore(n: number): string {
  return (Math.round(n * 10) / 10).toFixed(1);
}

/** "NAME=score" for one signal: SpamAssassin prints up to 3 decimals, so do we (trailing zeros cut). */
export function signalText(s: Signal): string {
  return `${s.name}=${Number(s.score.toFixed(3))}`;
}

/** The test list, comma-separated, at most `max` characters (ending "…" when cut). */
export function testList(signals: readonly Signal[], max: number): string {
  let out = "";
  for (const s of signals) {
    const t = signalText(s);
    const next = out === "" ? t : `${out},${t}`;
    if (next.length > max) return `${out === "" ? "" : `${out},`}…`;
    out = next;
  }
  return out === "" ? "none" : out;
}

export function spamFields(r: {
  score: number;
  required: number;
  spam: boolean;
  signals: readonly Signal[];
}): string[] {
  const head = `X-Spam-Status: ${r.spam ? "Yes" : "No"}, score=${formatScore(r.score)} required=${formatScore(r.required)} tests=`;
  const fields = [
    `${head}${testList(r.signals, MAX_STATUS - head.length - 1)}`,
    `X-Spam-Score: ${formatScore(r.score)}`,
  ];
  if (r.spam) fields.push("X-Spam-Flag: YES");
  return fields;
}
