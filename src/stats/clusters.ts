/**
 * One side's values of a metric, case by case, in two flat arrays: case i's values are
 * `values[starts[i]]` up to (not including) `values[starts[i + 1]]`; an empty range is a case with no
 * value. `[i]` is the same case on both sides of a comparison. Two typed arrays rather than an array per
 * case: at 100,000 cases a metric's side takes 1.2 MB instead of 5.6 MB, and a run's analysis holds
 * several of them at once.
 */
export interface Clusters {
  readonly starts: Uint32Array;
  readonly values: Float64Array;
}

/** What the statistics accept: clusters, or one list of values per case. */
export type ClusterInput = Clusters | readonly (readonly number[])[];

/** Clusters of `n` cases, case i's values being `valuesOf(i)`. */
export function buildClusters(n: number, valuesOf: (i: number) => ArrayLike<number>): Clusters {
  const starts = new Uint32Array(n + 1);
  // Room for one value per case to start with (most metrics have one per draw): grown by doubling, and
  // handed out as a view of what is filled.
  let values = new Float64Array(Math.max(16, n));
  let size = 0;
  for (let i = 0; i < n; i++) {
    const own = valuesOf(i);
    if (size + own.length > values.length) {
      const grown = new Float64Array(Math.max(2 * values.length, size + own.length));
      grown.set(values.subarray(0, size));
      values = grown;
    }
    for (let j = 0; j < own.length; j++) values[size++] = own[j] as number;
    starts[i + 1] = size;
  }
  return { starts, values: values.subarray(0, size) };
}

export function asClusters(input: ClusterInput): Clusters {
  if ("starts" in input) return input;
  return buildClusters(input.length, (i) => input[i] ?? []);
}

export function clusterCount(clusters: Clusters): number {
  return clusters.starts.length - 1;
}

export function clusterSize(clusters: Clusters, i: number): number {
  return (clusters.starts[i + 1] ?? 0) - (clusters.starts[i] ?? 0);
}

/** Each case's number of values. */
export function clusterSizes(clusters: Clusters): Uint32Array {
  return clusters.starts.subarray(1).map((end, i) => end - (clusters.starts[i] as number));
}

/** Case i's values (a view, not a copy). */
export function clusterValues(clusters: Clusters, i: number): Float64Array {
  return clusters.values.subarray(clusters.starts[i], clusters.starts[i + 1]);
}

/** The clusters of the cases at `indices`, in that order. */
export function pickClusters(clusters: Clusters, indices: ArrayLike<number>): Clusters {
  return buildClusters(indices.length, (j) => clusterValues(clusters, indices[j] as number));
}

/** The sum and number of the values of the cases at `indices` (of every case when undefined), summed in case order. */
export function clusterTotal(clusters: Clusters, indices?: ArrayLike<number>): { total: number; count: number } {
  if (indices === undefined) {
    let total = 0;
    for (const value of clusters.values) total += value;
    return { total, count: clusters.values.length };
  }
  let total = 0;
  let count = 0;
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j] as number;
    const end = clusters.starts[i + 1] as number;
    for (let k = clusters.starts[i] as number; k < end; k++) total += clusters.values[k] as number;
    count += end - (clusters.starts[i] as number);
  }
  return { total, count };
}

/** Each case's sum of values. */
export function clusterSums(clusters: Clusters): Float64Array {
  const n = clusterCount(clusters);
  const sums = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = clusters.starts[i] as number; j < (clusters.starts[i + 1] as number); j++) sum += clusters.values[j] as number;
    sums[i] = sum;
  }
  return sums;
}

/** Each case's mean (NaN for a case with no value). */
export function clusterMeans(clusters: Clusters): number[] {
  const sums = clusterSums(clusters);
  return Array.from(sums, (sum, i) => sum / clusterSize(clusters, i));
}
