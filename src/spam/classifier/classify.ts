// Scoring one message against the models: Gary Robinson's smoothed token probabilities f(w)
// combined with Fisher's chi-square method, as SpamBayes and bogofilter do ("A statistical
// approach to the spam problem", Linux Journal 107, 2003). Chosen because it is proven on real
// mail, needs no training beyond counting, and says "unsure" (near 0.5) instead of guessing when
// the evidence is weak or conflicting; parameters and measured figures: docs/ARCHITECTURE.md
// ("Spam classifier").
//
// Two tests, not one: the header fields' tokens and the message's own (tokens.ts, MessageTokens)
// are each combined by Fisher's method and the two log-odds averaged. The chi-square test
// assumes independent clues, and header tokens are anything but: one mailing list or relay gives
// tens of tokens that always occur together (its domains, addresses, Received hosts and IP
// prefixes, List-* fields), which in one pooled test outvote everything the message says. In
// blocked 5-fold cross-validation on the 2002 corpus groups (bench/spam/tune.ts --blocked) this
// raised spam recall at 0.1 % / 1 % ham false positives from 85.2 / 94.4 % to 88.0 / 95.4 % and
// ROC AUC from 0.9932 to 0.9977 (docs/ARCHITECTURE.md, "Spam classifier").
//
// Per-user models: a user's training goes into the global model (scope 0) and the user's own
// (scope = account id, train.ts). Scoring adds the user's counts, weighted, to the global ones,
// so a user's own judgement outweighs everyone else's on the tokens they trained, takes effect
// for their next message, and a user without training simply gets the global model.
import type { SpamStore, SpamTokenCounts } from "../../store/types.js";
import type { MessageTokens } from "./tokens.js";

export interface Classification {
  /** 0 certainly ham … 1 certainly spam; 0.5 when nothing counted. */
  probability: number;
  /** The models hold enough training to be trusted: at least MIN_TRAINED spam and as many ham
   *  messages (global and the user's counts combined). The filter ignores an unready result. */
  ready: boolean;
  /** How many tokens counted (had a probability at least `minDev` away from 0.5). */
  clues: number;
}

export interface ClassifyParams {
  /** Robinson's s: the strength of the prior x for a token seen n times (0.1; SpamBayes has
   *  0.45, SpamAssassin 0.03). A weaker prior lets a token seen in a few training messages count
   *  near its observed ratio: new spam runs share few tokens with trained ones, and those few
   *  are what catches them. Blocked CV on the 2002 groups (bench/spam/cv-filter.ts, the filter's
   *  score with rules/money.ts), 3 / 5 / 10 folds, at 0.1 % and 1 % ham false positives: 83.2 /
   *  95.6, 94.0 / 97.2, 92.4 / 97.6 %, against 82.4 / 95.4, 91.6 / 96.2, 91.8 / 97.2 % with 0.45
   *  and no money rule (docs/ARCHITECTURE.md "Spam classifier"). */
  s: number;
  /** Robinson's x: the probability assumed for a token never seen (0.5: no opinion). */
  x: number;
  /** Tokens with |f(w) − 0.5| at most this are ignored (0.1, SpamBayes). */
  minDev: number;
  /** At most this many tokens, the most extreme, count (300; SpamBayes uses 150: blocked CV on
   *  the 2002 groups with shape and URL-path tokens gave 83.8 → 85.2 % recall at 0.1 % FP,
   *  AUC 0.9927 → 0.9932, the same 94.4 % at 1 %). */
  maxClues: number;
  /** Weight of the user's own counts added to the global ones. */
  userWeight: number;
  /** How the clues combine: "fisher" (chi-square both ways, SpamBayes) or "robinson" (the
   *  geometric-mean S and H of Robinson's first method, (1 + S − H) / 2 with
   *  S = 1 − (Π(1−f))^(1/n), H = 1 − (Πf)^(1/n)). */
  combine: "fisher" | "robinson";
  /** Header tokens and the rest as two tests whose log-odds are averaged (true), or all tokens
   *  as one test (false, the classifier before 2026-12-07). */
  split: boolean;
  /** The most ham evidence the message test (subject, links, shape, text) may give beside the
   *  header test, as log-odds (4: p ≈ 0.018); its spam side and the header test keep the full
   *  ±MAX_LOG_ODDS. Why: the
   *  words that say "ham" are everyday words, and a long text has hundreds of them that occur
   *  together, which Fisher's test counts as independent clues and takes to certainty (log-odds
   *  −12, its clip) — for a newsletter-like spam as much as for a ham. Anyone can write everyday
   *  words (spam that pads itself with ordinary prose is the "good word" attack, Lowd and Meek,
   *  CEAS 2005), but not the sender, relays and list fields of the recipient's real
   *  correspondents, so the text's ham verdict is the one not to trust without bound. Blocked
   *  cross-validation on the 2002 groups (bench/spam/cv-filter.ts), the filter's score at 0.1 % /
   *  1 % ham false positives, 3 / 5 / 10 folds: 85.0 / 96.8, 95.4 / 98.0, 93.8 / 98.4 % →
   *  85.2 / 97.0, 95.6 / 98.2, 94.2 / 98.6 %; over the easy ham alone at 1 %: 97.2, 98.2, 99.0 →
   *  97.8, 99.2, 99.6 % (docs/ARCHITECTURE.md "Spam classifier", sixth round). Infinity: no cap. */
  messageHamLogOdds: number;
}

