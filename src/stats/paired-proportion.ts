/**
 * Paired pass/fail comparison of baseline and candidate on the same cases.
 *
 * Cell convention (used by every function here and by `mcnemarExact(b, c)`):
 *
 *                        candidate pass   candidate fail
 *     baseline pass            a                b        ← b: regressions
 *     baseline fail            c                d        ← c: improvements
 *
 * delta = candidate pass rate − baseline pass rate = ((a + c) − (a + b)) / n = (c − b) / n.
 */
import { Z_95 } from "./normal.js";

/** A paired 2×2 table: a both pass, b baseline-only pass (regression), c candidate-only pass (improvement), d both fail. */
export interface PairedCounts {
  a: number;
  b: number;
  c: number;
  d: number;
}

/** A two-sided interval `[lower, upper]`, the shape of `Comparison.ci`. */
export type Interval = [lower: number, upper: number];

/** Tallies a paired 2×2 table from per-case outcomes (index i is the same case on both sides). */
export function pairedCounts(baseline: ArrayLike<boolean | number>, candidate: ArrayLike<boolean | number>): PairedCounts {
  if (baseline.length !== candidate.length) {
    throw new RangeError(`pairedCounts: ${baseline.length} baseline outcomes but ${candidate.length} candidate outcomes`);
  }
  // A pass is `true` or 1 (a pass-rate metric's per-draw value).
  const counts: PairedCounts = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < baseline.length; i++) {
    const basePass = baseline[i] === true || baseline[i] === 1;
    const candPass = candidate[i] === true || candidate[i] === 1;
    if (basePass && candPass) counts.a++;
    else if (basePass) counts.b++;
    else if (candPass) counts.c++;
    else counts.d++;
  }
  return counts;
}

/** Candidate − baseline pass rate, (c − b) / n; 0 for an empty table. */
export function pairedDelta(counts: PairedCounts): number {
  const n = counts.a + counts.b + counts.c + counts.d;
  return n === 0 ? 0 : (counts.c - counts.b) / n;
}

/** Wilson score interval for x successes in n trials (no continuity correction). */
export function wilsonInterval(x: number, n: number, z: number = Z_95): Interval {
  if (n === 0) return [0, 1];
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Newcombe's method 10 interval for candidate − baseline, (c − b)/n: Wilson intervals for the two
 * marginal pass rates combined by "square and add", with a correlation term for the pairing.
 * Newcombe RG, "Improved confidence intervals for the difference between binomial proportions based
 * on paired data", Statistics in Medicine 1998;17:2635–2650 (the 873–890 paper is the unpaired case).
 * An empty table gives [−1, 1]: no evidence either way, never NaN.
 */
export function newcombePairedDiffCI(counts: PairedCounts, z: number = Z_95): Interval {
  const { a, b, c, d } = counts;
  const n = a + b + c + d;
  if (n === 0) return [-1, 1];
  const baseRate = (a + b) / n;
  const candRate = (a + c) / n;
  const [baseLo, baseHi] = wilsonInterval(a + b, n, z);
  const [candLo, candHi] = wilsonInterval(a + c, n, z);
  const phi = pairingCorrelation(counts);
  // Distances from each rate to its own Wilson limits; the lower limit of cand − base combines
  // the candidate's downside with the baseline's upside, and vice versa.
  const candDown = candRate - candLo;
  const candUp = candHi - candRate;
  const baseDown = baseRate - baseLo;
  const baseUp = baseHi - baseRate;
  const delta = candRate - baseRate;
  // max(0, …): with φ near 1 rounding can push the radicand a hair below zero.
  const lower = delta - Math.sqrt(Math.max(0, candDown ** 2 - 2 * phi * candDown * baseUp + baseUp ** 2));
  const upper = delta + Math.sqrt(Math.max(0, candUp ** 2 - 2 * phi * candUp * baseDown + baseDown ** 2));
  return [Math.max(-1, lower), Math.min(1, upper)];
}

/**
 * Newcombe's φ̂: the phi coefficient of the table with its numerator ad − bc shrunk by n/2 when
 * positive (a continuity correction, so mild positive association does not narrow the interval),
 * and 0 when a margin is empty.
 */
function pairingCorrelation({ a, b, c, d }: PairedCounts): number {
  const n = a + b + c + d;
  const marginProduct = (a + b) * (c + d) * (a + c) * (b + d);
  if (marginProduct === 0) return 0;
  const crossProduct = a * d - b * c;
  const corrected = crossProduct > n / 2 ? crossProduct - n / 2 : Math.min(crossProduct, 0);
  return corrected / Math.sqrt(marginProduct);
}
