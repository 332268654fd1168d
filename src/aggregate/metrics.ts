import { drawPassed, isFlaky } from "../score/outcome.js";
import { asClusters, buildClusters, type ClusterInput, type Clusters, clusterTotal, pickClusters, quantile } from "../stats/index.js";
import type { CaseRecord, Check, CheckInfo, MetricValues, RunRecord, Side } from "../types.js";
import { type MetricDeclaration, type MetricFamily, metricRegistry } from "./metric-registry.js";

/**
 * How a metric is computed: each case contributes a cluster of values (one per draw, or per request),
 * and the metric is its declared statistic of all values. Clusters keep the pairing by case for the
 * statistics.
 */
export interface MetricDefinition {
  name: string;
  /** what the metric is (kind, unit, direction, statistic): its family's entry in the registry */
  declaration: MetricDeclaration;
  /** the cluster of values one case contributes on one side */
  values(testCase: CaseRecord, side: Side): number[];
  /** when set, any such draw makes the whole metric unknown (e.g. cost with no price) */
  nullable?: (run: RunRecord) => boolean;
}

export interface AggregateOptions {
  /** count cached responses in latency metrics */
  includeCachedLatency?: boolean;
}

const isNumber = (value: number | null | undefined): value is number => value !== null && value !== undefined && Number.isFinite(value);

/** One value per scored draw of the side (draws `pick` gives no number for add nothing). */
const perDraw = (pick: (run: RunRecord) => number | null | undefined) => (testCase: CaseRecord, side: Side) => {
  const values: number[] = [];
  for (const run of testCase[side]) {
    const value = pick(run);
    if (isNumber(value)) values.push(value);
  }
  return values;
};

const asBit = (value: boolean | null) => (value === null ? null : value ? 1 : 0);

function define(name: string, family: MetricFamily, values: MetricDefinition["values"], nullable?: MetricDefinition["nullable"]): MetricDefinition {
  return { name, declaration: metricRegistry[family], values, ...(nullable ? { nullable } : {}) };
}

/** Every metric of SPEC §5 this rubric's checks make (segments are these, restricted to a tag). */
export function metricDefinitions(checks: CheckInfo[], options: AggregateOptions = {}): MetricDefinition[] {
  const latency = perDraw((run) => (run.error || (run.cached && !options.includeCachedLatency) ? null : run.latency_ms));
  // Same rule as latency: a cached draw counts with its time to first token as first measured.
  const ttft = perDraw((run) => (run.error || (run.cached && !options.includeCachedLatency) ? null : run.ttft_ms));
  const cost = perDraw((run) => (run.error ? null : run.cost_usd));
  const unpriced = (run: RunRecord) => !run.error && run.cost_usd === null;
  const scored = (run: RunRecord, id: string) => {
    const result = run.checks[id];
    return result && (result.status === "pass" || result.status === "fail") ? result : undefined;
  };
  const definitions = [
    define(
      "pass_rate",
      "pass_rate",
      perDraw((run) => asBit(drawPassed(run))),
    ),
  ];
  const categories = new Map<string, string[]>();
  for (const check of checks) {
    categories.set(check.category, [...(categories.get(check.category) ?? []), check.id]);
    definitions.push(
      define(
        `check.${check.id}.pass_rate`,
        "pass_rate",
        perDraw((run) => asBit(scored(run, check.id)?.status === "pass" ? true : scored(run, check.id) ? false : null)),
      ),
      define(
        `check.${check.id}.score`,
        "score",
        perDraw((run) => scored(run, check.id)?.score),
      ),
    );
  }
  definitions.push(...judgeMetrics(checks));
  for (const [category, ids] of categories) {
    definitions.push(
      define(
        `${category}.pass_rate`,
        "pass_rate",
        perDraw((run) => asBit(drawPassed(run, (id) => ids.includes(id)))),
      ),
      define(
        `${category}.score`,
        "score",
        perDraw((run) => {
          const scores = ids.map((id) => scored(run, id)?.score).filter(isNumber);
          return scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
        }),
      ),
    );
  }
  definitions.push(
    define(
      "error_rate",
      "error_rate",
      perDraw((run) => (run.error ? 1 : 0)),
    ),
    define(
      "retry_rate",
      "retry_rate",
      perDraw((run) => (run.cached ? null : run.attempts > 1 ? 1 : 0)),
    ),
    define("flaky_rate", "flaky_rate", (testCase, side) => (testCase[side].length > 1 ? [isFlaky(testCase[side]) ? 1 : 0] : [])),
    define("latency.p50_ms", "latency.p50_ms", latency),
    define("latency.p95_ms", "latency.p95_ms", latency),
    define("latency.p99_ms", "latency.p99_ms", latency),
    define("latency.mean_ms", "latency.mean_ms", latency),
    define("latency.ttft_p50_ms", "latency.ttft_p50_ms", ttft),
    define("latency.ttft_p95_ms", "latency.ttft_p95_ms", ttft),
    define("cost.per_request_usd", "cost.per_request_usd", cost, unpriced),
    define("cost.total_usd", "cost.total_usd", cost, unpriced),
    define(
      "tokens.input.mean",
      "tokens.input.mean",
      perDraw((run) => run.usage?.input_tokens),
    ),
    define(
      "tokens.output.mean",
      "tokens.output.mean",
      perDraw((run) => run.usage?.output_tokens),
    ),
    // Agreement is a fact about the pair, measured on the candidate's draws. The baseline agrees with
    // itself: a 1 for each measured draw keeps the pairing, so the candidate's rate gets its exact
    // interval and absolute bounds (`min: 0.95`) are gated like any rate.
    ...(["tool_calls", "output_json"] as const).map((measure) =>
      define(`agreement.${measure}`, `agreement.${measure}`, (testCase, side) =>
        testCase.candidate.flatMap((run) => {
          const agreed = run.agreement?.[measure];
          return agreed === undefined ? [] : [side === "baseline" || agreed ? 1 : 0];
        }),
      ),
    ),
    // Parts of the input and output totals; a draw whose usage does not report them had none.
    define(
      "tokens.reasoning.mean",
      "tokens.reasoning.mean",
      perDraw((run) => (run.usage ? (run.usage.reasoning_tokens ?? 0) : null)),
    ),
    define(
      "tokens.cached_input.mean",
      "tokens.cached_input.mean",
      perDraw((run) => (run.usage ? (run.usage.cached_input_tokens ?? 0) : null)),
    ),
    // Counts of cases live on the candidate side: a regression is a fact about the pair.
    define("regressions", "regressions", (testCase, side) => (side === "candidate" ? [testCase.outcome === "regression" ? 1 : 0] : [])),
    define("improvements", "improvements", (testCase, side) => (side === "candidate" ? [testCase.outcome === "improvement" ? 1 : 0] : [])),
  );
  return definitions;
}