export const DEFAULT_PARAMS: ClassifyParams = {
  s: 0.1,
  x: 0.5,
  minDev: 0.1,
  maxClues: 300,
  userWeight: 2,
  combine: "fisher",
  split: true,
  messageHamLogOdds: 4,
};

/** 20 of each: below that, token frequencies are noise (SpamAssassin asks 200 of each before
 *  Bayes counts at all; 20 lets a new server's first user training start helping soon, and the
 *  chi-square combination stays near 0.5 on weak evidence). */
export const MIN_TRAINED = 20;

export async function classify(
  store: Pick<SpamStore, "tokenCounts" | "modelTotals">,
  opts: { accountId: number | null; params?: Partial<ClassifyParams> },
  tokens: MessageTokens,
): Promise<Classification> {
  const p = { ...DEFAULT_PARAMS, ...opts.params };
  const { hashes } = tokens;
  const user = opts.accountId !== null && opts.accountId !== 0 ? opts.accountId : null;
  const [gTotals, gCounts, uTotals, uCounts] = await Promise.all([
    store.modelTotals(0),
    store.tokenCounts(0, hashes),
    user === null ? null : store.modelTotals(user),
    user === null ? null : store.tokenCounts(user, hashes),
  ]);
  const w = p.userWeight;
  const nSpam = gTotals.spam + (uTotals === null ? 0 : w * uTotals.spam);
  const nHam = gTotals.ham + (uTotals === null ? 0 : w * uTotals.ham);
  const ready =
    gTotals.spam + (uTotals?.spam ?? 0) >= MIN_TRAINED && gTotals.ham + (uTotals?.ham ?? 0) >= MIN_TRAINED;
  if (nSpam === 0 || nHam === 0) return { probability: 0.5, ready: false, clues: 0 };

  const headerEnd = p.split ? tokens.headerCount : 0;
  const headerProbs: number[] = [];
  const probs: number[] = [];
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i]!;
    const g = gCounts.get(h);
    const u = uCounts?.get(h);
    if (g === undefined && u === undefined) continue;
    const f = tokenProbability(add(g, u, w), nSpam, nHam, p);
    if (Math.abs(f - 0.5) > p.minDev) (i < headerEnd ? headerProbs : probs).push(f);
  }
  const clues = headerProbs.length + probs.length;
  if (headerProbs.length === 0) return { probability: combine(probs, p), ready, clues };
  if (probs.length === 0) return { probability: combine(headerProbs, p), ready, clues };
  // Each test's result as log-odds, clipped where Fisher's result saturates in floating point
  // (as rules/bayes.ts clips it), averaged, and back to a probability: a message both tests
  // call 0.99 stays 0.99, and one test's "unsure" (0.5, log-odds 0) halves the other's verdict.
  // The message test's ham side is capped (messageHamLogOdds) only here, where it would outvote
  // the header test: with no header clues it is all there is, and counts as it is.
  const message = Math.max(-p.messageHamLogOdds, logOdds(combine(probs, p)));
  const z = (logOdds(combine(headerProbs, p)) + message) / 2;
  return { probability: 1 / (1 + Math.exp(-z)), ready, clues };
}

