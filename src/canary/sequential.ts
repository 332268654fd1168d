/**
 * Repeated looks (SPEC §11). A plan looks once per window for up to K = ⌈max_duration / window⌉ windows,
 * and each window is judged on its own traffic, so windows are independent samples. A rollback needs
 * `rollback.windows` = r failing windows in a row: under "no difference" each window fails falsely with
 * probability ≤ α_w, a given run of r windows with probability ≤ α_w^r, and there are K − r + 1 runs, so
 * P(any false rollback) ≤ (K − r + 1)·α_w^r. Setting that to 5% gives the per-window level
 * α_w = (0.05 / (K − r + 1))^(1/r) — a Bonferroni bound over the runs that could trigger a rollback.
 * The same bound over runs of `promote.consecutive` windows caps the chance that a candidate breaking a
 * non-inferiority bound passes it often enough in a row to be promoted. Within a window, Holm across the
 * rules keeps that window's false-fail chance at α_w.
 */
import type { MetricEvidence, Target } from "../compare/compare.js";
import { ALPHA } from "../gate/evaluate.js";

/** The total error a plan may spend over all its windows (SPEC §11: at most 5% in all). */
export const TOTAL_ALPHA = 0.05;

export const sequentialMethodName =
  "Bonferroni over runs of consecutive windows (independent windows, one-sided per-window level (0.05/(K−r+1))^(1/r))";

/** The one-sided per-window level for runs of `run` windows in a row out of `looks` windows. */
export function windowAlpha(looks: number, run: number, total = TOTAL_ALPHA): number {
  const starts = Math.max(1, looks - run + 1);
  return Math.min(0.5, (total / starts) ** (1 / run));
}

/**
 * The gate tests every rule at one-sided ALPHA (and reads 95% intervals); this makes it test at `alpha`
 * instead: intervals are asked at 1 − 2α, and p-values are reported multiplied by ALPHA / α — the
 * p-value adjusted for the repeated looks, so "adjusted p < ALPHA" is exactly "p < α".
 */
export function atLevel(evidence: MetricEvidence, alpha: number): MetricEvidence {
  const factor = ALPHA / alpha;
  const mapConfidence = (confidence: number) => 1 - (1 - confidence) / factor;
  const cache = new Map<number, Target | null>();
  const target = (k: number): Target | null => {
    if (cache.has(k)) return cache.get(k) ?? null;
    const inner = evidence.target(k);
    const wrapped: Target | null = inner && {
      estimate: inner.estimate,
      se: inner.se,
      interval: (confidence) => inner.interval(mapConfidence(confidence)),
      pBeyond: (limit, side) => {
        const p = inner.pBeyond(limit, side);
        return p === null ? null : Math.min(1, p * factor);
      },
    };
    cache.set(k, wrapped);
    return wrapped;
  };
  const ci = target(1)?.interval(0.95) ?? evidence.comparison.ci;
  return { ...evidence, comparison: { ...evidence.comparison, ci }, target };
}
