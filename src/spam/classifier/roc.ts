// Quality figures for a spam scorer, as the issue reports them: ROC AUC and spam recall at a
// fixed ham false-positive rate. Used by the corpus benchmark and the tuning script (bench/spam).

export interface Scored {
  /** Higher is spammier; any finite number. */
  score: number;
  label: "spam" | "ham";
}

export interface RecallAtFpr {
  /** Fraction of spam with score ≥ threshold. */
  recall: number;
  /** The smallest observed score at which the ham false-positive rate is ≤ the target
   *  (a message is called spam iff score ≥ threshold); Infinity when no observed score
   *  qualifies, i.e. the top score alone already gives too many false positives. */
  threshold: number;
  /** Ham with score ≥ threshold, and the rate they make. */
  falsePositives: number;
  fpr: number;
}

/** Recall at a target ham false-positive rate. Ties are exact: all messages sharing a score fall
 *  on the same side of the threshold, so a tie between ham and spam is never split in the
 *  scorer's favour. The rule: threshold = the smallest observed score t such that
 *  #{ham ≥ t} / #ham ≤ target; recall = #{spam ≥ t} / #spam. */
export function recallAtFpr(items: readonly Scored[], target: number): RecallAtFpr {
  const { nSpam, nHam } = counts(items);
  const groups = scoreGroups(items);
  const allowed = Math.floor(target * nHam + 1e-9);
  let fp = 0;
  let tp = 0;
  let best: RecallAtFpr = { recall: 0, threshold: Number.POSITIVE_INFINITY, falsePositives: 0, fpr: 0 };
  for (const g of groups) {
    fp += g.ham;
    tp += g.spam;
    if (fp > allowed) break;
    best = {
      recall: nSpam === 0 ? 0 : tp / nSpam,
      threshold: g.score,
      falsePositives: fp,
      fpr: nHam === 0 ? 0 : fp / nHam,
    };
  }
  return best;
}

/** Area under the ROC curve: the probability that a random spam scores above a random ham,
 *  ties counting one half (the Mann–Whitney U statistic over #spam × #ham). */
export function rocAuc(items: readonly Scored[]): number {
  const { nSpam, nHam } = counts(items);
  if (nSpam === 0 || nHam === 0) return Number.NaN;
  let hamAbove = 0;
  let u = 0;
  for (const g of scoreGroups(items)) {
    // Every spam in this group beats the ham strictly below it and ties with the group's ham.
    u += g.spam * (nHam - hamAbove - g.ham) + 0.5 * g.spam * g.ham;
    hamAbove += g.ham;
  }
  return u / (nSpam * nHam);
}

function counts(items: readonly Scored[]): { nSpam: number; nHam: number } {
  let nSpam = 0;
  for (const it of items) if (it.label === "spam") nSpam++;
  return { nSpam, nHam: items.length - nSpam };
}

/** Distinct scores, highest first, with how many spam and ham have each. */
function scoreGroups(items: readonly Scored[]): { score: number; spam: number; ham: number }[] {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const out: { score: number; spam: number; ham: number }[] = [];
  for (const it of sorted) {
    let g = out[out.length - 1];
    if (g === undefined || g.score !== it.score) {
      g = { score: it.score, spam: 0, ham: 0 };
      out.push(g);
    }
    if (it.label === "spam") g.spam++;
    else g.ham++;
  }
  return out;
}
