/** t intervals for paired mean differences, with cases as clusters when a case has several repeats. */
import { mean, stdev } from "./descriptive.js";
import type { Interval } from "./paired-proportion.js";
import { tQuantile, tTwoSidedP } from "./student-t.js";

/** Mean difference (candidate − baseline) with its standard error, t interval and two-sided p-value. */
export interface MeanDiffResult {
  /** null when there are no paired values */
  delta: number | null;
  /** null below two pairs */
  se: number | null;
  ci: Interval | null;
  p: number | null;
  /** paired units (cases) */
  n: number;
}

/** One-sample t interval on per-case differences (candidate − baseline), 95% unless `confidence` says otherwise. */
export function pairedTInterval(diffs: readonly number[], options: { confidence?: number } = {}): MeanDiffResult {
  const { confidence = 0.95 } = options;
  const n = diffs.length;
  if (n === 0) return { delta: null, se: null, ci: null, p: null, n };
  const delta = mean(diffs);
  if (n < 2) return { delta, se: null, ci: null, p: null, n };
  const se = stdev(diffs) / Math.sqrt(n);
  const df = n - 1;
  // Identical differences: the data show no spread, which is not evidence of none; no interval (the rule is undecided).
  if (se === 0) return { delta, se, ci: null, p: delta === 0 ? 1 : null, n };
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
  return { delta, se, ci: [delta - half, delta + half], p: tTwoSidedP(delta / se, df), n };
}

/** `pairedTInterval` on per-case means, plus the two sides' means over the same cases. */
export interface ClusteredMeanDiff extends MeanDiffResult {
  baseline: number | null;
  candidate: number | null;
}

/**
 * Cluster-robust paired comparison for repeats: each case contributes one difference,
 * mean(candidate values) − mean(baseline values), so correlated repeats of a case are not
 * counted as independent evidence. Cases with no value on either side are left out (and out of `n`);
 * every case weighs the same whatever its number of repeats.
 */
export function clusteredMeanDiff(
  baseline: readonly (readonly number[])[],
  candidate: readonly (readonly number[])[],
  options: { confidence?: number } = {},
): ClusteredMeanDiff {
  if (baseline.length !== candidate.length) {
    throw new RangeError(`clusteredMeanDiff: ${baseline.length} baseline cases but ${candidate.length} candidate cases`);
  }
  const baseMeans: number[] = [];
  const candMeans: number[] = [];
  const diffs: number[] = [];
  baseline.forEach((baseValues, i) => {
    const candValues = candidate[i] ?? [];
    if (baseValues.length === 0 || candValues.length === 0) return;
    const b = mean(baseValues);
    const c = mean(candValues);
    baseMeans.push(b);
    candMeans.push(c);
    diffs.push(c - b);
  });
  const result = pairedTInterval(diffs, options);
  const n = diffs.length;
  return { ...result, baseline: n === 0 ? null : mean(baseMeans), candidate: n === 0 ? null : mean(candMeans) };
}
