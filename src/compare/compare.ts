import { splitSegmentMetric } from "../aggregate/metric-names.js";
import { clustersOf, type MetricClusters, type MetricDefinition, metricValue } from "../aggregate/metrics.js";
import { casePassRate } from "../score/outcome.js";
import {
  type BootstrapResult,
  clusteredMeanDiff,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  mcnemarExact,
  newcombePairedDiffCI,
  pairedCounts,
  pooledMeanOf,
  pooledQuantileOf,
  pooledSumOf,
  type StatisticFactory,
  wilsonInterval,
} from "../stats/index.js";
import type { CaseRecord, Comparison } from "../types.js";
import { type BootstrapBatch, type BootstrapRequest, createBootstrapBatch } from "./bootstrap-batch.js";

export interface CompareOptions {
  /** metrics whose candidate value needs its own interval (rules with absolute max/min bounds) */
  candidateIntervals?: ReadonlySet<string>;
  resamples?: number;
  seed?: number;
}

/** Finishes a planned comparison from the results of the batch its bootstraps were queued on. */
export type FinishComparison = (results: readonly BootstrapResult[]) => Comparison;

const binaryMetric = /(^|\.)(pass_rate|error_rate|retry_rate|flaky_rate)$/;
const countMetric = /(^|\.)(regressions|improvements)$/;

/**
 * Compares baseline and candidate on one metric, paired by case (SPEC §6): exact McNemar and Newcombe's
 * paired interval for single-draw pass/fail metrics; a cluster-robust paired t for pass/fail with
 * repeats; a seeded paired bootstrap (cases resampled, repeats travel together) for scores, latency
 * percentiles and cost. Pure: the same inputs and seed give the same numbers.
 */
export function compareMetric(definition: MetricDefinition, name: string, cases: CaseRecord[], options: CompareOptions = {}): Comparison {
  const batch = createBootstrapBatch(bootstrapOptions(options));
  const finish = planComparison(definition, name, clustersFor(definition, cases), options, batch);
  return finish(batch.run());
}

/** `compareMetric` in two steps: its bootstraps are queued on `batch`, to run with other metrics'. */
export function planComparison(
  definition: MetricDefinition,
  name: string,
  clusters: MetricClusters,
  options: CompareOptions,
  batch: BootstrapBatch,
): FinishComparison {
  const { cases, baseline: baseClusters, candidate: candClusters } = clusters;
  const baseline = clusters.values ? clusters.values.baseline : metricValue(definition, baseClusters, cases, "baseline");
  const candidate = clusters.values ? clusters.values.candidate : metricValue(definition, candClusters, cases, "candidate");
  const result: Comparison = {
    metric: name,
    baseline,
    candidate,
    delta: baseline !== null && candidate !== null ? candidate - baseline : null,
    ci: null,
    p_value: null,
    method: "",
    n: 0,
  };
  if (countMetric.test(definition.name)) return done({ ...result, ...countComparison(cases) });

  // Pair only the cases scored on both sides.
  const paired = baseClusters.map((_, i) => i).filter((i) => (baseClusters[i]?.length ?? 0) > 0 && (candClusters[i]?.length ?? 0) > 0);
  const base = paired.map((i) => baseClusters[i] ?? []);
  const cand = paired.map((i) => candClusters[i] ?? []);
  result.n = paired.length;
  if (paired.length === 0 || baseline === null || candidate === null) return done({ ...result, method: "no paired cases" });
  const wantCandidateInterval = options.candidateIntervals?.has(name) ?? false;

  if (binaryMetric.test(definition.name)) {
    const singleDraw = base.every((c) => c.length === 1) && cand.every((c) => c.length === 1);
    if (singleDraw) {
      const counts = pairedCounts(
        base.map((c) => c[0] === 1),
        cand.map((c) => c[0] === 1),
      );
      const passes = cand.filter((c) => c[0] === 1).length;
      return done({
        ...result,
        ci: newcombePairedDiffCI(counts),
        p_value: mcnemarExact(counts.b, counts.c),
        method: `exact McNemar (${counts.b} down, ${counts.c} up); Newcombe paired interval`,
        ...(wantCandidateInterval ? { candidate_ci: wilsonInterval(passes, paired.length) } : {}),
      });
    }
    const clustered = clusteredMeanDiff(base, cand);
    const candidateMeans = cand.map((c) => [c.reduce((a, b) => a + b, 0) / c.length]);
    const own = wantCandidateInterval ? batch.add(candidateOnly(candidateMeans, "mean", pooledMeanOf)) : undefined;
    return finishWith(
      { ...result, ci: clustered.ci, p_value: clustered.p, method: "paired t on per-case means (repeats clustered by case)" },
      undefined,
      own,
    );
  }

  const statistic = statisticOf(definition);
  const key = statisticKey(definition);
  const main = batch.add({ key, statistic, baseline: base, candidate: cand });
  const own = wantCandidateInterval ? batch.add(candidateOnly(cand, key, statistic)) : undefined;
  const label = definition.statistic === "quantile" ? `p${Math.round((definition.q ?? 0.5) * 100)}` : definition.statistic;
  return finishWith(result, { ticket: main, label, seed: options.seed ?? DEFAULT_SEED }, own);
}

/**
 * The finishing step, built out here so that it holds only these few values: a closure made inside
 * `planComparison` would keep that call's clusters alive until the batch runs, for every metric.
 */
