/**
 * Statistics that are weighted sums over cases (Σ wᵢ·xᵢ, or that over Σ wᵢ·mᵢ for a mean) declare
 * it, and many of them are then evaluated in one pass over a resample's weights. Each sum is still
 * accumulated case by case in index order, exactly as the statistic's own function does, so every
 * value is the same to the last bit; what changes is that a lone sum waits on its previous addition
 * at every case, while four sums in one loop overlap — several times faster per statistic.
 */
import type { CaseWeights, WeightedStatistic } from "./bootstrap.js";

/** Σ wᵢ·valuesᵢ over cases in index order, divided by Σ wᵢ·countsᵢ when counts are given (NaN when that is 0). */
export interface WeightedSumForm {
  values: Float64Array;
  counts?: Uint32Array;
}

/** `evaluate` with its weighted-sum form attached, so a batch can evaluate it with others. */
export function withWeightedSum(evaluate: (weights: CaseWeights) => number, form: WeightedSumForm): WeightedStatistic {
  return Object.assign(evaluate, { weightedSum: form });
}

/**
 * Evaluates `statistics` on the same weights, into one reused array (index = statistic): the
 * weighted sums together, four columns per pass, the others by calling them.
 */
export function createStatisticsPass(statistics: readonly WeightedStatistic[]): (weights: CaseWeights) => Float64Array {
  const columns: Float64Array[] = [];
  const columnOf = (values: Float64Array): number => {
    if (columns.length > 0 && columns[0]?.length !== values.length) {
      throw new RangeError(`createStatisticsPass: statistics over ${columns[0]?.length} and ${values.length} cases`);
    }
    // Statistics often share their counts (e.g. one value per case): sum each distinct vector once.
    const found = columns.findIndex((column) => column === values || column.every((v, i) => Object.is(v, values[i])));
    if (found >= 0) return found;
    columns.push(values);
    return columns.length - 1;
  };
  const plan = statistics.map((statistic) => {
    const form = statistic.weightedSum;
    if (!form) return null;
    return { numerator: columnOf(form.values), denominator: form.counts ? columnOf(Float64Array.from(form.counts)) : -1 };
  });
  // A resample's size (Σ wᵢ·countsᵢ, whole numbers, so exact in any order) is one more column, shared
  // by every statistic with those counts: p50, p95 and p99 of one side, and that side's latency mean.
  const sizeColumns = statistics.map((statistic) => (statistic.sizeCounts ? columnOf(Float64Array.from(statistic.sizeCounts)) : -1));
  const sums = new Float64Array(columns.length);
  const out = new Float64Array(statistics.length);
  return (weights) => {
    weightedSums(columns, weights, sums);
    for (let k = 0; k < statistics.length; k++) {
      const entry = plan[k];
      if (!entry) {
        const sizeColumn = sizeColumns[k] ?? -1;
        out[k] = (statistics[k] as WeightedStatistic)(weights, sizeColumn < 0 ? undefined : sums[sizeColumn]);
        continue;
      }
      const total = sums[entry.numerator] ?? Number.NaN;
      if (entry.denominator < 0) out[k] = total;
      else {
        const count = sums[entry.denominator] ?? 0;
        out[k] = count === 0 ? Number.NaN : total / count;
      }
    }
    return out;
  };
}

/** out[c] = Σᵢ weights[i]·columns[c][i], each sum in index order; all columns have the same length. */
function weightedSums(columns: readonly Float64Array[], weights: CaseWeights, out: Float64Array): void {
  const n = columns[0]?.length ?? 0;
  let c = 0;
  // Four accumulators in locals: independent additions the CPU can overlap.
  for (; c + 4 <= columns.length; c += 4) {
    const a = columns[c] as Float64Array;
    const b = columns[c + 1] as Float64Array;
    const d = columns[c + 2] as Float64Array;
    const e = columns[c + 3] as Float64Array;
    let sa = 0;
    let sb = 0;
    let sd = 0;
    let se = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i] ?? 0;
      sa += w * (a[i] ?? Number.NaN);
      sb += w * (b[i] ?? Number.NaN);
      sd += w * (d[i] ?? Number.NaN);
      se += w * (e[i] ?? Number.NaN);
    }
    out[c] = sa;
    out[c + 1] = sb;
    out[c + 2] = sd;
    out[c + 3] = se;
  }
  for (; c < columns.length; c++) {
    const a = columns[c] as Float64Array;
    let sa = 0;
    for (let i = 0; i < n; i++) sa += (weights[i] ?? 0) * (a[i] ?? Number.NaN);
    out[c] = sa;
  }
}
