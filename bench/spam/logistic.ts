// Logistic regression for fitting the filter's score combination (bench/spam/tune.ts --combine):
// L2-regularised, by gradient descent with the weights of rule indicators kept ≥ 0 where asked
// (a rule written as a sign of spam must not become a sign of ham because of one corpus' quirks;
// projected gradient keeps it at 0 instead). Features are few (tens) and rows a few thousand, so
// plain full-batch descent converges in well under a second.

export interface Fit {
  /** Intercept. */
  bias: number;
  weights: number[];
}

export interface FitOptions {
  /** L2 penalty on the weights (not the intercept), per row. */
  l2: number;
  /** Weight indices kept ≥ 0. */
  nonNegative?: ReadonlySet<number>;
  /** Relative weight of a spam row (class balance); 1 = as the data has it. */
  spamWeight?: number;
  iterations?: number;
}

export function fitLogistic(x: readonly number[][], y: readonly (0 | 1)[], opts: FitOptions): Fit {
  const n = x.length;
  const d = x[0]?.length ?? 0;
  const w = new Array<number>(d).fill(0);
  let b = 0;
  const iters = opts.iterations ?? 1500;
  // Adam: robust to features on different scales (a logit in ±10 beside 0/1 indicators).
  const m = new Array<number>(d + 1).fill(0);
  const v = new Array<number>(d + 1).fill(0);
  const lr = 0.05;
  const sw = opts.spamWeight ?? 1;
  for (let t = 1; t <= iters; t++) {
    const g = new Array<number>(d + 1).fill(0);
    let wsum = 0;
    for (let i = 0; i < n; i++) {
      const row = x[i]!;
      let z = b;
      for (let j = 0; j < d; j++) z += w[j]! * row[j]!;
      const p = 1 / (1 + Math.exp(-z));
      const rw = y[i] === 1 ? sw : 1;
      const err = rw * (p - y[i]!);
      wsum += rw;
      for (let j = 0; j < d; j++) g[j]! += err * row[j]!;
      g[d]! += err;
    }
    for (let j = 0; j <= d; j++) {
      let gj = g[j]! / wsum;
      if (j < d) gj += opts.l2 * w[j]!;
      m[j] = 0.9 * m[j]! + 0.1 * gj;
      v[j] = 0.999 * v[j]! + 0.001 * gj * gj;
      const step = (lr * (m[j]! / (1 - 0.9 ** t))) / (Math.sqrt(v[j]! / (1 - 0.999 ** t)) + 1e-8);
      if (j < d) {
        w[j]! -= step;
        if (opts.nonNegative?.has(j) && w[j]! < 0) w[j] = 0;
      } else b -= step;
    }
  }
  return { bias: b, weights: w };
}

export function predict(fit: Fit, row: readonly number[]): number {
  let z = fit.bias;
  for (let j = 0; j < row.length; j++) z += (fit.weights[j] ?? 0) * row[j]!;
  return z;
}
