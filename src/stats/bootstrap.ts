/**
 * Seeded paired case bootstrap: resample cases with replacement (a case is the cluster: all its
 * repeats or latency samples travel together), evaluate the same statistic on both sides of the same
 * resample, and read the interval and p-values of candidate − k·baseline off the resampled values.
 *
 * A resample is held as draw counts per case (`weights[i]` = how often case i was drawn), so a mean is
 * one pass over the cases and a quantile one walk over values sorted once, not a sort per resample.
 */
import { asClusters, type ClusterInput, type Clusters, clusterCount, clusterSizes, clusterSums } from "./clusters.js";
import { normalCdf } from "./normal.js";
import type { Interval } from "./paired-proportion.js";
import { createRng } from "./rng.js";
import { tQuantile } from "./student-t.js";

/** A statistic of one side, prepared once from its clusters, evaluated on a resample's weights (NaN when undefined). */
export type Statistic = (clusters: Clusters) => (weights: Uint32Array) => number;

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  /**
   * The quantity resampled is candidate − k·baseline: 1 (default) for the delta, 0 for the candidate's
   * own value, 1 + r for a relative bound (the baseline's own uncertainty included).
   */
  k?: number;
}

/** The resampled distribution of candidate − k·baseline. */
export interface BootstrapResult {
  baseline: number | null;
  candidate: number | null;
  /** candidate − k·baseline on the observed sample */
  estimate: number | null;
  /** resampled values, ascending (resamples where a statistic was undefined are left out) */
  sorted: Float64Array;
  /** cases (paired units) */
  n: number;
}

export const DEFAULT_RESAMPLES = 2000;
export const DEFAULT_SEED = 1;

/** Mean over all values of the drawn cases (a score over cases × repeats); empty cases add nothing. */
export const pooledMean: Statistic = (clusters) => {
  const sums = clusterSums(clusters);
  const counts = clusterSizes(clusters);
  return (weights) => {
    let total = 0;
    let count = 0;
    for (let i = 0; i < sums.length; i++) {
      const w = weights[i] ?? 0;
      total += w * (sums[i] ?? 0);
      count += w * (counts[i] ?? 0);
    }
    return count === 0 ? Number.NaN : total / count;
  };
};

/** Sum over all values of the drawn cases (total cost), each case counted as often as drawn. */
export const pooledSum: Statistic = (clusters) => {
  const sums = clusterSums(clusters);
  return (weights) => {
    let total = 0;
    for (let i = 0; i < sums.length; i++) total += (weights[i] ?? 0) * (sums[i] ?? 0);
    return total;
  };
};

/**
 * The q-quantile (numpy "linear") over all values of the drawn cases, e.g. p95 latency over every
 * request. Values are sorted once with the case they came from; a resample then walks them, each
 * counted as often as its case was drawn, from the end nearer q (p95 is 5% of a walk from the top).
 */
export function pooledQuantile(q: number): Statistic {
  return (clusters) => {
    const counts = clusterSizes(clusters);
    // Each value's case, then the values' order: sorted once, with the case each came from.
    const ownerOf = new Int32Array(clusters.values.length);
    counts.forEach((count, owner) => ownerOf.fill(owner, clusters.starts[owner], (clusters.starts[owner] as number) + count));
    const order = Uint32Array.from(clusters.values.keys()).sort((a, b) => (clusters.values[a] as number) - (clusters.values[b] as number));
    const values = Float64Array.from(order, (j) => clusters.values[j] as number);
    const owners = Int32Array.from(order, (j) => ownerOf[j] as number);
    const fromTop = q > 0.5;
    return (weights) => {
      let size = 0;
      for (let i = 0; i < counts.length; i++) size += (weights[i] ?? 0) * (counts[i] ?? 0);
      if (size === 0) return Number.NaN;
      const h = (size - 1) * q;
      const lo = Math.floor(h);
      const hi = Math.min(lo + 1, size - 1);
      // ranks lo and hi (ascending) as counted from the end the walk starts at
      const [first, second] = fromTop ? [size - 1 - hi, size - 1 - lo] : [lo, hi];
      let seen = 0;
      let atFirst = Number.NaN;
      for (let j = 0; j < values.length; j++) {
        const k = fromTop ? values.length - 1 - j : j;
        seen += weights[owners[k] ?? 0] ?? 0;
        if (Number.isNaN(atFirst) && seen > first) atFirst = values[k] ?? Number.NaN;
        if (seen > second) {
          const atSecond = values[k] ?? Number.NaN;
          const [x0, x1] = fromTop ? [atSecond, atFirst] : [atFirst, atSecond];
          return x0 + (x1 - x0) * (h - lo);
        }
      }
      return Number.NaN;
    };
  };
}

