/**
 * Quantiles (latency percentiles) of two independent arms: the candidate's own quantile by the
 * distribution-free order-statistic interval and binomial test, and candidate − k·baseline by a seeded
 * bootstrap of its standard error, each arm resampled within each stratum (arms and strata independent).
 */
import { binomialCdf, binomialUpperTail } from "./binomial.js";
import { quantile } from "./descriptive.js";
import type { Interval } from "./paired-proportion.js";
import { createRng } from "./rng.js";

/**
 * One-sided evidence that the true q-quantile lies `side` of `limit`: the number of values at or below
 * (above) the limit is Binomial(n, F(limit)), and F(limit) < q exactly when the quantile is above it.
 */
export function quantileBeyond(sorted: ArrayLike<number>, q: number, limit: number, side: "above" | "below"): number {
  const n = sorted.length;
  let atOrBelow = 0;
  let below = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i] ?? 0;
    if (v <= limit) atOrBelow++;
    if (v < limit) below++;
  }
  return side === "above" ? binomialCdf(atOrBelow, n, q) : binomialUpperTail(below, n, q);
}

/**
 * The order-statistic interval of the q-quantile at `confidence`; an end the sample cannot reach is
 * null (too few values for this confidence): no interval is invented past the data.
 */
export function quantileInterval(sorted: ArrayLike<number>, q: number, confidence: number): Interval | null {
  const n = sorted.length;
  const tail = (1 - confidence) / 2;
  // X = values below the true quantile ~ Binomial(n, q). Lower end: the l-th value with P(X < l) ≤ tail.
  let l = 0;
  while (l < n && binomialCdf(l, n, q) <= tail) l++;
  let u = n + 1;
  while (u > 1 && 1 - binomialCdf(u - 2, n, q) <= tail) u--;
  if (l < 1 || u > n) return null;
  return [sorted[l - 1] ?? 0, sorted[u - 1] ?? 0];
}

export interface QuantileStratum {
  /** sorted ascending */
  candidate: Float64Array;
  /** sorted ascending */
  baseline: Float64Array;
}

/**
 * candidate − k·baseline of the q-quantile, standardised to the candidate's strata (weights n_c,s / N_c),
 * with its bootstrap standard error over `resamples` seeded resamples. null when no stratum has both arms.
 */
export function quantileDifference(
  strata: QuantileStratum[],
  q: number,
  k: number,
  options: { resamples?: number; seed?: number } = {},
): { estimate: number; se: number | null } | null {
  const used = strata.filter((s) => s.candidate.length > 0 && s.baseline.length > 0);
  const nc = used.reduce((sum, s) => sum + s.candidate.length, 0);
  if (nc === 0) return null;
  const statistic = (pick: (values: Float64Array) => number) =>
    used.reduce((sum, s) => sum + (s.candidate.length / nc) * (pick(s.candidate) - k * pick(s.baseline)), 0);
  const estimate = statistic((values) => quantile(values, q));
  const { resamples = 400, seed = 1 } = options;
  const rng = createRng(seed);
  const draws: number[] = [];
  const scratch = new Float64Array(Math.max(...used.map((s) => Math.max(s.candidate.length, s.baseline.length))));
  for (let r = 0; r < resamples; r++) {
    draws.push(
      statistic((values) => {
        const buffer = scratch.subarray(0, values.length);
        for (let i = 0; i < values.length; i++) buffer[i] = values[rng.int(values.length)] ?? 0;
        buffer.sort();
        return quantile(buffer, q);
      }),
    );
  }
  const m = draws.reduce((a, b) => a + b, 0) / draws.length;
  const v = draws.reduce((a, b) => a + (b - m) ** 2, 0) / (draws.length - 1);
  return { estimate, se: v > 0 ? Math.sqrt(v) : null };
}
