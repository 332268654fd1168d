/**
 * Compares baseline and candidate on one metric, paired by case (SPEC §6), by the metric's declared
 * kind: single-draw proportions by exact McNemar, Newcombe's paired interval and Clopper–Pearson for the
 * candidate's own rate; proportions with repeats by a paired t on per-case means (repeats clustered by
 * case); scores, latencies, cost and tokens by a seeded paired bootstrap; case counts by McNemar on the
 * case outcomes. Pure: the same inputs and seed give the same numbers.
 */
import { splitSegmentMetric } from "../aggregate/metric-names.js";
import { type ClusterTable, clustersOf, createClusterTable, type MetricDefinition, metricValue } from "../aggregate/metrics.js";
import {
  type BootstrapResult,
  binomialCdf,
  binomialUpperTail,
  bootstrapInterval,
  bootstrapTail,
  bootstrapTwoSidedP,
  type Clusters,
  clopperPearson,
  clusterMeans,
  clusterSize,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  type Interval,
  mcnemarExact,
  mcnemarGreater,
  mean,
  newcombePairedDiffCI,
  normalQuantile,
  pairedBootstrap,
  pairedCounts,
  pickClusters,
  pooledMean,
  pooledQuantile,
  pooledSum,
  type Statistic,
  stdev,
  tCdf,
  tQuantile,
  tTwoSidedP,
} from "../stats/index.js";
import type { CaseRecord, Comparison } from "../types.js";

export interface CompareOptions {
  resamples?: number;
  seed?: number;
  /**
   * The metrics gate rules read (default: all). They get the paired bootstrap, and their evidence
   * answers for any k. The other metrics of the report are there to read: a mean gets the paired t on
   * per-case means and a percentile or a total no interval (a bootstrap per metric per segment would
   * cost seconds at 10,000 cases for numbers no rule reads), and their evidence keeps only the delta's
   * target, not the cases' values.
   */
  gated?: ReadonlySet<string>;
  /** the cases' clusters, when the caller already built them (analyse shares one table) */
  table?: ClusterTable;
}

/**
 * The uncertainty of one quantity of a metric, candidate − k·baseline (k = 1 the delta, k = 0 the
 * candidate's own value, k = 1 ± r a relative bound with the baseline's uncertainty in it).
 */
export interface Target {
  estimate: number;
  /** two-sided interval at `confidence`; null when the data cannot support one (it would collapse) */
  interval(confidence: number): Interval | null;
  /** one-sided p-value: the evidence that the true value lies `side` of `limit` */
  pBeyond(limit: number, side: "above" | "below"): number | null;
  /** standard error of the estimate, for power calculations */
  se: number | null;
}

/** A metric's comparison (what the report shows) and what the gate needs of its uncertainty. */
export interface MetricEvidence {
  comparison: Comparison;
  /** the quantity candidate − k·baseline; null when it cannot be estimated */
  target(k: number): Target | null;
  /** case counts (the `regressions` / `improvements` metrics) */
  counts?: { regressions: number; improvements: number };
  /** some draw of these cases failed or could not be scored: a missing value is then no selection's doing */
  errored?: boolean;
}

