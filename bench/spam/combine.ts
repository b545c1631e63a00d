// Fitting the filter's score combination on the training groups (tune.ts --combine): the
// classifier's out-of-fold probability and the rule families' signals of every training message,
// then, for each candidate way of combining them, a logistic regression fitted on the other folds
// and scored on each fold in turn (pooled, as the classifier's own cross-validation). The rows it
// prints are the evidence for the weights in src/spam/rules/ (bayes.ts and the rule families).
import type { FilterInput } from "../../src/postoffice/types.js";
import { BAYES_POINTS_AT_HALF, BAYES_POINTS_PER_LOGIT } from "../../src/spam/rules/bayes.js";
import { bayesSignals } from "../../src/spam/rules/index.js";
import { ruleSignals, total } from "../../src/spam/score.js";
import type { MessageView, Signal } from "../../src/spam/types.js";
import type { Sample } from "./corpus.js";
import { fitLogistic, predict } from "./logistic.js";
import { recallAtFpr, rocAuc, type Scored } from "./metrics.js";
import { receivedAt } from "./yubin.js";

const argv = process.argv.slice(2);

const ORIGIN: FilterInput["origin"] = {
  kind: "smtp",
  helo: null,
  ip: "192.0.2.1",
  esmtp: true,
  utf8: false,
  authenticated: false,
  tls: null,
};

export function localRuleSignals(sample: Sample, view: MessageView): Signal[] {
  const input: FilterInput = {
    door: "inbound",
    id: sample.id,
    mailFrom: "",
    recipients: [],
    body: sample.body,
    accountIds: [],
    accountId: null,
    origin: ORIGIN,
    screen: null,
    auth: null,
  };
  return ruleSignals(input, view, { outbound: false, now: receivedAt(view) });
}

function line(label: string, scored: readonly Scored[]): string {
  const r1 = recallAtFpr(scored, 0.001);
  const r10 = recallAtFpr(scored, 0.01);
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return `${label.padEnd(44)} AUC ${rocAuc(scored).toFixed(5)}  recall@0.1% ${pct(r1.recall)}  recall@1% ${pct(r10.recall)}`;
}

export const logit = (p: number, clip: number) =>
  Math.max(-clip, Math.min(clip, Math.log(Math.max(p, 1e-300) / Math.max(1 - p, 1e-300))));

export async function tuneCombination(
  prepared: readonly { sample: Sample; view: MessageView }[],
  cv: { folds: number[]; nFolds: number; probabilities: number[] },
): Promise<void> {
  const signals = prepared.map((p) => localRuleSignals(p.sample, p.view));
  const labels = prepared.map((p) => p.sample.label);
  const y = labels.map((l) => (l === "spam" ? 1 : 0) as 0 | 1);
  const prob = cv.probabilities;
  console.log(
    line(
      "classifier alone",
      prob.map((score, i) => ({ score, label: labels[i]! })),
    ),
  );
  const shipped = (i: number) => [...signals[i]!, ...bayesSignals({ probability: prob[i]!, ready: true })];
  console.log(
    line(
      "shipped score (rules + BAYES_*, rounded to 0.1)",
      prob.map((_, i) => ({ score: total(shipped(i)), label: labels[i]! })),
    ),
  );
  console.log(
    line(
      "shipped score, not rounded",
      prob.map((_, i) => ({ score: shipped(i).reduce((sum, x) => sum + x.score, 0), label: labels[i]! })),
    ),
  );
  console.log(
    line(
      "BAYES_* signal alone (rounded as shipped)",
      prob.map((p, i) => ({
        score: total(bayesSignals({ probability: p, ready: true })),
        label: labels[i]!,
      })),
    ),
  );
  // Each rule left out of the shipped score in turn: what it is worth on top of the others.
  for (const name of [...new Set(signals.flatMap((x) => x.map((y) => y.name)))].sort())
    console.log(
      line(
        `  without ${name}`,
        prob.map((_, i) => ({ score: total(shipped(i).filter((x) => x.name !== name)), label: labels[i]! })),
      ),
    );
  // The floor of the BAYES_* points (rules/bayes.ts clips the log-odds at −4.5): what it costs
  // in ranking, against lower floors.
  for (const floor of [-4.5, -6, -8, -12]) {
    const points = (p: number) =>
      BAYES_POINTS_PER_LOGIT * Math.max(floor, logit(p, 12)) + BAYES_POINTS_AT_HALF;
    const rules = (i: number) => signals[i]!.reduce((sum, x) => sum + x.score, 0);
    console.log(
      line(
        `BAYES floor at log-odds ${floor}`,
        prob.map((p, i) => ({ score: Math.round(10 * (points(p) + rules(i))) / 10, label: labels[i]! })),
      ),
    );
  }
  const ruleNames = [...new Set(signals.flatMap((s) => s.map((x) => x.name)))].sort();
  const indicators = (i: number) => {
    const names = new Set(signals[i]!.map((s) => s.name));
    return ruleNames.map((n) => (names.has(n) ? 1 : 0));
  };
  // A smooth BAYES contribution: k points per unit of log-odds, clipped at ±clip log-odds.
  const currentRules = (i: number) => signals[i]!.reduce((sum, x) => sum + x.score, 0);
  for (const clip of [8, 12, 20]) {
    console.log(
      line(
        `logit clip ${clip} alone`,
        prob.map((p, i) => ({ score: logit(p, clip), label: labels[i]! })),
      ),
    );
    for (const k of [0.4, 0.6, 1])
      console.log(
        line(
          `${k} × logit clip ${clip} + current rule scores`,
          prob.map((p, i) => ({ score: k * logit(p, clip) + currentRules(i), label: labels[i]! })),
        ),
      );
  }
  // Rule weights fitted by logistic regression beside the clipped logit, on the other folds;
  // each fold's score is expressed in units of its own logit weight (z / w_logit, no intercept),
  // so scores from different folds' fits rank on one scale when pooled.
  const nonNegative = new Set(ruleNames.map((_, j) => j + 1));
  for (const clip of argv.includes("--fit-only") ? [] : [8, 12, 20]) {
    const rows = prepared.map((_, i) => [logit(prob[i]!, clip), ...indicators(i)]);
    for (const l2 of [1e-3, 1e-2]) {
      const scored: Scored[] = [];
      for (let f = 0; f < cv.nFolds; f++) {
        const idx = rows.map((_, i) => i).filter((i) => cv.folds[i] !== f);
        const fit = fitLogistic(
          idx.map((i) => rows[i]!),
          idx.map((i) => y[i]!),
          { l2, nonNegative },
        );
        const wl = fit.weights[0]!;
        for (let i = 0; i < rows.length; i++)
          if (cv.folds[i] === f)
            scored[i] = { score: (predict(fit, rows[i]!) - fit.bias) / wl, label: labels[i]! };
      }
      console.log(line(`logit clip ${clip} + fitted rules l2 ${l2}`, scored));
    }
  }
  // The weights fitted on all the training rows, for the chosen form.
  const clip = Number(process.env.COMBINE_CLIP ?? 12);
  const l2 = Number(process.env.COMBINE_L2 ?? 1e-3);
  const rows = prepared.map((_, i) => [logit(prob[i]!, clip), ...indicators(i)]);
  const fit = fitLogistic(rows, y, { l2, nonNegative: new Set(ruleNames.map((_, j) => j + 1)) });
  console.log(
    `fit on all rows (clip ${clip}, l2 ${l2}): bias ${fit.bias.toFixed(3)} logit ${fit.weights[0]!.toFixed(4)}`,
  );
  for (const [j, n] of ruleNames.entries())
    console.log(`  ${n.padEnd(24)} ${fit.weights[j + 1]!.toFixed(3)}`);
}