/** Clusters of one metric on one side, one per case (empty clusters included, to keep the pairing). */
export function clustersOf(definition: MetricDefinition, cases: CaseRecord[], side: Side): Clusters {
  return buildClusters(cases.length, (i) => definition.values(cases[i] as CaseRecord, side));
}

/**
 * Each metric's clusters over one set of cases, built on first use and shared by aggregate, compare and
 * the false-fail estimate; a segment's are the same arrays picked by the tag's case indices. Building
 * them afresh per consumer and per segment was ~2.5 s of a 10,000-case run (`npm run bench`).
 * Only the definitions `keep` names (what gate rules read: the false-fail estimate reads them again)
 * stay for the table's life; any other definition's clusters stay until another one is asked for, so
 * they are built at most once per stage. Keeping all 28 of a rubric's metrics was ~3 KB per case, most
 * of a 100,000-case run's peak.
 */
export interface ClusterTable {
  /** the cases (with `tag`: those carrying it) */
  cases(tag?: string): CaseRecord[];
  /** where the cases carrying `tag` are among all of them */
  indices(tag: string): number[];
  clusters(definition: MetricDefinition, side: Side, tag?: string): Clusters;
}

export function createClusterTable(cases: CaseRecord[], keep: (definition: MetricDefinition) => boolean = () => true): ClusterTable {
  const kept = new Map<MetricDefinition, Record<Side, Clusters | undefined>>();
  let recent: { definition: MetricDefinition; clusters: Record<Side, Clusters | undefined> } | undefined;
  const tagged = new Map<string, { cases: CaseRecord[]; indices: number[] }>();
  const subset = (tag: string) => {
    let entry = tagged.get(tag);
    if (!entry) {
      const indices = cases.flatMap((testCase, i) => (testCase.tags.includes(tag) ? [i] : []));
      entry = { cases: indices.map((i) => cases[i] as CaseRecord), indices };
      tagged.set(tag, entry);
    }
    return entry;
  };
  const entryOf = (definition: MetricDefinition): Record<Side, Clusters | undefined> => {
    if (!keep(definition)) {
      if (recent?.definition !== definition) recent = { definition, clusters: { baseline: undefined, candidate: undefined } };
      return recent.clusters;
    }
    let entry = kept.get(definition);
    if (!entry) {
      entry = { baseline: undefined, candidate: undefined };
      kept.set(definition, entry);
    }
    return entry;
  };
  const full = (definition: MetricDefinition, side: Side): Clusters => {
    const entry = entryOf(definition);
    entry[side] ??= clustersOf(definition, cases, side);
    return entry[side];
  };
  return {
    cases: (tag) => (tag === undefined ? cases : subset(tag).cases),
    indices: (tag) => subset(tag).indices,
    clusters(definition, side, tag) {
      const all = full(definition, side);
      return tag === undefined ? all : pickClusters(all, subset(tag).indices);
    },
  };
}

