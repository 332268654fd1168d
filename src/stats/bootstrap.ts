/**
 * Paired case bootstrap: resample case indices with replacement (a case is the cluster: all its
 * repeats or latency samples travel together), evaluate the same statistic on both sides of the
 * same resample, and read the interval and p-value of candidate − baseline off the resampled deltas.
 *
 * A resample is a vector of draw counts per case, not a copied array: mean-type statistics become
 * weighted sums and quantiles a walk over values sorted once, so 2,000 resamples × 10,000 cases
 * allocate nothing per resample.
 */
import { quantile, stdev } from "./descriptive.js";
import type { Interval } from "./paired-proportion.js";
import { createRng } from "./rng.js";

/** Draw counts per case of one resample (all ones for the observed sample). Read-only to statistics. */
export type CaseWeights = Readonly<Uint32Array>;

/** A statistic of one side, evaluated on a weighted resample; NaN when undefined (e.g. no values). */
export type WeightedStatistic = (weights: CaseWeights) => number;

/** Prepares a statistic once from one side's per-case data (sort here, not per resample). */
export type StatisticFactory<T> = (cases: readonly T[]) => WeightedStatistic;

/** Resampling options; defaults give a 95% interval from 2,000 resamples with seed 1. */
export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  confidence?: number;
}

/** Point estimates plus the bootstrap interval and p-value of candidate − baseline. */
export interface BootstrapResult {
  baseline: number | null;
  candidate: number | null;
  /** candidate − baseline on the observed sample */
  delta: number | null;
  /** percentile interval of the resampled deltas */
  ci: Interval | null;
  /** two-sided p-value for delta = 0: 2·min(share ≤ 0, share ≥ 0), with the +1 correction */
  p: number | null;
  /** standard deviation of the resampled deltas */
  se: number | null;
  /** cases (paired units) */
  n: number;
  /** resamples whose statistic was defined on both sides */
  resamples: number;
}

export const DEFAULT_RESAMPLES = 2000;
export const DEFAULT_SEED = 1;

/** Paired bootstrap of any statistic over cases; `baseline[i]` and `candidate[i]` are the same case. */
export function pairedBootstrap<T>(
  data: { baseline: readonly T[]; candidate: readonly T[] },
  statistic: StatisticFactory<T>,
  options: BootstrapOptions = {},
): BootstrapResult {
  const { resamples = DEFAULT_RESAMPLES, seed = DEFAULT_SEED, confidence = 0.95 } = options;
  const n = data.baseline.length;
  if (data.candidate.length !== n) {
    throw new RangeError(`pairedBootstrap: ${n} baseline cases but ${data.candidate.length} candidate cases`);
  }
  const baseStat = statistic(data.baseline);
  const candStat = statistic(data.candidate);
  const weights = new Uint32Array(n).fill(1);
  const baseline = finiteOrNull(baseStat(weights));
  const candidate = finiteOrNull(candStat(weights));
  const delta = baseline === null || candidate === null ? null : candidate - baseline;
  const empty = { baseline, candidate, delta, ci: null, p: null, se: null, n, resamples: 0 };
  if (delta === null || n === 0) return empty;

  const rng = createRng(seed);
  const draws = new Uint32Array(n);
  const deltas = new Float64Array(resamples);
  let valid = 0;
  for (let r = 0; r < resamples; r++) {
    rng.fillInts(draws, n);
    weights.fill(0);
    for (const j of draws) weights[j] = (weights[j] ?? 0) + 1;
    const d = candStat(weights) - baseStat(weights);
    // A resample can leave a statistic undefined (every drawn case has no latency sample): skip it.
    if (Number.isFinite(d)) deltas[valid++] = d;
  }
  if (valid === 0) return empty;

  const sorted = deltas.subarray(0, valid).sort();
  const alpha = 1 - confidence;
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (const d of sorted) {
    if (d <= 0) atOrBelow++;
    if (d >= 0) atOrAbove++;
  }
  // The +1s count the observed sample as one of the resamples, so p is never reported as 0.
  const p = Math.min(1, (2 * (Math.min(atOrBelow, atOrAbove) + 1)) / (valid + 1));
  const se = valid > 1 ? stdev(sorted) : null;
  return {
    baseline,
    candidate,
    delta,
    ci: [quantile(sorted, alpha / 2), quantile(sorted, 1 - alpha / 2)],
    p,
    se,
    n,
    resamples: valid,
  };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
