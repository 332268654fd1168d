/**
 * Cases needed for a rule to settle ("inconclusive at n=40; ~180 cases would settle it"): the n at
 * which a one-sided test at level α separates the observed effect from the bound with 80% power,
 * assuming the effect and the per-case spread stay as observed. Normal approximation.
 */
import { normalQuantile } from "./normal.js";

/** z of the 2.5% one-sided test (the 95% two-sided interval's end) plus z of 80% power. */
const Z_ALPHA = normalQuantile(0.975);
const Z_POWER = normalQuantile(0.8);

/**
 * n' = ((z_α + z_β)·σ / |effect − bound|)², σ being the per-case spread (standard error × √n). Null
 * when the effect sits on the bound or the spread is unknown; at least n + 1 when n is given.
 */
export function casesForPower(input: { se: number; n: number; effect: number; bound: number; alpha?: number }): number | null {
  const { se, n, effect, bound } = input;
  const zAlpha = input.alpha === undefined ? Z_ALPHA : normalQuantile(1 - input.alpha);
  const gap = Math.abs(effect - bound);
  const sigma = se * Math.sqrt(n);
  if (!Number.isFinite(sigma) || !(sigma > 0) || !(gap > 1e-12) || n <= 0) return null;
  const needed = Math.ceil((((zAlpha + Z_POWER) * sigma) / gap) ** 2);
  return Number.isSafeInteger(needed) ? Math.max(n + 1, needed) : null;
}