/** Compares one metric over `cases` (for a segment: the tag's cases). */
export function compareMetric(
  definition: MetricDefinition,
  name: string,
  cases: CaseRecord[],
  options: CompareOptions = {},
  clusters?: { baseline: Clusters; candidate: Clusters },
): MetricEvidence {
  const baseClusters = clusters?.baseline ?? clustersOf(definition, cases, "baseline");
  const candClusters = clusters?.candidate ?? clustersOf(definition, cases, "candidate");
  const baseline = metricValue(definition, baseClusters, cases, "baseline");
  const candidate = metricValue(definition, candClusters, cases, "candidate");
  const comparison: Comparison = {
    metric: name,
    baseline,
    candidate,
    delta: baseline !== null && candidate !== null ? candidate - baseline : null,
    ci: null,
    p_value: null,
    p_value_diff: null,
    method: "",
    n: 0,
  };
  const { declaration } = definition;
  if (declaration.statistic === "count") return countEvidence(comparison, cases);

  // Pair only the cases scored on both sides.
  const pairable = new Uint32Array(cases.length);
  let pairs = 0;
  for (let i = 0; i < cases.length; i++) if (clusterSize(baseClusters, i) > 0 && clusterSize(candClusters, i) > 0) pairable[pairs++] = i;
  const paired = pairable.subarray(0, pairs);
  const everyCase = paired.length === cases.length;
  const base = everyCase ? baseClusters : pickClusters(baseClusters, paired);
  const cand = everyCase ? candClusters : pickClusters(candClusters, paired);
  comparison.n = paired.length;
  if (paired.length === 0 || baseline === null || candidate === null) {
    const errored = cases.some((testCase) =>
      [...testCase.baseline, ...testCase.candidate].some(
        (run) => run.error !== null || Object.values(run.checks).some((check) => check.status === "error"),
      ),
    );
    return { comparison: { ...comparison, method: "no paired cases" }, target: () => null, errored };
  }
  const range = declaration.range;
  const gated = options.gated?.has(name) ?? true;
  const cache = new Map<number, Target | null>();
  let make: (k: number) => Target | null;
  let method: string;
  let pDiff: number | null;
  // Every paired case has a value on both sides, so as many values as cases means one each.
  if (declaration.kind === "proportion" && base.values.length === paired.length && cand.values.length === paired.length) {
    const counts = pairedCounts(base.values, cand.values);
    method = `exact McNemar (${counts.b} down, ${counts.c} up); Newcombe paired interval; Clopper–Pearson for the candidate's rate`;
    pDiff = mcnemarExact(counts.b, counts.c);
    make = (k) =>
      k === 1
        ? newcombeTarget(counts)
        : k === 0
          ? exactRateTarget(counts.a + counts.c, paired.length)
          : bootTarget(base, cand, pooledMean, k, rangeOf(range, k), options);
  } else if (declaration.kind === "proportion") {
    method = "paired t on per-case means (repeats clustered by case)";
    const baseMeans = clusterMeans(base);
    const candMeans = clusterMeans(cand);
    make = (k) =>
      tTarget(
        candMeans.map((value, i) => value - k * (baseMeans[i] ?? 0)),
        rangeOf(range, k),
      );
    pDiff = tTwoSided(candMeans.map((value, i) => value - (baseMeans[i] ?? 0)));
  } else if (!gated) {
    const baseMeans = clusterMeans(base);
    const candMeans = clusterMeans(cand);
    const isMean = declaration.statistic === "mean";
    method = isMean ? "paired t on per-case means (not gated: no bootstrap)" : "not gated: no interval computed";
    make = (k) =>
      isMean
        ? tTarget(
            candMeans.map((value, i) => value - k * (baseMeans[i] ?? 0)),
            rangeOf(range, k),
          )
        : null;
    pDiff = isMean ? tTwoSided(candMeans.map((value, i) => value - (baseMeans[i] ?? 0))) : null;
  } else {
    const statistic = statisticOf(definition);
    const { resamples = DEFAULT_RESAMPLES, seed = DEFAULT_SEED } = options;
    const label = declaration.statistic === "quantile" ? `p${Math.round((declaration.q ?? 0.5) * 100)}` : declaration.statistic;
    method = `paired bootstrap of the ${label} (cases resampled ${resamples}×, seed ${seed})`;
    const delta = pairedBootstrap({ baseline: base, candidate: cand }, statistic, options);
    make = (k) => bootTarget(base, cand, statistic, k, rangeOf(range, k), options, k === 1 ? delta : undefined);
    pDiff = bootstrapTwoSidedP(delta);
  }
  const target = (k: number) => {
    if (!cache.has(k)) cache.set(k, make(k));
    return cache.get(k) ?? null;
  };
  const delta = target(1);
  const summary = { ...comparison, ci: delta?.interval(0.95) ?? null, p_value: pDiff, p_value_diff: pDiff, method };
  // No rule asks an ungated metric for another k, and `make` holds this metric's values of every case:
  // kept for each of a report's metrics and segments, they were most of a 100,000-case analysis' memory.
  return { comparison: summary, target: gated ? target : deltaOnly(delta) };
}

/** A target function that knows only the delta, built out here so it holds nothing else of compareMetric's scope. */
function deltaOnly(delta: Target | null): (k: number) => Target | null {
  return (k) => (k === 1 ? delta : null);
}

/** Regressions / improvements: counts of discordant cases; McNemar says whether they differ beyond chance. */
function countEvidence(comparison: Comparison, cases: CaseRecord[]): MetricEvidence {
  const scored = cases.filter((testCase) => testCase.outcome !== "error");
  const regressions = scored.filter((testCase) => testCase.outcome === "regression").length;
  const improvements = scored.filter((testCase) => testCase.outcome === "improvement").length;
  const p = mcnemarExact(regressions, improvements);
  return {
    comparison: {
      ...comparison,
      p_value: p,
      p_value_diff: p,
      method: `exact McNemar on case outcomes (${regressions} regressions vs ${improvements} improvements)`,
      n: scored.length,
    },
    target: () => null,
    counts: { regressions, improvements },
  };
}

