/**
 * A canary window's comparison when each arm answered different requests (SPEC §11): the same
 * `MetricEvidence` the gate reads for `eval`, built from two-sample statistics instead of paired ones,
 * stratified by `compare_within` (the candidate's strata set the mix the baseline is compared at).
 * Pure and seeded: the same window gives the same numbers.
 */
import type { MetricDefinition } from "../aggregate/metrics.js";
import { metricValue } from "../aggregate/metrics.js";
import { exactRateTarget, invertInterval, type MetricEvidence, type Range, rangeOf, type Target } from "../compare/compare.js";
import { type Interval, mean, normalCdf, normalQuantile, quantile, sortedCopy, tCdf, tQuantile, variance } from "../stats/index.js";
import { welchDifference } from "../stats/two-sample-mean.js";
import { moverExactInterval, type Rate, standardiseRates } from "../stats/two-sample-proportion.js";
import { quantileBeyond, quantileDifference, quantileInterval } from "../stats/two-sample-quantile.js";
import type { CaseRecord, Comparison } from "../types.js";

export interface UnpairedOptions {
  /** the stratum a case belongs to (its compare_within tag values); one stratum when absent */
  stratumOf?: (testCase: CaseRecord) => string;
  seed?: number;
  resamples?: number;
}

/** One arm's per-case clusters, grouped by stratum (insertion order = first seen). */
function armStrata(definition: MetricDefinition, cases: CaseRecord[], side: "baseline" | "candidate", stratumOf: (c: CaseRecord) => string) {
  const strata = new Map<string, number[][]>();
  for (const testCase of cases) {
    if (testCase[side].length === 0) continue;
    const cluster = definition.values(testCase, side);
    if (cluster.length === 0) continue;
    const key = stratumOf(testCase);
    const list = strata.get(key) ?? [];
    list.push(cluster);
    strata.set(key, list);
  }
  return strata;
}

/** Compares one metric over a window's cases, arms unpaired. */
export function unpairedEvidence(definition: MetricDefinition, name: string, cases: CaseRecord[], options: UnpairedOptions = {}): MetricEvidence {
  const stratumOf = options.stratumOf ?? (() => "");
  const candidateCases = cases.filter((c) => c.candidate.length > 0);
  const baselineCases = cases.filter((c) => c.baseline.length > 0);
  const candidate = metricValue(
    definition,
    candidateCases.map((c) => definition.values(c, "candidate")),
    candidateCases,
    "candidate",
  );
  const baselineRaw = metricValue(
    definition,
    baselineCases.map((c) => definition.values(c, "baseline")),
    baselineCases,
    "baseline",
  );
  const cand = armStrata(definition, cases, "candidate", stratumOf);
  const base = armStrata(definition, cases, "baseline", stratumOf);
  const nCand = [...cand.values()].reduce((sum, list) => sum + list.length, 0);
  const nBase = [...base.values()].reduce((sum, list) => sum + list.length, 0);
  const comparison: Comparison = {
    metric: name,
    baseline: baselineRaw,
    candidate,
    delta: null,
    ci: null,
    p_value: null,
    p_value_diff: null,
    method: "",
    n: Math.min(nCand, nBase),
  };
  const { declaration } = definition;
  const errored = cases.some((c) =>
    [...c.baseline, ...c.candidate].some((run) => run.error !== null || Object.values(run.checks).some((check) => check.status === "error")),
  );
  if (
    declaration.statistic === "count" ||
    declaration.statistic === "sum" ||
    candidate === null ||
    baselineRaw === null ||
    nCand === 0 ||
    nBase === 0
  ) {
    const why = declaration.statistic === "count" ? "needs both arms on every line (paired traffic)" : "no value on one arm";
    return { comparison: { ...comparison, method: `unpaired: ${why}` }, target: () => null, errored };
  }
  const strataKeys = [...cand.keys()];
  const stratified = new Set([...strataKeys, ...base.keys()]).size > 1;
  const strataNote = stratified
    ? `, stratified by ${options.stratumOf ? "compare_within" : "stratum"} (${strataKeys.length} strata, baseline standardised to the candidate's mix)`
    : "";
  const range = declaration.range;
  let make: (k: number) => Target | null;
  let method: string;
  let standardBaseline = baselineRaw;
  const singleDraw = [...cand.values(), ...base.values()].every((list) => list.every((cluster) => cluster.length === 1));
  if (declaration.kind === "proportion" && singleDraw) {
    const rate = (lists: number[][] | undefined): Rate => ({ x: (lists ?? []).reduce((s, c) => s + (c[0] ?? 0), 0), n: (lists ?? []).length });
    const fallback = rate([...base.values()].flat(1));
    const pooled = standardiseRates(
      strataKeys.map((key) => ({ candidate: rate(cand.get(key)), baseline: rate(base.get(key)) })),
      fallback,
    );
    standardBaseline = pooled.baseline.n > 0 ? pooled.baseline.x / pooled.baseline.n : baselineRaw;
    method = `unpaired: MOVER interval with Clopper–Pearson limits${strataNote}; Clopper–Pearson for the candidate's rate`;
    make = (k) =>
      k === 0 ? exactRateTarget(pooled.candidate.x, pooled.candidate.n) : moverTarget(pooled.candidate, pooled.baseline, k, rangeOf(range, k));
  } else if (declaration.statistic === "mean") {
    // Per-case means: repeats of one request are clustered, not counted as independent draws.
    const means = (lists: number[][] | undefined) => (lists ?? []).map((cluster) => mean(cluster));
    const fallback = means([...base.values()].flat(1));
    const strata = strataKeys.map((key) => ({ candidate: means(cand.get(key)), baseline: means(base.get(key)) }));
    const all = strata.flatMap((s) => s.candidate);
    const shift = welchDifference(strata, 1, fallback);
    if (shift) standardBaseline = mean(all) - shift.estimate;
    method = `unpaired: Welch t on per-request means${strataNote}`;
    make = (k) => {
      if (k === 0) return tTarget(mean(all), all.length > 1 ? Math.sqrt(variance(all) / all.length) : Number.NaN, all.length - 1, range);
      const result = welchDifference(strata, k, fallback);
      return result ? tTarget(result.estimate, result.se, result.df, rangeOf(range, k)) : null;
    };
  } else {
    const q = declaration.q ?? 0.5;
    const sorted = (lists: number[][] | undefined) => sortedCopy((lists ?? []).flat());
    const strata = strataKeys.map((key) => ({ candidate: sorted(cand.get(key)), baseline: sorted(base.get(key) ?? [...base.values()].flat(1)) }));
    const candidateSorted = sorted([...cand.values()].flat(1));
    const resamples = options.resamples ?? 400;
    const seed = options.seed ?? 1;
    const shift = quantileDifference(strata, q, 1, { resamples: 0, seed });
    if (shift) standardBaseline = candidate - shift.estimate;
    method = `unpaired: bootstrap standard error of the p${Math.round(q * 100)} difference (arms resampled independently${stratified ? " within strata" : ""}, ${resamples}×, seed ${seed})${strataNote}; order-statistic interval for the candidate's own`;
    make = (k) => {
      if (k === 0) return quantileTarget(candidateSorted, q);
      const result = quantileDifference(strata, q, k, { resamples, seed });
      return result?.se ? normalTarget(result.estimate, result.se, rangeOf(range, k)) : null;
    };
  }
  const cache = new Map<number, Target | null>();
  const target = (k: number) => {
    if (!cache.has(k)) cache.set(k, make(k));
    return cache.get(k) ?? null;
  };
  const delta = candidate - standardBaseline;
  const diff = target(1);
  const pDiff = diff ? Math.min(1, 2 * Math.min(diff.pBeyond(0, "above") ?? 1, diff.pBeyond(0, "below") ?? 1)) : null;
  return {
    comparison: { ...comparison, baseline: standardBaseline, delta, ci: diff?.interval(0.95) ?? null, p_value: pDiff, p_value_diff: pDiff, method },
    target,
    errored,
  };
}