/** Paired bootstrap of `statistic` over cases; `baseline[i]` and `candidate[i]` are the same case. */
export function pairedBootstrap(
  data: { baseline: ClusterInput; candidate: ClusterInput },
  statistic: Statistic,
  options: BootstrapOptions = {},
): BootstrapResult {
  const { resamples = DEFAULT_RESAMPLES, seed = DEFAULT_SEED, k = 1 } = options;
  const sides = { baseline: asClusters(data.baseline), candidate: asClusters(data.candidate) };
  const n = clusterCount(sides.baseline);
  const m = clusterCount(sides.candidate);
  if (m !== n) throw new RangeError(`pairedBootstrap: ${n} baseline cases but ${m} candidate cases`);
  const baseline = statistic(sides.baseline);
  const candidate = statistic(sides.candidate);
  const weights = new Uint32Array(n).fill(1);
  const observed = { baseline: finiteOrNull(baseline(weights)), candidate: finiteOrNull(candidate(weights)) };
  const estimate = observed.candidate === null || (observed.baseline === null && k !== 0) ? null : observed.candidate - k * (observed.baseline ?? 0);
  if (estimate === null || n === 0) return { ...observed, estimate, sorted: new Float64Array(0), n };
  const rng = createRng(seed);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    weights.fill(0);
    for (let i = 0; i < n; i++) {
      const drawn = rng.int(n);
      weights[drawn] = (weights[drawn] ?? 0) + 1;
    }
    const value = candidate(weights) - (k === 0 ? 0 : k * baseline(weights));
    // A resample can leave a statistic undefined (every drawn case has no latency sample): skip it.
    if (Number.isFinite(value)) values.push(value);
  }
  return { ...observed, estimate, sorted: Float64Array.from(values).sort(), n };
}

/**
 * The interval at `confidence`: the expanded percentile interval (Hesterberg 2015, "What teachers
 * should know about the bootstrap"): the percentile interval at a wider nominal level, chosen so that
 * it matches a t interval's width at small n, where the plain percentile interval is too narrow
 * (about 91% at n = 20). Null when the resampled values do not spread (every difference equal, or a
 * handful of cases): a point is no interval, and the rule is then undecided.
 */
export function bootstrapInterval(result: BootstrapResult, confidence = 0.95): Interval | null {
  const { sorted, n } = result;
  if (n < 2 || sorted.length < 2 || !spreads(sorted)) return null;
  const alpha = 1 - confidence;
  const expanded = 2 * normalCdf(-Math.sqrt(n / (n - 1)) * tQuantile(1 - alpha / 2, n - 1));
  return [percentile(sorted, expanded / 2), percentile(sorted, 1 - expanded / 2)];
}

/** Share of resampled values at or beyond `limit` on one side, counting the observed sample as one (never 0). */
export function bootstrapTail(result: BootstrapResult, limit: number, side: "below" | "above"): number | null {
  const { sorted } = result;
  if (sorted.length === 0 || !spreads(sorted)) return null;
  let count = 0;
  for (const value of sorted) if (side === "below" ? value <= limit : value >= limit) count++;
  return Math.min(1, (count + 1) / (sorted.length + 1));
}

/** Two-sided p-value for "no difference" (estimate = 0): 2·min(share ≤ 0, share ≥ 0). */
export function bootstrapTwoSidedP(result: BootstrapResult): number | null {
  const below = bootstrapTail(result, 0, "below");
  const above = bootstrapTail(result, 0, "above");
  if (below === null || above === null) return result.sorted.length > 0 && result.estimate === 0 ? 1 : null;
  return Math.min(1, 2 * Math.min(below, above));
}

// A spread below this (relative to the values' size) is rounding, not sampling variation.
const SPREAD = 1e-12;

function spreads(sorted: Float64Array): boolean {
  const lo = sorted[0] ?? 0;
  const hi = sorted[sorted.length - 1] ?? 0;
  return hi - lo > SPREAD * Math.max(1, Math.abs(lo), Math.abs(hi));
}

/** Linear-interpolated percentile of ascending values (numpy "linear"). */
function percentile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const x0 = sorted[lo] ?? Number.NaN;
  const x1 = sorted[Math.min(lo + 1, sorted.length - 1)] ?? x0;
  return x0 + (x1 - x0) * (h - lo);
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
