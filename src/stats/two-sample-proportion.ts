/**
 * Two independent proportions (canary traffic: each arm answered different requests). The interval for
 * p_c − k·p_b is MOVER with Wilson score limits (Zou & Donner 2008); at k = 1 it is Newcombe's hybrid
 * score interval, method 10 of Newcombe RG, "Interval estimation for the difference between independent
 * proportions: comparison of eleven methods", Statistics in Medicine 1998;17:873–890.
 * Stratified comparisons (compare_within) standardise the baseline to the candidate's mix of strata and
 * carry it as a Wilson rate on Kish's effective sample size, so one stratum is exactly Newcombe.
 */
import type { Interval } from "./paired-proportion.js";
import { wilsonInterval } from "./paired-proportion.js";

/** Successes out of trials; `x` and `n` may be fractional for a standardised rate. */
export interface Rate {
  x: number;
  n: number;
}

/** One stratum's counts on both arms. */
export interface RateStratum {
  candidate: Rate;
  baseline: Rate;
}

/** The MOVER-Wilson interval of p_c − k·p_b at normal quantile `z` (two-sided). */
export function moverWilsonInterval(candidate: Rate, baseline: Rate, k: number, z: number): Interval {
  const pc = candidate.x / candidate.n;
  const pb = baseline.x / baseline.n;
  const [lc, uc] = wilsonInterval(candidate.x, candidate.n, z);
  const [lb, ub] = wilsonInterval(baseline.x, baseline.n, z);
  const estimate = pc - k * pb;
  // k ≥ 0: the low end pairs the candidate's low limit with the baseline's high one, and vice versa.
  const lower = estimate - Math.sqrt((pc - lc) ** 2 + (k * (ub - pb)) ** 2);
  const upper = estimate + Math.sqrt((uc - pc) ** 2 + (k * (pb - lb)) ** 2);
  return [lower, upper];
}

/**
 * Pools strata by direct standardisation to the candidate's mix: the candidate's own rate (weights
 * n_c,s / N_c reproduce it exactly) and the baseline's rates re-weighted the same way, with Kish's
 * effective n 1 / Σ w_s² / n_b,s. A stratum with no baseline traffic is compared with `fallback`
 * (the whole baseline), so a tenant the baseline never served is still compared, not dropped.
 */
export function standardiseRates(strata: RateStratum[], fallback: Rate): { candidate: Rate; baseline: Rate } {
  const nc = strata.reduce((sum, s) => sum + s.candidate.n, 0);
  const xc = strata.reduce((sum, s) => sum + s.candidate.x, 0);
  let rate = 0;
  let inverseN = 0;
  for (const stratum of strata) {
    if (stratum.candidate.n === 0) continue;
    const base = stratum.baseline.n > 0 ? stratum.baseline : fallback;
    const w = stratum.candidate.n / nc;
    rate += (w * base.x) / base.n;
    inverseN += (w * w) / base.n;
  }
  const n = inverseN > 0 ? 1 / inverseN : 0;
  return { candidate: { x: xc, n: nc }, baseline: { x: rate * n, n } };
}