function finishWith(
  result: Comparison,
  bootstrap: { ticket: number; label: string; seed: number } | undefined,
  candidateTicket: number | undefined,
): FinishComparison {
  return (results) => {
    const comparison = { ...result };
    if (bootstrap) {
      const boot = resultOf(results, bootstrap.ticket);
      comparison.ci = boot.ci;
      comparison.p_value = boot.p;
      comparison.method = `paired bootstrap of the ${bootstrap.label} (cases resampled ${boot.resamples}×, seed ${bootstrap.seed})`;
    }
    if (candidateTicket !== undefined) comparison.candidate_ci = resultOf(results, candidateTicket).ci;
    return comparison;
  };
}

function done(comparison: Comparison): FinishComparison {
  return () => comparison;
}

function resultOf(results: readonly BootstrapResult[], ticket: number): BootstrapResult {
  const result = results[ticket];
  if (!result) throw new Error(`bootstrap result ${ticket} missing: the batch was run before this comparison was planned`);
  return result;
}

function clustersFor(definition: MetricDefinition, cases: CaseRecord[]): MetricClusters {
  return { cases, baseline: clustersOf(definition, cases, "baseline"), candidate: clustersOf(definition, cases, "candidate") };
}

function statisticOf(definition: MetricDefinition): StatisticFactory<readonly number[]> {
  if (definition.statistic === "quantile") return pooledQuantileOf(definition.q ?? 0.5);
  if (definition.statistic === "sum") return pooledSumOf;
  return pooledMeanOf;
}

/** Names what `statisticOf` returns, so equal bootstrap requests can be recognised. */
function statisticKey(definition: MetricDefinition): string {
  return definition.statistic === "quantile" ? `quantile ${definition.q ?? 0.5}` : definition.statistic;
}

function bootstrapOptions(options: CompareOptions) {
  return { resamples: options.resamples ?? DEFAULT_RESAMPLES, seed: options.seed ?? DEFAULT_SEED };
}

/**
 * The candidate's own interval is the `ci` of a paired bootstrap against all-zero clusters of its
 * shape. Their statistic is +0 on every resample that draws a value, and NaN exactly when the
 * candidate's is (the resample is dropped either way), so it is returned rather than evaluated: the
 * batch builds the baseline statistic from this very `zeros` array.
 */
function candidateOnly(cand: number[][], key: string, statistic: StatisticFactory<readonly number[]>): BootstrapRequest {
  const zeros = cand.map((c) => c.map(() => 0));
  const zero = () => 0;
  return { key: `${key} against zeros`, statistic: (cases) => (cases === zeros ? zero : statistic(cases)), baseline: zeros, candidate: cand };
}

/** Regressions / improvements: counts of discordant cases; McNemar says whether they differ beyond chance. */
function countComparison(cases: CaseRecord[]): Pick<Comparison, "p_value" | "method" | "n"> {
  let regressions = 0;
  let improvements = 0;
  let n = 0;
  for (const testCase of cases) {
    if (casePassRate(testCase.baseline) === null || casePassRate(testCase.candidate) === null) continue;
    n++;
    if (testCase.outcome === "regression") regressions++;
    if (testCase.outcome === "improvement") improvements++;
  }
  return {
    p_value: mcnemarExact(regressions, improvements),
    method: `exact McNemar on case outcomes (${regressions} regressions vs ${improvements} improvements)`,
    n,
  };
}

/**
 * Comparisons for every named metric; `segment.<tag>.<metric>` names restrict the cases to the tag.
 * Unknown names are skipped (the rubric loader has already rejected them). All bootstraps run as one
 * batch, so each resample is drawn once and equal clusters are bootstrapped once.
 */
export function compareMetrics(names: string[], definitions: MetricDefinition[], cases: CaseRecord[], options: CompareOptions = {}): Comparison[] {
  return createComparisonPlan(definitions, cases, options).finish(names);
}

/** Comparisons planned one by one on a shared bootstrap batch, then finished together. */
export interface ComparisonPlan {
  /** Plans metric `name` from clusters the caller already has (e.g. from computing the metrics). */
  add(definition: MetricDefinition, name: string, clusters: MetricClusters): void;
  /** Plans the named metrics not planned yet, runs the batch, and returns the comparisons in `names` order. */
  finish(names: string[]): Comparison[];
}

/** A plan for comparing metrics of `definitions` over `cases` (segment names over the tag's cases). */
export function createComparisonPlan(definitions: MetricDefinition[], cases: CaseRecord[], options: CompareOptions = {}): ComparisonPlan {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const known = [...byName.keys()];
  const batch = createBootstrapBatch(bootstrapOptions(options));
  const planned = new Map<string, FinishComparison>();
  const segments = new Map<string, CaseRecord[]>();
  const casesTagged = (tag: string): CaseRecord[] => {
    const subset = segments.get(tag) ?? cases.filter((testCase) => testCase.tags.includes(tag));
    segments.set(tag, subset);
    return subset;
  };
  const add = (definition: MetricDefinition, name: string, clusters: MetricClusters) => {
    if (!planned.has(name)) planned.set(name, planComparison(definition, name, clusters, options, batch));
  };
  return {
    add,
    finish(names) {
      for (const name of names) {
        if (planned.has(name)) continue;
        const direct = byName.get(name);
        if (direct) {
          add(direct, name, clustersFor(direct, cases));
          continue;
        }
        const segment = splitSegmentMetric(name, known);
        const definition = segment && byName.get(segment.metric);
        if (segment && definition) add(definition, name, clustersFor(definition, casesTagged(segment.tag)));
      }
      const results = batch.run();
      return names.flatMap((name) => {
        const finish = planned.get(name);
        return finish ? [finish(results)] : [];
      });
    },
  };
}