/** Where the shipped score (rules + BAYES_*, rounded to a tenth) crosses a threshold, out of
 *  fold: the evidence for BAYES_POINTS_AT_HALF in src/spam/rules/bayes.ts. Prints the score at
 *  which out-of-fold ham false positives are ≤ 0.1 %, the highest ham scores, and ham FP / spam
 *  recall at junkScore 5 and ham at rejectScore 15, for the shipped constant and shifted ones. */
export function calibrate(
  prepared: readonly { sample: Sample; view: MessageView }[],
  probabilities: readonly number[],
): void {
  const signals = prepared.map((p) => localRuleSignals(p.sample, p.view));
  const labels = prepared.map((p) => p.sample.label);
  const nHam = labels.filter((l) => l === "ham").length;
  const nSpam = labels.length - nHam;
  const shipped = probabilities.map((p, i) =>
    total([...signals[i]!, ...bayesSignals({ probability: p, ready: true })]),
  );
  const at01 = recallAtFpr(
    shipped.map((score, i) => ({ score, label: labels[i]! })),
    0.001,
  );
  const hams = shipped.filter((_, i) => labels[i] === "ham").sort((a, b) => b - a);
  console.log(
    `${nHam} ham, ${nSpam} spam; at ≤ 0.1 % FP: threshold ${at01.threshold}, FP ${at01.falsePositives}, recall ${(100 * at01.recall).toFixed(1)} %`,
  );
  console.log(`highest out-of-fold ham scores: ${hams.slice(0, 8).join(" ")}`);
  const toFive = Math.round(10 * (5 - at01.threshold)) / 10;
  console.log(`the 0.1 % point lands at 5 with the constant shifted by ${toFive}`);
  for (const shift of [...new Set([-1.5, -1, -0.5, -0.2, -0.1, 0, 0.1, 0.2, 0.5, 1, toFive])].sort(
    (a, b) => a - b,
  )) {
    const s = shipped.map((x) => Math.round(10 * (x + shift)) / 10);
    const fp = s.filter((x, i) => labels[i] === "ham" && x >= 5).length;
    const tp = s.filter((x, i) => labels[i] === "spam" && x >= 5).length;
    const over15 = s.filter((x, i) => labels[i] === "ham" && x >= 15).length;
    console.log(
      `  constant ${shift >= 0 ? "+" : ""}${shift}: at 5 ham FP ${fp} (${((100 * fp) / nHam).toFixed(2)} %), recall ${((100 * tp) / nSpam).toFixed(1)} %; ham ≥ 15: ${over15}; top ham ${Math.max(...s.filter((_, i) => labels[i] === "ham"))}`,
    );
  }
}
