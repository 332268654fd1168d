/**
 * Descriptive statistics over plain arrays. Inputs are trusted to be finite numbers;
 * empty inputs give NaN rather than throwing, so callers decide what "no data" means.
 */

/** Arithmetic mean; NaN for an empty array. */
export function mean(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < n; i++) total += values[i] ?? Number.NaN;
  return total / n;
}

/** Sample variance (n − 1 denominator, like numpy `ddof=1`); NaN for fewer than two values. */
export function variance(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const m = mean(values);
  // Two-pass with a correction term: stable when the mean is large relative to the spread (latencies).
  let squares = 0;
  let correction = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] ?? Number.NaN) - m;
    squares += d * d;
    correction += d;
  }
  return (squares - (correction * correction) / n) / (n - 1);
}

/** Sample standard deviation (n − 1 denominator); NaN for fewer than two values. */
export function stdev(values: ArrayLike<number>): number {
  return Math.sqrt(variance(values));
}

/**
 * Quantile of an ascending-sorted array with numpy's default "linear" method
 * (Hyndman & Fan type 7): position h = (n − 1)·q, interpolated between neighbours.
 * NaN for an empty array. The caller sorts: sorting inside would hide an O(n log n) cost in loops.
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0 || !(q >= 0 && q <= 1)) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const x0 = sorted[lo] ?? Number.NaN;
  if (lo + 1 >= n) return x0;
  const x1 = sorted[lo + 1] ?? Number.NaN;
  return lerp(x0, x1, h - lo);
}

/** x0 + t·(x1 − x0) exactly as numpy's `_lerp` computes it (from the nearer end), so quantiles match to the last bit. */
export function lerp(x0: number, x1: number, t: number): number {
  if (t === 0) return x0;
  return t >= 0.5 ? x1 - (x1 - x0) * (1 - t) : x0 + (x1 - x0) * t;
}

/** A numerically sorted copy (the default `Array#sort` compares as strings). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}
