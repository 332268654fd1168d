import { drawPassed, isFlaky } from "../score/outcome.js";
import { quantile } from "../stats/index.js";
import type { CaseRecord, Check, CheckInfo, MetricValues, RunRecord, Side } from "../types.js";

/**
 * How a metric is computed: each case contributes a cluster of values (one per draw, or per request),
 * and the metric is a statistic of all values. Clusters keep the pairing by case for the statistics.
 */
export interface MetricDefinition {
  name: string;
  statistic: "mean" | "quantile" | "sum" | "count";
  /** for quantile metrics */
  q?: number;
  /** the cluster of values one case contributes on one side */
  values(testCase: CaseRecord, side: Side): number[];
  /** when set, any null in a scored draw makes the whole metric unknown (e.g. cost with no price) */
  nullable?: (run: RunRecord) => boolean;
}

export interface AggregateOptions {
  /** count cached responses in latency metrics (--cached-latency) */
  includeCachedLatency?: boolean;
}

/**
 * The clusters most cases have — one draw scoring 0 or 1, or nothing — shared rather than built per case
 * per metric per side (clusters are only ever read). Frozen, so a write would throw.
 */
const noValues: number[] = Object.freeze([]) as unknown as number[];
const justZero: number[] = Object.freeze([0]) as unknown as number[];
const justOne: number[] = Object.freeze([1]) as unknown as number[];

const perDraw = (pick: (run: RunRecord) => number | null | undefined) => (testCase: CaseRecord, side: Side) => {
  const runs = testCase[side];
  if (runs.length === 1) {
    const value = pick(runs[0] as RunRecord);
    if (value === null || value === undefined || !Number.isFinite(value)) return noValues;
    return Object.is(value, 0) ? justZero : value === 1 ? justOne : [value];
  }
  const values: number[] = [];
  for (const run of runs) {
    const value = pick(run);
    if (value !== null && value !== undefined && Number.isFinite(value)) values.push(value);
  }
  return values;
};

const asBit = (value: boolean | null) => (value === null ? null : value ? 1 : 0);

/** Every metric of SPEC §5 this rubric's checks make (segments are these, restricted to a tag). */
export function metricDefinitions(checks: CheckInfo[], options: AggregateOptions = {}): MetricDefinition[] {
  const latency = perDraw((run) => (run.error || (run.cached && !options.includeCachedLatency) ? null : run.latency_ms));
  const succeeded = (run: RunRecord) => !run.error;
  const definitions: MetricDefinition[] = [{ name: "pass_rate", statistic: "mean", values: perDraw((run) => asBit(drawPassed(run))) }];
  const categories = new Map<string, Set<string>>();
  for (const check of checks) {
    const ids = categories.get(check.category) ?? new Set<string>();
    ids.add(check.id);
    categories.set(check.category, ids);
    const result = (run: RunRecord) => run.checks[check.id];
    definitions.push(
      {
        name: `check.${check.id}.pass_rate`,
        statistic: "mean",
        values: perDraw((run) => {
          const status = result(run)?.status;
          return status === "pass" ? 1 : status === "fail" ? 0 : null;
        }),
      },
      {
        name: `check.${check.id}.score`,
        statistic: "mean",
        values: perDraw((run) => {
          const r = result(run);
          return r && (r.status === "pass" || r.status === "fail") ? r.score : null;
        }),
      },
    );
  }
  definitions.push(...judgeMetrics(checks));
  for (const [category, ids] of categories) {
    definitions.push(
      { name: `${category}.pass_rate`, statistic: "mean", values: perDraw((run) => asBit(drawPassed(run, (id) => ids.has(id)))) },
      {
        name: `${category}.score`,
        statistic: "mean",
        values: perDraw((run) => {
          const scores = [...ids]
            .map((id) => run.checks[id])
            .filter((r) => r && (r.status === "pass" || r.status === "fail") && r.score !== null)
            .map((r) => r?.score ?? 0);
          return scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
        }),
      },
    );
  }
  definitions.push(
    { name: "error_rate", statistic: "mean", values: perDraw((run) => (run.error ? 1 : 0)) },
    { name: "retry_rate", statistic: "mean", values: perDraw((run) => (run.cached ? null : run.attempts > 1 ? 1 : 0)) },
    { name: "flaky_rate", statistic: "mean", values: (testCase, side) => (testCase[side].length > 1 ? [isFlaky(testCase[side]) ? 1 : 0] : []) },
    { name: "latency.p50_ms", statistic: "quantile", q: 0.5, values: latency },
    { name: "latency.p95_ms", statistic: "quantile", q: 0.95, values: latency },
    { name: "latency.p99_ms", statistic: "quantile", q: 0.99, values: latency },
    { name: "latency.mean_ms", statistic: "mean", values: latency },
    {
      name: "cost.per_request_usd",
      statistic: "mean",
      values: perDraw((run) => (run.error ? null : run.cost_usd)),
      nullable: (run) => succeeded(run) && run.cost_usd === null,
    },
    {
      name: "cost.total_usd",
      statistic: "sum",
      values: perDraw((run) => (run.error ? null : run.cost_usd)),
      nullable: (run) => succeeded(run) && run.cost_usd === null,
    },
    { name: "tokens.input.mean", statistic: "mean", values: perDraw((run) => run.usage?.input_tokens) },
    { name: "tokens.output.mean", statistic: "mean", values: perDraw((run) => run.usage?.output_tokens) },
    {
      name: "regressions",
      statistic: "count",
      values: (testCase, side) => (side === "candidate" ? [testCase.outcome === "regression" ? 1 : 0] : []),
    },
    {
      name: "improvements",
      statistic: "count",
      values: (testCase, side) => (side === "candidate" ? [testCase.outcome === "improvement" ? 1 : 0] : []),
    },
  );
  return definitions;
}