const zOf = (confidence: number) => normalQuantile(1 - (1 - confidence) / 2);

function moverTarget(candidate: Rate, baseline: Rate, k: number, range: Range): Target {
  const pc = candidate.x / candidate.n;
  const pb = baseline.x / baseline.n;
  const estimate = pc - k * pb;
  const clip = (x: number) => Math.min(range.max, Math.max(range.min, x));
  const interval = (confidence: number): Interval => {
    const [lo, hi] = moverExactInterval(candidate, baseline, k, confidence);
    return [clip(lo), clip(hi)];
  };
  const shrunk = (r: Rate) => (r.x + 0.5) / (r.n + 1);
  const se = Math.sqrt(
    (shrunk(candidate) * (1 - shrunk(candidate))) / candidate.n + (k * k * shrunk(baseline) * (1 - shrunk(baseline))) / baseline.n,
  );
  return { estimate, interval, pBeyond: (limit, side) => invertInterval(interval, estimate, limit, side), se };
}

function tTarget(estimate: number, se: number, df: number, range: Range): Target | null {
  if (!(se > 0) || !(df >= 1)) return null;
  const clip = (x: number) => Math.min(range.max, Math.max(range.min, x));
  return {
    estimate,
    interval: (confidence) => {
      const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
      return [clip(estimate - half), clip(estimate + half)];
    },
    pBeyond: (limit, side) => {
      const t = (estimate - limit) / se;
      return side === "above" ? 1 - tCdf(t, df) : tCdf(t, df);
    },
    se,
  };
}

function normalTarget(estimate: number, se: number, range: Range): Target {
  const clip = (x: number) => Math.min(range.max, Math.max(range.min, x));
  return {
    estimate,
    interval: (confidence) => [clip(estimate - zOf(confidence) * se), clip(estimate + zOf(confidence) * se)],
    pBeyond: (limit, side) => {
      const z = (estimate - limit) / se;
      return side === "above" ? 1 - normalCdf(z) : normalCdf(z);
    },
    se,
  };
}

function quantileTarget(sorted: Float64Array, q: number): Target | null {
  if (sorted.length === 0) return null;
  const estimate = quantile(sorted, q);
  return {
    estimate,
    interval: (confidence) => quantileInterval(sorted, q, confidence),
    pBeyond: (limit, side) => quantileBeyond(sorted, q, limit, side),
    se: null,
  };
}
