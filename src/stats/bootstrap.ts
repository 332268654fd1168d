/**
 * Paired case bootstrap: resample case indices with replacement (a case is the cluster: all its
 * repeats or latency samples travel together), evaluate the same statistic on both sides of the
 * same resample, and read the interval and p-value of candidate − baseline off the resampled deltas.
 *
 * A resample is a vector of draw counts per case, not a copied array: mean-type statistics become
 * weighted sums and quantiles a walk over values sorted once, so 2,000 resamples × 10,000 cases
 * allocate nothing per resample.
 *
 * The resamples depend on nothing but the seed and the number of cases, so a run's many comparisons
 * (`pairedBootstrapMany`) draw each resample once per distinct case count and evaluate every
 * statistic on it, weighted sums several at a time (weighted-sums.ts). Each result is still exactly
 * that of bootstrapping its item alone; `pairedBootstrap` is the batch of one.
 */
import { quantile, stdev } from "./descriptive.js";
import type { Interval } from "./paired-proportion.js";
import { createRng } from "./rng.js";
import { createStatisticsPass, type WeightedSumForm } from "./weighted-sums.js";

/** Draw counts per case of one resample (all ones for the observed sample). Read-only to statistics. */
export type CaseWeights = Readonly<Uint32Array>;

/**
 * A statistic of one side, evaluated on a weighted resample; NaN when undefined (e.g. no values).
 * A weighted sum or mean may carry its `weightedSum` form, which batches evaluate many at a time.
 * A statistic of the pooled values (a quantile) may declare `sizeCounts`, each case's number of
 * values: a batch then passes it the resample's size Σ wᵢ·countsᵢ, summed once for every statistic
 * with the same counts; called alone it sums the size itself.
 */
export type WeightedStatistic = ((weights: CaseWeights, size?: number) => number) & {
  readonly weightedSum?: WeightedSumForm;
  readonly sizeCounts?: Uint32Array;
};

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
  return runPairedBootstraps([preparePairedBootstrap(data, statistic)], options)[0] as BootstrapResult;
}

/** One paired comparison of a batch: both sides' per-case data and the statistic evaluated on each side. */
export interface BootstrapItem<T> {
  data: { baseline: readonly T[]; candidate: readonly T[] };
  statistic: StatisticFactory<T>;
}

/**
 * `pairedBootstrap` of every item, in item order and equal to it bit for bit: the resamples depend
 * only on the seed and the case count, so items with the same n share each resample's draws.
 */
export function pairedBootstrapMany<T>(items: readonly BootstrapItem<T>[], options: BootstrapOptions = {}): BootstrapResult[] {
  return runPairedBootstraps(
    items.map((item) => preparePairedBootstrap(item.data, item.statistic)),
    options,
  );
}

/** An item with its statistics built and observed values taken; it no longer needs the caller's data. */
export interface PreparedBootstrap {
  n: number;
  baseline: WeightedStatistic;
  candidate: WeightedStatistic;
  observed: { baseline: number | null; candidate: number | null };
}

/** Builds both sides' statistics now, so a caller batching many items can let go of their data. */
export function preparePairedBootstrap<T>(
  data: { baseline: readonly T[]; candidate: readonly T[] },
  statistic: StatisticFactory<T>,
): PreparedBootstrap {
  const n = data.baseline.length;
  if (data.candidate.length !== n) {
    throw new RangeError(`pairedBootstrap: ${n} baseline cases but ${data.candidate.length} candidate cases`);
  }
  const baseline = statistic(data.baseline);
  const candidate = statistic(data.candidate);
  const ones = new Uint32Array(n).fill(1);
  return { n, baseline, candidate, observed: { baseline: finiteOrNull(baseline(ones)), candidate: finiteOrNull(candidate(ones)) } };
}

/** Resamples every prepared item (one draw sequence per distinct n) and summarises each. */
export function runPairedBootstraps(items: readonly PreparedBootstrap[], options: BootstrapOptions = {}): BootstrapResult[] {
  const { resamples = DEFAULT_RESAMPLES, seed = DEFAULT_SEED, confidence = 0.95 } = options;
  const byN = new Map<number, Resampled[]>();
  const resampled = items.map((item): Resampled | null => {
    const { baseline, candidate } = item.observed;
    if (baseline === null || candidate === null || item.n === 0) return null;
    const entry = { item, deltas: new Float64Array(resamples), valid: 0 };
    const group = byN.get(item.n);
    if (group) group.push(entry);
    else byN.set(item.n, [entry]);
    return entry;
  });
  for (const [n, group] of byN) resampleGroup(n, group, resamples, seed);
  return items.map((item, i) => summarise(item, resampled[i] ?? null, confidence));
}

interface Resampled {
  item: PreparedBootstrap;
  deltas: Float64Array;
  valid: number;
}

/**
 * The draws are exactly those a lone `pairedBootstrap` of any one item makes (a fresh RNG from the
 * seed, n indices per resample), so sharing them changes no result.
 */
function resampleGroup(n: number, group: readonly Resampled[], resamples: number, seed: number): void {
  const rng = createRng(seed);
  const weights = new Uint32Array(n);
  const tally = new Int32Array(weights.buffer);
  // Statistic 2k is entry k's baseline, 2k + 1 its candidate.
  const evaluate = createStatisticsPass(group.flatMap((entry) => [entry.item.baseline, entry.item.candidate]));
  for (let r = 0; r < resamples; r++) {
    tally.fill(0);
    rng.countInts(tally, n);
    const values = evaluate(weights);
    for (let k = 0; k < group.length; k++) {
      const entry = group[k] as Resampled;
      const d = (values[2 * k + 1] ?? Number.NaN) - (values[2 * k] ?? Number.NaN);
      // A resample can leave a statistic undefined (every drawn case has no latency sample): skip it.
      if (Number.isFinite(d)) entry.deltas[entry.valid++] = d;
    }
  }
}

function summarise(item: PreparedBootstrap, resampled: Resampled | null, confidence: number): BootstrapResult {
  const { n } = item;
  const { baseline, candidate } = item.observed;
  const delta = baseline === null || candidate === null ? null : candidate - baseline;
  const empty = { baseline, candidate, delta, ci: null, p: null, se: null, n, resamples: 0 };
  if (delta === null || resampled === null || resampled.valid === 0) return empty;

  const valid = resampled.valid;
  const sorted = resampled.deltas.subarray(0, valid).sort();
  const alpha = 1 - confidence;
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (let i = 0; i < valid; i++) {
    const d = sorted[i] as number;
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