/** Clusters of one metric on one side, one per case (empty clusters included, to keep the pairing). */
export function clustersOf(definition: MetricDefinition, cases: CaseRecord[], side: Side): number[][] {
  return cases.map((testCase) => definition.values(testCase, side));
}

/** The metric's value from its clusters; null when there is nothing to compute it from. */
export function metricValue(definition: MetricDefinition, clusters: number[][], cases: CaseRecord[], side: Side): number | null {
  if (definition.statistic === "count") return side === "baseline" ? null : clusters.reduce((sum, c) => sum + c.reduce((a, b) => a + b, 0), 0);
  if (definition.nullable && cases.some((testCase) => testCase[side].some((run) => definition.nullable?.(run)))) return null;
  // Values are added in case order, then draw order: the order of the flattened list, so the same sum
  // to the last bit, without building that list (this runs for every metric × segment × side). Index
  // loops: this runs too few times to be optimised, and unoptimised for…of allocates per element.
  let count = 0;
  let total = 0;
  for (let i = 0; i < clusters.length; i++) {
    const cluster = clusters[i] as number[];
    for (let j = 0; j < cluster.length; j++) total += cluster[j] as number;
    count += cluster.length;
  }
  if (count === 0) return null;
  if (definition.statistic === "sum") return total;
  if (definition.statistic === "quantile") {
    const values = new Float64Array(count);
    let k = 0;
    for (let i = 0; i < clusters.length; i++) {
      const cluster = clusters[i] as number[];
      for (let j = 0; j < cluster.length; j++) values[k++] = cluster[j] as number;
    }
    return quantile(values.sort(), definition.q ?? 0.5);
  }
  return total / count;
}

/** One metric's per-case clusters on both sides over the cases it covers (segments: the tag's cases). */
export interface MetricClusters {
  cases: CaseRecord[];
  baseline: number[][];
  candidate: number[][];
  /** the metric's value per side (`metricValue`), when the producer has it already */
  values?: { baseline: number | null; candidate: number | null };
}

/**
 * Every metric for both sides, with `segment.<tag>.<metric>` for each segment tag. A case's cluster
 * depends on nothing but the case, so each definition's clusters are built once over all cases and a
 * segment takes its cases' clusters from them; `onClusters` receives each metric's clusters (the
 * comparison stage pairs them) while only one definition's clusters are alive at a time.
 */
