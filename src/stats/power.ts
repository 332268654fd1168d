/**
 * Cases needed for a rule to settle ("inconclusive at n=40; ~180 cases would settle it"): the n at
 * which a one-sided test at level α separates the observed effect from the bound with 80% power,
 * assuming the effect and the per-case spread stay as observed. Normal approximation.
 */
import { normalQuantile } from "./normal.js";

/** z of the 2.5% one-sided test (the 95% two-sided interval's end) plus z of 80% power. */
const Z_ALPHA = normalQuantile(0.975);
const Z_POWER = normalQuantile(0.8);

/** z of the one-sided 90% lower confidence bound a pilot's gap is planned at. */
const Z_GAP = normalQuantile(0.9);

/**
 * The n at which the one-sided test at level α settles the rule with 80% power. With `known` (an
 * effect stated, not measured) that is the classical n' = ((z_α + z_β)·σ / gap)², σ being the per-case
 * spread (standard error × √n). From a pilot (the default) the gap to the bound is itself an estimate,
 * and quoting the classical n at the observed gap settled only 21–67% of re-runs (an overestimated gap
 * gives too small an n). So the gap planned for is its 90% lower confidence bound, gap − 1.28·se (at
 * most the true gap 90% of the time, and then the n has ≥ 80% power). Where that bound is not clear of
 * the noise, a small pilot's observed gap is mostly noise too, so the gap planned for is a third of it,
 * and never more than `unchanged`'s: the gap a candidate exactly as good as the baseline would have
 * (the usual planning assumption for a non-inferiority margin). Without that cap, pilots of 20 cases
 * quoted an n that settled 56% of re-runs; with it, over 90%. An undecided pilot always gets a number
 * rather than none. Null on the bound or with an unknown spread; at least n + 1.
 */
export function casesForPower(input: {
  se: number;
  n: number;
  effect: number;
  bound: number;
  alpha?: number;
  known?: boolean;
  /** the tested quantity's value were the candidate the baseline (the delta's is 0) */
  unchanged?: number;
}): number | null {
  const { se, n, effect, bound } = input;
  const zAlpha = input.alpha === undefined ? Z_ALPHA : normalQuantile(1 - input.alpha);
  const sigma = se * Math.sqrt(n);
  const observed = Math.abs(effect - bound);
  const gap = input.known ? observed : Math.max(observed - Z_GAP * se, cautiousGap(observed, input.unchanged, bound));
  if (!Number.isFinite(sigma) || !(sigma > 0) || !(gap > 1e-12) || n <= 0) return null;
  const needed = Math.ceil((((zAlpha + Z_POWER) * sigma) / gap) ** 2);
  return Number.isSafeInteger(needed) ? Math.max(n + 1, needed) : null;
}

/** A third of the observed gap, capped at an unchanged candidate's gap (when that is not on the bound itself: a zero-tolerance rule). */
function cautiousGap(observed: number, unchanged: number | undefined, bound: number): number {
  const unchangedGap = unchanged === undefined ? Number.POSITIVE_INFINITY : Math.abs(unchanged - bound);
  return unchangedGap > 1e-12 ? Math.min(observed / 3, unchangedGap) : observed / 3;
}
