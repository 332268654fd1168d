/**
 * Welch's unequal-variance comparison of two independent means (scores, cost, per-case rates), for
 * candidate − k·baseline. Strata (compare_within) are pooled by direct standardisation to the
 * candidate's mix, with a Satterthwaite df; one stratum is exactly Welch's t (scipy's
 * `ttest_ind(equal_var=False)`).
 */
import { mean, variance } from "./descriptive.js";

export interface MeanStratum {
  candidate: readonly number[];
  baseline: readonly number[];
}

/** Estimate, standard error and Welch–Satterthwaite degrees of freedom; null when the data give no spread. */
export interface WelchResult {
  estimate: number;
  se: number;
  df: number;
}

/**
 * candidate − k·baseline over strata; a stratum with no baseline values is compared with `fallback` (the
 * whole baseline). A side with one value borrows the variance of its whole arm.
 */
export function welchDifference(strata: MeanStratum[], k: number, fallback: readonly number[]): WelchResult | null {
  const all = strata.flatMap((s) => s.candidate);
  const nc = all.length;
  if (nc === 0 || fallback.length === 0) return null;
  const candVar = all.length > 1 ? variance(all) : Number.NaN;
  const baseVar = fallback.length > 1 ? variance(fallback) : Number.NaN;
  let estimate = 0;
  let v = 0;
  let dfDenominator = 0;
  for (const stratum of strata) {
    const n1 = stratum.candidate.length;
    if (n1 === 0) continue;
    const base = stratum.baseline.length > 0 ? stratum.baseline : fallback;
    const n2 = base.length;
    const w = n1 / nc;
    const v1 = n1 > 1 ? variance(stratum.candidate) : candVar;
    const v2 = n2 > 1 ? variance(base) : baseVar;
    if (!Number.isFinite(v1) || !Number.isFinite(v2)) return null;
    estimate += w * (mean(stratum.candidate) - k * mean(base));
    const a = (w * w * v1) / n1;
    const b = (w * w * k * k * v2) / n2;
    v += a + b;
    dfDenominator += (n1 > 1 ? (a * a) / (n1 - 1) : 0) + (n2 > 1 ? (b * b) / (n2 - 1) : 0);
  }
  if (!(v > 0)) return null;
  return { estimate, se: Math.sqrt(v), df: dfDenominator > 0 ? (v * v) / dfDenominator : Math.max(1, nc - 1) };
}