export function computeMetrics(
  cases: CaseRecord[],
  definitions: MetricDefinition[],
  segmentTags: string[],
  onClusters?: (definition: MetricDefinition, name: string, clusters: MetricClusters) => void,
): { baseline: MetricValues; candidate: MetricValues } {
  const subsets = [
    { prefix: "", cases, indices: null as number[] | null },
    ...segmentTags.map((tag) => {
      const indices = cases.flatMap((testCase, i) => (testCase.tags.includes(tag) ? [i] : []));
      return { prefix: `segment.${tag}.`, cases: indices.map((i) => cases[i] as CaseRecord), indices };
    }),
  ];
  const result = { baseline: {} as MetricValues, candidate: {} as MetricValues };
  // Keys subset by subset (all metrics, then each segment's), though values are filled definition by definition.
  for (const subset of subsets) {
    for (const definition of definitions) {
      result.baseline[`${subset.prefix}${definition.name}`] = null;
      result.candidate[`${subset.prefix}${definition.name}`] = null;
    }
  }
  // Definitions that read the same values (latency p50, p95, p99 and mean) come one after another and
  // share their clusters; only the current ones are kept.
  let built: { values: MetricDefinition["values"]; baseline: number[][]; candidate: number[][] } | undefined;
  for (const definition of definitions) {
    if (built?.values !== definition.values) {
      built = {
        values: definition.values,
        baseline: clustersOf(definition, cases, "baseline"),
        candidate: clustersOf(definition, cases, "candidate"),
      };
    }
    const all = built;
    for (const subset of subsets) {
      const name = `${subset.prefix}${definition.name}`;
      const pick = (clusters: number[][]) => (subset.indices ? subset.indices.map((i) => clusters[i] ?? []) : clusters);
      const baseline = pick(all.baseline);
      const candidate = pick(all.candidate);
      const values = {
        baseline: metricValue(definition, baseline, subset.cases, "baseline"),
        candidate: metricValue(definition, candidate, subset.cases, "candidate"),
      };
      result.baseline[name] = values.baseline;
      result.candidate[name] = values.candidate;
      onClusters?.(definition, name, { cases: subset.cases, baseline, candidate, values });
    }
  }
  return result;
}

/** Tags to break down by: the rubric's `segments:`, else every tag present. */
export function segmentTagsOf(cases: CaseRecord[], configured: string[] | undefined): string[] {
  if (configured) return configured;
  return [...new Set(cases.flatMap((testCase) => testCase.tags))].sort();
}

/** Pairwise judge metrics per check, and the judge's own health across every check that uses it. */
function judgeMetrics(checks: CheckInfo[]): MetricDefinition[] {
  const definitions: MetricDefinition[] = [];
  const pairwiseOn = (id: string, wanted: (verdict: string) => number) =>
    perDraw((run) => {
      const verdict = run.checks[id]?.pairwise;
      return verdict === undefined ? null : wanted(verdict);
    });
  for (const check of checks.filter((c) => c.pairwise)) {
    const id = check.id;
    definitions.push(
      { name: `check.${id}.win_rate`, statistic: "mean", values: pairwiseOn(id, (v) => (v === "win" ? 1 : 0)) },
      { name: `check.${id}.loss_rate`, statistic: "mean", values: pairwiseOn(id, (v) => (v === "loss" ? 1 : 0)) },
      { name: `check.${id}.tie_rate`, statistic: "mean", values: pairwiseOn(id, (v) => (v === "tie" || v === "inconsistent" ? 1 : 0)) },
      { name: `check.${id}.net_win`, statistic: "mean", values: pairwiseOn(id, (v) => (v === "win" ? 1 : v === "loss" ? -1 : 0)) },
    );
  }
  const judged = checks.filter((c) => c.uses_judge).map((c) => c.id);
  if (judged.length > 0) {
    definitions.push({
      name: "judge.error_rate",
      statistic: "mean",
      values: perDrawMany((run) =>
        judged.flatMap((id) => {
          const result = run.checks[id];
          if (!result || result.status === "skipped" || result.judge_asked === false || run.error) return [];
          return [result.status === "error" ? 1 : 0];
        }),
      ),
    });
  }
  const pairwise = checks.filter((c) => c.pairwise).map((c) => c.id);
  if (pairwise.length > 0) {
    definitions.push({
      name: "judge.inconsistency_rate",
      statistic: "mean",
      // Over the pairs the judge was asked about: identical outputs are ties nobody judged (SPEC §5).
      values: perDrawMany((run) =>
        pairwise.flatMap((id) => {
          const result = run.checks[id];
          return result?.pairwise && result.judge_asked !== false ? [result.pairwise === "inconsistent" ? 1 : 0] : [];
        }),
      ),
    });
  }
  return definitions;
}

function perDrawMany(pick: (run: RunRecord) => number[]) {
  return (testCase: CaseRecord, side: Side) => testCase[side].flatMap(pick);
}

/** The report's view of a rubric check. */
export function checkInfo(check: Check): CheckInfo {
  return {
    id: check.id,
    type: check.type,
    category: check.category,
    ...(check.scorePair ? { pairwise: true } : {}),
    ...(check.usesJudge ? { uses_judge: true } : {}),
  };
}
