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
 * The n at which the one-sided test at level α settles the rule with 80% probability. With `known`
 * (an effect stated, not measured) that is the classical n' = ((z_α + z_β)·σ / gap)², σ being the
 * per-case spread (standard error × √n). From a pilot (the default) the effect is itself an estimate
 * with the pilot's standard error, and quoting the classical n at the observed gap settles only
 * 21–67% of re-runs (an overestimated gap gives too small an n): the n here is the smallest whose
 * power averaged over that uncertainty (its "assurance", flat prior on the effect) is 80%,
 * Φ((gap·√n'/σ − z_α) / √(1 + n'/n)) ≥ 0.8. That average cannot pass Φ(gap/se), so a pilot whose
 * gap is under 0.84 standard errors from the bound gets null: it cannot tell how far the truth is.
 * Null too on the bound or with an unknown spread; at least n + 1.
 */
export function casesForPower(input: { se: number; n: number; effect: number; bound: number; alpha?: number; known?: boolean }): number | null {
  const { se, n, effect, bound } = input;
  const zAlpha = input.alpha === undefined ? Z_ALPHA : normalQuantile(1 - input.alpha);
  const gap = Math.abs(effect - bound);
  const sigma = se * Math.sqrt(n);
  if (!Number.isFinite(sigma) || !(sigma > 0) || !(gap > 1e-12) || n <= 0) return null;
  const classical = Math.ceil((((zAlpha + Z_POWER) * sigma) / gap) ** 2);
  if (input.known) return Number.isSafeInteger(classical) ? Math.max(n + 1, classical) : null;
  const assurance = (m: number) => (gap * Math.sqrt(m) - zAlpha * sigma) / (sigma * Math.sqrt(1 + m / n));
  if (!(gap / se > Z_POWER * (1 + 1e-9))) return null;
  // assurance rises with m: double past 80%, then bisect
  let lo = Math.max(1, classical - 1);
  let hi = Math.max(lo + 1, classical);
  while (assurance(hi) < Z_POWER) {
    lo = hi;
    hi *= 2;
    if (hi > Number.MAX_SAFE_INTEGER / 2) return null;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (assurance(mid) >= Z_POWER) hi = mid;
    else lo = mid;
  }
  return Math.max(n + 1, hi);
}
