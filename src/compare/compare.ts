import { splitSegmentMetric } from "../aggregate/metric-names.js";
import { clustersOf, type MetricDefinition, metricValue } from "../aggregate/metrics.js";
import { casePassRate } from "../score/outcome.js";
import {
  type BootstrapResult,
  clusteredMeanDiff,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  mcnemarExact,
  newcombePairedDiffCI,
  pairedBootstrap,
  pairedCounts,
  pooledMeanOf,
  pooledQuantileOf,
  pooledSumOf,
  type StatisticFactory,
  wilsonInterval,
} from "../stats/index.js";
import type { CaseReport, Comparison } from "../types.js";

export interface CompareOptions {
  /** metrics whose candidate value needs its own interval (rules with absolute max/min bounds) */
  candidateIntervals?: ReadonlySet<string>;
  resamples?: number;
  seed?: number;
}

const binaryMetric = /(^|\.)(pass_rate|error_rate|retry_rate|flaky_rate)$/;
const countMetric = /(^|\.)(regressions|improvements)$/;

/**
 * Compares baseline and candidate on one metric, paired by case (SPEC §6): exact McNemar and Newcombe's
 * paired interval for single-draw pass/fail metrics; a cluster-robust paired t for pass/fail with
 * repeats; a seeded paired bootstrap (cases resampled, repeats travel together) for scores, latency
 * percentiles and cost. Pure: the same inputs and seed give the same numbers.
 */
export function compareMetric(definition: MetricDefinition, name: string, cases: CaseReport[], options: CompareOptions = {}): Comparison {
  const baseClusters = clustersOf(definition, cases, "baseline");
  const candClusters = clustersOf(definition, cases, "candidate");
  const baseline = metricValue(definition, baseClusters, cases, "baseline");
  const candidate = metricValue(definition, candClusters, cases, "candidate");
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
  if (countMetric.test(definition.name)) return { ...result, ...countComparison(cases) };

  // Pair only the cases scored on both sides.
  const paired = baseClusters.map((_, i) => i).filter((i) => (baseClusters[i]?.length ?? 0) > 0 && (candClusters[i]?.length ?? 0) > 0);
  const base = paired.map((i) => baseClusters[i] ?? []);
  const cand = paired.map((i) => candClusters[i] ?? []);
  result.n = paired.length;
  if (paired.length === 0 || baseline === null || candidate === null) return { ...result, method: "no paired cases" };
  const wantCandidateInterval = options.candidateIntervals?.has(name) ?? false;

  if (binaryMetric.test(definition.name)) {
    const singleDraw = base.every((c) => c.length === 1) && cand.every((c) => c.length === 1);
    if (singleDraw) {
      const counts = pairedCounts(
        base.map((c) => c[0] === 1),
        cand.map((c) => c[0] === 1),
      );
      const passes = cand.filter((c) => c[0] === 1).length;
      return {
        ...result,
        ci: newcombePairedDiffCI(counts),
        p_value: mcnemarExact(counts.b, counts.c),
        method: `exact McNemar (${counts.b} down, ${counts.c} up); Newcombe paired interval`,
        ...(wantCandidateInterval ? { candidate_ci: wilsonInterval(passes, paired.length) } : {}),
      };
    }
    const clustered = clusteredMeanDiff(base, cand);
    const candidateMeans = cand.map((c) => c.reduce((a, b) => a + b, 0) / c.length);
    return {
      ...result,
      ci: clustered.ci,
      p_value: clustered.p,
      method: "paired t on per-case means (repeats clustered by case)",
      ...(wantCandidateInterval
        ? {
            candidate_ci: candidateOnly(
              candidateMeans.map((m) => [m]),
              pooledMeanOf,
              options,
            ),
          }
        : {}),
    };
  }

  const statistic = statisticOf(definition);
  const boot = pairedBootstrap({ baseline: base, candidate: cand }, statistic, bootstrapOptions(options));
  return {
    ...result,
    ci: boot.ci,
    p_value: boot.p,
    method: `paired bootstrap of the ${definition.statistic === "quantile" ? `p${Math.round((definition.q ?? 0.5) * 100)}` : definition.statistic} (cases resampled ${boot.resamples}×, seed ${options.seed ?? DEFAULT_SEED})`,
    ...(wantCandidateInterval ? { candidate_ci: candidateOnly(cand, statistic, options) } : {}),
  };
}

function statisticOf(definition: MetricDefinition): StatisticFactory<readonly number[]> {
  if (definition.statistic === "quantile") return pooledQuantileOf(definition.q ?? 0.5);
  if (definition.statistic === "sum") return pooledSumOf;
  return pooledMeanOf;
}

function bootstrapOptions(options: CompareOptions) {
  return { resamples: options.resamples ?? DEFAULT_RESAMPLES, seed: options.seed ?? DEFAULT_SEED };
}

/** Interval of the candidate's own statistic: the paired bootstrap against an all-zero baseline. */
function candidateOnly(cand: number[][], statistic: StatisticFactory<readonly number[]>, options: CompareOptions): [number, number] | null {
  const zeros = cand.map((c) => c.map(() => 0));
  const boot: BootstrapResult = pairedBootstrap({ baseline: zeros, candidate: cand }, statistic, bootstrapOptions(options));
  return boot.ci;
}

/** Regressions / improvements: counts of discordant cases; McNemar says whether they differ beyond chance. */
function countComparison(cases: CaseReport[]): Pick<Comparison, "p_value" | "method" | "n"> {
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
 * Unknown names are skipped (the rubric loader has already rejected them).
 */
export function compareMetrics(names: string[], definitions: MetricDefinition[], cases: CaseReport[], options: CompareOptions = {}): Comparison[] {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const known = [...byName.keys()];
  const comparisons: Comparison[] = [];
  for (const name of names) {
    const direct = byName.get(name);
    if (direct) {
      comparisons.push(compareMetric(direct, name, cases, options));
      continue;
    }
    const segment = splitSegmentMetric(name, known);
    const definition = segment && byName.get(segment.metric);
    if (!segment || !definition) continue;
    comparisons.push(
      compareMetric(
        definition,
        name,
        cases.filter((testCase) => testCase.tags.includes(segment.tag)),
        options,
      ),
    );
  }
  return comparisons;
}