/**
 * The metric's value from its clusters (with `indices`: from the clusters of the cases at those
 * indices, which are `cases`); null when there is nothing to compute it from.
 */
export function metricValue(
  definition: MetricDefinition,
  clusters: ClusterInput,
  cases: CaseRecord[],
  side: Side,
  indices?: ArrayLike<number>,
): number | null {
  const { statistic, q = 0.5 } = definition.declaration;
  const all = asClusters(clusters);
  const { total, count } = clusterTotal(all, indices);
  if (statistic === "count") return side === "baseline" ? null : total;
  if (definition.nullable && cases.some((testCase) => testCase[side].some((run) => definition.nullable?.(run)))) return null;
  if (count === 0) return null;
  if (statistic === "quantile") return quantile(indices === undefined ? all.values.slice().sort() : pickClusters(all, indices).values.sort(), q);
  return statistic === "sum" ? total : total / count;
}

/** The cases carrying `tag`. */
export function casesTagged(cases: CaseRecord[], tag: string): CaseRecord[] {
  return cases.filter((testCase) => testCase.tags.includes(tag));
}

/** Every metric for both sides, with `segment.<tag>.<metric>` for each segment tag. */
export function computeMetrics(
  cases: CaseRecord[],
  definitions: MetricDefinition[],
  segmentTags: string[],
  table: ClusterTable = createClusterTable(cases),
): { baseline: MetricValues; candidate: MetricValues } {
  const tags = [undefined, ...segmentTags];
  const sides = ["baseline", "candidate"] as const;
  const nameOf = (definition: MetricDefinition, tag: string | undefined) =>
    tag === undefined ? definition.name : `segment.${tag}.${definition.name}`;
  // The keys are laid out in the report's order first (whole run, then each segment); the values are
  // then filled one metric at a time, so the table can let each metric's clusters go.
  const result = { baseline: {} as MetricValues, candidate: {} as MetricValues };
  for (const tag of tags) for (const definition of definitions) for (const side of sides) result[side][nameOf(definition, tag)] = null;
  // A segment's value is read off the whole run's clusters at the tag's cases: picking each segment's
  // clusters first made a new pair of typed arrays per metric, side and tag.
  for (const definition of definitions) {
    for (const side of sides) {
      const clusters = table.clusters(definition, side);
      for (const tag of tags) {
        result[side][nameOf(definition, tag)] =
          tag === undefined
            ? metricValue(definition, clusters, table.cases(), side)
            : metricValue(definition, clusters, table.cases(tag), side, table.indices(tag));
      }
    }
  }
  return result;
}

/** Tags to break down by: the rubric's `segments:`, else every tag present. */
export function segmentTagsOf(cases: CaseRecord[], configured: string[] | undefined): string[] {
  if (configured) return [...new Set(configured)];
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
  for (const { id } of checks.filter((c) => c.pairwise)) {
    definitions.push(
      define(
        `check.${id}.win_rate`,
        "win_rate",
        pairwiseOn(id, (v) => (v === "win" ? 1 : 0)),
      ),
      define(
        `check.${id}.loss_rate`,
        "loss_rate",
        pairwiseOn(id, (v) => (v === "loss" ? 1 : 0)),
      ),
      define(
        `check.${id}.tie_rate`,
        "tie_rate",
        pairwiseOn(id, (v) => (v === "tie" || v === "inconsistent" ? 1 : 0)),
      ),
      define(
        `check.${id}.net_win`,
        "net_win",
        pairwiseOn(id, (v) => (v === "win" ? 1 : v === "loss" ? -1 : 0)),
      ),
    );
  }
  const judged = checks.filter((c) => c.uses_judge).map((c) => c.id);
  if (judged.length > 0) {
    definitions.push(
      define(
        "judge.error_rate",
        "error_rate",
        perDrawMany((run) =>
          judged.flatMap((id) => {
            const result = run.checks[id];
            if (!result || result.status === "skipped" || result.judge_asked === false || run.error) return [];
            return [result.status === "error" ? 1 : 0];
          }),
        ),
      ),
    );
  }
  const pairwise = checks.filter((c) => c.pairwise).map((c) => c.id);
  if (pairwise.length > 0) {
    definitions.push(
      define(
        "judge.inconsistency_rate",
        "inconsistency_rate",
        // Over the pairs the judge was asked about: identical outputs are ties nobody judged (SPEC §5).
        perDrawMany((run) =>
          pairwise.flatMap((id) => {
            const result = run.checks[id];
            return result?.pairwise && result.judge_asked !== false ? [result.pairwise === "inconsistent" ? 1 : 0] : [];
          }),
        ),
      ),
    );
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
