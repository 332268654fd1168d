/**
 * Two independent proportions (canary traffic: each arm answered different requests). The interval for
 * p_c − k·p_b is MOVER (Zou & Donner 2008) from each arm's own limits: with Wilson score limits at k = 1
 * it is Newcombe's hybrid score interval, method 10 of Newcombe RG, "Interval estimation for the
 * difference between independent proportions: comparison of eleven methods", Statistics in Medicine
 * 1998;17:873–890; the canary uses Clopper–Pearson limits (below).
 * Stratified comparisons (compare_within) standardise the baseline to the candidate's mix of strata and
 * carry it as a Wilson rate on Kish's effective sample size, so one stratum is exactly Newcombe.
 */

import { clopperPearson } from "./binomial.js";
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

/** One arm's two-sided interval for its own rate, at `confidence`. */
export type RateLimits = (rate: Rate, confidence: number) => Interval;

/**
 * The MOVER interval of p_c − k·p_b (Zou & Donner 2008) from each arm's own limits, two-sided at
 * `confidence`. k ≥ 0: the low end pairs the candidate's low limit with the baseline's high one.
 */
export function moverInterval(candidate: Rate, baseline: Rate, k: number, confidence: number, limits: RateLimits): Interval {
  const pc = candidate.x / candidate.n;
  const pb = baseline.x / baseline.n;
  const [lc, uc] = limits(candidate, confidence);
  const [lb, ub] = limits(baseline, confidence);
  const estimate = pc - k * pb;
  const lower = estimate - Math.sqrt((pc - lc) ** 2 + (k * (ub - pb)) ** 2);
  const upper = estimate + Math.sqrt((uc - pc) ** 2 + (k * (pb - lb)) ** 2);
  return [lower, upper];
}

/** The MOVER-Wilson interval of p_c − k·p_b at normal quantile `z` (two-sided): Newcombe's at k = 1. */
export function moverWilsonInterval(candidate: Rate, baseline: Rate, k: number, z: number): Interval {
  return moverInterval(candidate, baseline, k, 0, (rate) => wilsonInterval(rate.x, rate.n, z));
}

/**
 * MOVER with Clopper–Pearson limits (Fagerland, Lydersen & Laake 2015, "Recommended confidence
 * intervals for two independent binomial proportions", Stat Methods Med Res 24:224–254, §MOVER). A
 * canary looks ~100 times a day and tests each window at a level near 0.0005, where Wilson's limits on
 * a rate near 1 with a few hundred requests are several times anticonservative (an identical candidate
 * was rolled back in 12% of simulated days at 200 canary requests per window); exact limits keep the
 * per-window error at or under its level, so the plan's 5% over all windows holds.
 */
export function moverExactInterval(candidate: Rate, baseline: Rate, k: number, confidence: number): Interval {
  return moverInterval(candidate, baseline, k, confidence, (rate) => clopperPearson(rate.x, rate.n, confidence));
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