/** The most extreme `maxClues` clues combined by the chosen method. */
function combine(probs: number[], p: ClassifyParams): number {
  if (probs.length > p.maxClues) {
    probs.sort((a, b) => Math.abs(b - 0.5) - Math.abs(a - 0.5));
    probs.length = p.maxClues;
  }
  return p.combine === "robinson" ? robinsonCombine(probs) : fisherCombine(probs);
}

/** Log-odds clipped to ±MAX_LOG_ODDS (p ≈ 0.999994): Fisher's combination says exactly 0 or 1
 *  when saturated, and beyond this the order of two sure results means nothing. */
const MAX_LOG_ODDS = 12;
function logOdds(q: number): number {
  if (q <= 0) return -MAX_LOG_ODDS;
  if (q >= 1) return MAX_LOG_ODDS;
  return Math.max(-MAX_LOG_ODDS, Math.min(MAX_LOG_ODDS, Math.log(q / (1 - q))));
}

function add(g: SpamTokenCounts | undefined, u: SpamTokenCounts | undefined, w: number): SpamTokenCounts {
  return { spam: (g?.spam ?? 0) + w * (u?.spam ?? 0), ham: (g?.ham ?? 0) + w * (u?.ham ?? 0) };
}

/** Robinson's f(w) = (s·x + n·p(w)) / (s + n), p(w) the Graham-style ratio of the token's
 *  spam and ham frequencies (each relative to its class size, so unequal training sizes do not
 *  bias it), n the number of messages it was seen in. */
export function tokenProbability(c: SpamTokenCounts, nSpam: number, nHam: number, p: ClassifyParams): number {
  const sr = Math.min(1, c.spam / nSpam);
  const hr = Math.min(1, c.ham / nHam);
  const n = c.spam + c.ham;
  const pw = sr + hr === 0 ? p.x : sr / (sr + hr);
  return (p.s * p.x + n * pw) / (p.s + n);
}

/** Fisher's method both ways: H tests "these are ham probabilities", S "spam"; the result
 *  (1 + H − S) / 2 is near 1 when only the spam hypothesis survives, near 0 for ham, near 0.5
 *  when both (or neither) do. Logs are summed, so hundreds of clues cannot underflow. */
export function fisherCombine(probs: readonly number[]): number {
  if (probs.length === 0) return 0.5;
  let lnSpam = 0;
  let lnHam = 0;
  for (const f of probs) {
    lnSpam += Math.log(f);
    lnHam += Math.log(1 - f);
  }
  const s = 1 - chi2Q(-2 * lnHam, 2 * probs.length);
  const h = 1 - chi2Q(-2 * lnSpam, 2 * probs.length);
  return (1 + s - h) / 2;
}

/** Robinson's geometric-mean combination: S = 1 − (Π(1−f))^(1/n), H = 1 − (Πf)^(1/n),
 *  (1 + S − H) / 2. Smoother than Fisher's (never saturates at exactly 0 or 1), so it keeps
 *  the order among very sure messages. */
export function robinsonCombine(probs: readonly number[]): number {
  if (probs.length === 0) return 0.5;
  let lnSpam = 0;
  let lnHam = 0;
  for (const f of probs) {
    lnSpam += Math.log(f);
    lnHam += Math.log(1 - f);
  }
  const s = 1 - Math.exp(lnHam / probs.length);
  const h = 1 - Math.exp(lnSpam / probs.length);
  return (1 + s - h) / 2;
}

/** P(χ² ≥ x2) with v (even) degrees of freedom: the closed-form series e^(−m) Σ mⁱ/i!, m = x2/2. */
export function chi2Q(x2: number, v: number): number {
  const m = x2 / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < v / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}