/** Comparisons for every named metric; `segment.<tag>.<metric>` restricts the cases to the tag. Unknown names are left out. */
export function compareMetrics(
  names: string[],
  definitions: MetricDefinition[],
  cases: CaseRecord[],
  options: CompareOptions = {},
): Map<string, MetricEvidence> {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const known = [...byName.keys()];
  const result = new Map<string, MetricEvidence>();
  const table = options.table ?? createClusterTable(cases);
  for (const name of names) {
    if (result.has(name)) continue;
    const direct = byName.get(name);
    const segment = direct ? undefined : splitSegmentMetric(name, known);
    const definition = direct ?? (segment && byName.get(segment.metric));
    if (!definition) continue;
    const tag = segment?.tag;
    const clusters = { baseline: table.clusters(definition, "baseline", tag), candidate: table.clusters(definition, "candidate", tag) };
    result.set(name, compareMetric(definition, name, table.cases(tag), options, clusters));
  }
  return result;
}

function statisticOf(definition: MetricDefinition): Statistic {
  const { statistic, q = 0.5 } = definition.declaration;
  if (statistic === "quantile") return pooledQuantile(q);
  if (statistic === "sum") return pooledSum;
  return pooledMean;
}

/** z of a two-sided interval at `confidence`. */
const zOf = (confidence: number) => normalQuantile(1 - (1 - confidence) / 2);

/**
 * The one-sided p-value of an interval family: the smallest tail α at which the (1 − 2α) interval no
 * longer reaches `limit` (what `newcombe` has no closed form for). A root search on log α, so the small
 * levels a canary's sequential tests use (1e-6 and below) are resolved too: regula falsi (Illinois)
 * where the interval's end moves smoothly, halving where it jumps (bootstrap ends) or is undefined,
 * always inside a shrinking bracket — ~10 interval evaluations instead of 60 halvings, which matters
 * when each one inverts exact binomial limits.
 */
export function invertInterval(
  interval: (confidence: number) => Interval | null,
  estimate: number,
  limit: number,
  side: "above" | "below",
): number | null {
  const beyond = side === "above" ? estimate > limit : estimate < limit;
  if (!beyond) {
    if (estimate === limit) return 0.5;
    const other = invertInterval(interval, estimate, limit, side === "above" ? "below" : "above");
    return other === null ? null : 1 - other;
  }
  // > 0: the (1 − 2α) interval clears the limit; null (no interval) counts as not clearing.
  const clearance = (logAlpha: number): number | null => {
    const ci = interval(1 - 2 * Math.exp(logAlpha));
    if (ci === null) return null;
    return side === "above" ? ci[0] - limit : limit - ci[1];
  };
  const clears = (c: number | null) => c !== null && c > 0;
  let lo = Math.log(1e-12);
  let hi = Math.log(0.5);
  let cLo = clearance(lo);
  if (clears(cLo)) return 1e-12;
  let cHi = clearance(hi);
  if (!clears(cHi)) return 0.5;
  /** which end of the bracket moved last (Illinois bookkeeping) */
  let lastMoved: "none" | "high" | "low" = "none";
  // Six significant digits of α: far finer than any decision or report needs.
  for (let i = 0; i < 100 && hi - lo > 1e-6; i++) {
    const secant = cLo !== null && cHi !== null && cHi !== cLo ? hi - ((hi - lo) * (cHi as number)) / ((cHi as number) - cLo) : Number.NaN;
    const inside = Number.isFinite(secant) && secant > lo && secant < hi;
    const mid = inside ? secant : (lo + hi) / 2;
    const c = clearance(mid);
    if (clears(c)) {
      hi = mid;
      cHi = c;
      // Illinois: when the same end moves twice running, halve the other's weight so the bracket closes.
      if (lastMoved === "high" && cLo !== null) cLo /= 2;
      lastMoved = "high";
    } else {
      lo = mid;
      cLo = c;
      if (lastMoved === "low" && cHi !== null) cHi /= 2;
      lastMoved = "low";
    }
  }
  return Math.exp(hi);
}

/** Candidate − baseline pass rate, single draw: Newcombe's interval; exact McNemar when the bound is 0. */
function newcombeTarget(counts: { a: number; b: number; c: number; d: number }): Target {
  const n = counts.a + counts.b + counts.c + counts.d;
  const estimate = (counts.c - counts.b) / n;
  // With no discordant case yet Newcombe's interval still has width: the margins' Wilson intervals.
  const interval = (confidence: number): Interval => newcombePairedDiffCI(counts, zOf(confidence));
  const discordant = (counts.b + counts.c + 1) / (n + 1);
  return {
    estimate,
    interval,
    pBeyond: (limit, side) => {
      if (limit === 0) return side === "below" ? mcnemarGreater(counts.b, counts.c) : mcnemarGreater(counts.c, counts.b);
      return invertInterval(interval, estimate, limit, side);
    },
    se: Math.sqrt(Math.max(discordant - estimate ** 2, 1 / (n + 1)) / n),
  };
}

