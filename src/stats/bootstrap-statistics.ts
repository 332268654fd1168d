/**
 * Ready-made statistics for `pairedBootstrap`, written against case weights so a resample costs
 * one pass and no allocation, plus one-call wrappers for the comparisons modelgate makes.
 */
import { type BootstrapOptions, type BootstrapResult, type CaseWeights, pairedBootstrap, type StatisticFactory } from "./bootstrap.js";
import { lerp } from "./descriptive.js";
import { withWeightedSum } from "./weighted-sums.js";

/** Mean of one value per case (weighted by draw count). */
export const meanOf: StatisticFactory<number> = (cases) => {
  const values = Float64Array.from(cases);
  const evaluate = (weights: CaseWeights) => {
    let total = 0;
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      const w = weights[i] ?? 0;
      total += w * (values[i] ?? Number.NaN);
      count += w;
    }
    return count === 0 ? Number.NaN : total / count;
  };
  return withWeightedSum(evaluate, { values, counts: new Uint32Array(values.length).fill(1) });
};

/** Mean over all values of all drawn cases (e.g. a score over cases × repeats); empty cases add nothing. */
export const pooledMeanOf: StatisticFactory<readonly number[]> = (cases) => {
  const sums = Float64Array.from(cases, (values) => values.reduce((total, v) => total + v, 0));
  const counts = Uint32Array.from(cases, (values) => values.length);
  const evaluate = (weights: CaseWeights) => {
    let total = 0;
    let count = 0;
    for (let i = 0; i < sums.length; i++) {
      const w = weights[i] ?? 0;
      total += w * (sums[i] ?? Number.NaN);
      count += w * (counts[i] ?? 0);
    }
    return count === 0 ? Number.NaN : total / count;
  };
  return withWeightedSum(evaluate, { values: sums, counts });
};

/** Sum over all values of all drawn cases (e.g. total cost), each case counted as often as drawn. */
export const pooledSumOf: StatisticFactory<readonly number[]> = (cases) => {
  const sums = Float64Array.from(cases, (values) => values.reduce((total, v) => total + v, 0));
  const evaluate = (weights: CaseWeights) => {
    let total = 0;
    for (let i = 0; i < sums.length; i++) total += (weights[i] ?? 0) * (sums[i] ?? Number.NaN);
    return total;
  };
  return withWeightedSum(evaluate, { values: sums });
};

/**
 * The q-quantile (numpy "linear") over all values of all drawn cases, e.g. p95 latency over every
 * request. Values are sorted once; each resample walks them, from whichever end is nearer q,
 * summing draw counts until it reaches the two ranks to interpolate between.
 */
