/**
 * Rough sample sizes for an inconclusive gate ("inconclusive at n=40; ~180 cases would settle it"):
 * how many cases would make a 95% interval around the observed effect exclude the bound, assuming
 * the effect and the per-case spread stay as observed. Normal approximation; an estimate, not a promise.
 * `bound` is on the same scale as delta (candidate − baseline): a `max_drop` of 5 points is −0.05.
 */
import { zForConfidence } from "./normal.js";
import type { Interval } from "./paired-proportion.js";

/** Cases needed so the interval of a mean difference excludes `bound`; null when delta is on the bound. */
export function casesNeededForMean(input: { sd: number; delta: number; bound: number; confidence?: number }): number | null {
  const { sd, delta, bound, confidence = 0.95 } = input;
  return casesFor(zForConfidence(confidence) * sd, delta - bound);
}

/**
 * Cases needed so the paired pass-rate interval excludes `bound`, from the observed table
 * (b regressions, c improvements out of n cases; see `PairedCounts`). Half a pseudo-case is added
 * to each discordant cell so that "no discordance yet" is not read as certainty.
 */
export function casesNeededForProportion(input: { b: number; c: number; n: number; bound: number; confidence?: number }): number | null {
  const { b, c, n, bound, confidence = 0.95 } = input;
  if (n <= 0) return null;
  const delta = (c - b) / n;
  // Per-case difference is −1, 0 or +1: variance = P(discordant) − delta², with the pseudo-counts.
  const nAdjusted = n + 1;
  const discordant = (b + c + 1) / nAdjusted;
  const deltaAdjusted = (c - b) / nAdjusted;
  const sd = Math.sqrt(Math.max(0, discordant - deltaAdjusted ** 2));
  return casesFor(zForConfidence(confidence) * sd, delta - bound);
}

/**
 * Cases needed from any interval already computed at n (Newcombe, bootstrap, t): the half-width on
 * the bound's side shrinks like 1/√n. Works for statistics with no closed-form variance (p95 latency).
 */
export function casesNeededFromInterval(input: { n: number; delta: number; ci: Interval; bound: number }): number | null {
  const { n, delta, ci, bound } = input;
  const halfWidth = bound < delta ? delta - ci[0] : ci[1] - delta;
  return casesFor(halfWidth * Math.sqrt(n), delta - bound);
}

/** ceil((spread / gap)²), at least 2 (an interval needs two cases); null when it cannot be estimated. */
function casesFor(spread: number, gap: number): number | null {
  if (!Number.isFinite(spread) || !Number.isFinite(gap) || gap === 0 || spread < 0) return null;
  const needed = Math.ceil((spread / gap) ** 2);
  return Number.isSafeInteger(needed) ? Math.max(2, needed) : null;
}