/** The candidate's own rate, single draw: exact binomial tails and the Clopper–Pearson interval. */
export function exactRateTarget(passes: number, n: number): Target {
  const rate = (passes + 0.5) / (n + 1);
  return {
    estimate: passes / n,
    interval: (confidence) => clopperPearson(passes, n, confidence),
    pBeyond: (limit, side) => {
      if (limit <= 0) return side === "above" ? (passes > 0 ? 0 : 1) : 1;
      if (limit >= 1) return side === "below" ? (passes < n ? 0 : 1) : 1;
      // evidence that the true rate exceeds `limit`: seeing this many or more at `limit` is unlikely
      return side === "above" ? binomialUpperTail(passes, n, limit) : binomialCdf(passes, n, limit);
    },
    se: Math.sqrt((rate * (1 - rate)) / n),
  };
}

/** The values candidate − k·baseline can take, from the metric's range. */
export type Range = { min: number; max: number };

export function rangeOf(range: Range, k: number): Range {
  if (k === 0) return range;
  return { min: range.min - k * range.max, max: range.max - k * range.min };
}

/**
 * Every paired difference equal (or a single case): resampling has nothing to say, yet n agreeing cases
 * are evidence. The interval is what that evidence supports: at most a share p of cases could differ
 * unseen, p being the exact binomial bound for 0 of n (1 − (α/2)^(1/n), ≈ 3.7/n at 95%), and those
 * could lie anywhere in the metric's range. One case gives almost the whole range (undecided); 200
 * agreeing cases give ±1.8% of it. Unbounded metrics (latency, cost) get no interval.
 */
function noSpreadTarget(estimate: number, n: number, range: Range): Target | null {
  if (!Number.isFinite(estimate) || n === 0) return null;
  const bounded = Number.isFinite(range.min) && Number.isFinite(range.max);
  const interval = (confidence: number): Interval | null => {
    if (!bounded) return null;
    const p = 1 - ((1 - confidence) / 2) ** (1 / n);
    return [estimate - p * (estimate - range.min), estimate + p * (range.max - estimate)];
  };
  return { estimate, interval, pBeyond: (limit, side) => (bounded ? invertInterval(interval, estimate, limit, side) : null), se: null };
}

/** A t interval on per-case values (a per-case mean with repeats, minus k × the baseline's), clipped to `range`. */
function tTarget(values: number[], range: Range): Target | null {
  const n = values.length;
  const estimate = mean(values);
  const se = n < 2 ? Number.NaN : stdev(values) / Math.sqrt(n);
  const spread = Number.isFinite(se) && se > 0;
  if (!spread) return noSpreadTarget(estimate, n, range);
  const clip = (x: number) => Math.min(range.max, Math.max(range.min, x));
  return {
    estimate,
    interval: (confidence) => {
      if (!spread) return null;
      const half = tQuantile(1 - (1 - confidence) / 2, n - 1) * se;
      return [clip(estimate - half), clip(estimate + half)];
    },
    pBeyond: (limit, side) => {
      if (!spread) return null;
      const t = (estimate - limit) / se;
      return side === "above" ? 1 - tCdf(t, n - 1) : tCdf(t, n - 1);
    },
    se: spread ? se : null,
  };
}

function tTwoSided(values: number[]): number | null {
  const se = values.length < 2 ? Number.NaN : stdev(values) / Math.sqrt(values.length);
  if (!(se > 0)) return mean(values) === 0 ? 1 : null;
  return tTwoSidedP(mean(values) / se, values.length - 1);
}

/**
 * A paired bootstrap of candidate − k·baseline. The one-sided p is the resampled share on the bound's
 * side, mapped through the same expansion as the interval (so p < α exactly when the interval clears).
 */
function bootTarget(
  base: Clusters,
  cand: Clusters,
  statistic: Statistic,
  k: number,
  range: Range,
  options: CompareOptions,
  done?: BootstrapResult,
): Target | null {
  const result = done ?? pairedBootstrap({ baseline: base, candidate: cand }, statistic, { resamples: options.resamples, seed: options.seed, k });
  if (result.estimate === null) return null;
  const n = result.n;
  if (bootstrapInterval(result) === null) return noSpreadTarget(result.estimate, n, range);
  const se = result.sorted.length > 1 ? stdev(result.sorted) : Number.NaN;
  return {
    estimate: result.estimate,
    interval: (confidence) => bootstrapInterval(result, confidence),
    pBeyond: (limit, side) => {
      // evidence the truth is above `limit` = few resamples at or below it
      const share = bootstrapTail(result, limit, side === "above" ? "below" : "above");
      if (share === null || n < 2) return null;
      return 1 - tCdf(-normalQuantile(share) * Math.sqrt((n - 1) / n), n - 1);
    },
    se: se > 0 ? se : null,
  };
}