export function pooledQuantileOf(q: number): StatisticFactory<readonly number[]> {
  return (cases) => {
    const counts = Uint32Array.from(cases, (values) => values.length);
    const total = counts.reduce((sum, m) => sum + m, 0);
    const owner = new Uint32Array(total);
    const flat = new Float64Array(total);
    let k = 0;
    for (let i = 0; i < cases.length; i++) {
      const values = cases[i] as readonly number[];
      for (let j = 0; j < values.length; j++) {
        flat[k] = values[j] as number;
        owner[k++] = i;
      }
    }
    const order = Uint32Array.from({ length: total }, (_, j) => j).sort((x, y) => (flat[x] ?? 0) - (flat[y] ?? 0));
    const sortedValues = Float64Array.from(order, (j) => flat[j] ?? Number.NaN);
    const sortedOwner = Uint32Array.from(order, (j) => owner[j] ?? 0);
    const fromTop = q > 0.5;

    // One walk finds the values at ascending ranks lo and lo + 1 of the resampled multiset.
    let x0 = Number.NaN;
    let x1 = Number.NaN;
    const locate = (weights: Readonly<Uint32Array>, lo: number, size: number): void => {
      let cumulative = 0;
      let found = false;
      if (fromTop) {
        // Descending, rank lo + 1 comes first.
        const rank0 = size - 1 - lo;
        const rank1 = rank0 - 1;
        for (let j = sortedValues.length - 1; j >= 0; j--) {
          cumulative += weights[sortedOwner[j] ?? 0] ?? 0;
          if (!found && cumulative > rank1) {
            x1 = sortedValues[j] ?? Number.NaN;
            found = true;
          }
          if (cumulative > rank0) {
            x0 = sortedValues[j] ?? Number.NaN;
            return;
          }
        }
      } else {
        for (let j = 0; j < sortedValues.length; j++) {
          cumulative += weights[sortedOwner[j] ?? 0] ?? 0;
          if (!found && cumulative > lo) {
            x0 = sortedValues[j] ?? Number.NaN;
            found = true;
          }
          if (cumulative > lo + 1) {
            x1 = sortedValues[j] ?? Number.NaN;
            return;
          }
        }
      }
    };

    const evaluate = (weights: CaseWeights, given?: number) => {
      const size = given ?? resampledSize(weights, counts);
      if (size === 0) return Number.NaN;
      const h = (size - 1) * q;
      const lo = Math.floor(h);
      locate(weights, lo, size);
      if (h === lo || lo + 1 >= size) return x0;
      // The same interpolation as `quantile` on the gathered sample, to the last bit.
      return lerp(x0, x1, h - lo);
    };
    return Object.assign(evaluate, { sizeCounts: counts });
  };
}

/**
 * Σ wᵢ·countsᵢ, the number of values in the resample. The terms are whole numbers and so is every
 * partial sum (exact below 2⁵³), so four interleaved sums give the very same total as one running
 * sum, without each addition waiting on the one before.
 */
function resampledSize(weights: CaseWeights, counts: Uint32Array): number {
  const n = counts.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += (weights[i] ?? 0) * (counts[i] ?? 0);
    s1 += (weights[i + 1] ?? 0) * (counts[i + 1] ?? 0);
    s2 += (weights[i + 2] ?? 0) * (counts[i + 2] ?? 0);
    s3 += (weights[i + 3] ?? 0) * (counts[i + 3] ?? 0);
  }
  for (; i < n; i++) s0 += (weights[i] ?? 0) * (counts[i] ?? 0);
  return s0 + s1 + s2 + s3;
}

/**
 * Any statistic of the pooled values, for what has no weighted form: the drawn values are gathered
 * (each case as often as it was drawn) into one reused array and passed to `statistic`.
 */
export function gatheredOf(statistic: (values: readonly number[]) => number): StatisticFactory<readonly number[]> {
  return (cases) => {
    const buffer: number[] = [];
    return (weights) => {
      buffer.length = 0;
      cases.forEach((values, i) => {
        for (let w = weights[i] ?? 0; w > 0; w--) for (const v of values) buffer.push(v);
      });
      return statistic(buffer);
    };
  };
}

/** Bootstrap of candidate − baseline mean with one value per case. */
export function bootstrapMeanDiff(baseline: readonly number[], candidate: readonly number[], options?: BootstrapOptions): BootstrapResult {
  return pairedBootstrap({ baseline, candidate }, meanOf, options);
}

/** Bootstrap of candidate − baseline mean over all values (cases × repeats), resampling cases. */
export function bootstrapPooledMeanDiff(
  baseline: readonly (readonly number[])[],
  candidate: readonly (readonly number[])[],
  options?: BootstrapOptions,
): BootstrapResult {
  return pairedBootstrap({ baseline, candidate }, pooledMeanOf, options);
}

/** Bootstrap of candidate − baseline q-quantile over all values (e.g. p95 latency), resampling cases. */
export function bootstrapQuantileDiff(
  baseline: readonly (readonly number[])[],
  candidate: readonly (readonly number[])[],
  q: number,
  options?: BootstrapOptions,
): BootstrapResult {
  return pairedBootstrap({ baseline, candidate }, pooledQuantileOf(q), options);
}
