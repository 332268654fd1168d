/**
 * `gate.false_fail_rate` (SPEC §6): how often this gate, with these rules, modes and n, fails a
 * candidate identical to the baseline. Each replication resamples the run's cases with replacement
 * and swaps each case's two sides with probability ½ — under "no difference" the sides are
 * exchangeable — and decides every rule on the replicated estimate. The uncertainty a `significant`,
 * `non-inferior` or `evidence` rule weighs it with is the standard error this run measured for that
 * rule (under no difference the spread of the paired differences is the same), so a replication costs
 * one pass over the cases instead of a bootstrap; Holm is applied as in the gate. Seeded: the same run
 * gives the same figure. Pure.
 */
import { splitSegmentMetric } from "../aggregate/metric-names.js";
import { type ClusterTable, createClusterTable, type MetricDefinition, metricValue } from "../aggregate/metrics.js";
import type { MetricEvidence } from "../compare/compare.js";
import {
  buildClusters,
  type Clusters,
  clusterSizes,
  clusterSums,
  clusterValues,
  createRng,
  holmAdjust,
  mcnemarGreater,
  normalCdf,
  normalQuantile,
} from "../stats/index.js";
import type { CaseOutcome, CaseRecord, FalseFailRate, GatePolicy, GateRule } from "../types.js";
import { ALPHA, ruleTarget } from "./evaluate.js";

/**
 * Replications, by default: batches of 100, at least 200, until the estimate's standard error is at most
 * one point (a 5% rate needs ~475, a rate near 0 or 1 stops at 200), and at most 1,000 — fewer above
 * 2,000 cases, so up to 10,000 cases the estimate costs no more than about 2 million case visits per
 * rule. Past that the floor of 200 rules: 20 million visits per rule at 100,000 cases, ~2 s each on a
 * 2-core machine, next to the minutes such a run's requests take. The figure is a warning, not a
 * verdict: ±1.5 points at a 5% rate is enough to tell a 5% gate from a 30% one.
 */
export function falseFailReplications(cases: number): { min: number; max: number } {
  return { min: 200, max: Math.max(200, Math.min(1000, Math.floor(2_000_000 / Math.max(1, cases)))) };
}
const BATCH = 100;
const TARGET_SE = 0.01;
/** Above this the terminal and reports warn. */
export const FALSE_FAIL_WARNING = 0.1;

/** Outcome codes in the replication loop; swapping the sides swaps regression and improvement. */
const OTHER = 0;
const REGRESSION = 1;
const IMPROVEMENT = 2;
const codeOf = (outcome: CaseOutcome) => (outcome === "regression" ? REGRESSION : outcome === "improvement" ? IMPROVEMENT : OTHER);
const Z = normalQuantile(1 - ALPHA);

type Sides<T> = Record<"baseline" | "candidate", T>;
/** Where each side of a replicated case reads from. */
const STRAIGHT = { baseline: "baseline", candidate: "candidate" } as const;
const SWAPPED = { baseline: "candidate", candidate: "baseline" } as const;

/** One rule, ready to replicate: per case of its cases (a segment's: those with the tag), what its decision needs. */
interface Prepared {
  rule: GateRule;
  label: string;
  definition: MetricDefinition | undefined;
  /** how many cases the rule rests on */
  m: number;
  /**
   * per case, one row of four: the baseline's sum and number of values, then the candidate's (means and
   * totals need no more). One row per case, not four arrays: a replicate visits the cases in random
   * order, and at 100,000 cases each separate array was another cache miss per visit.
   */
  totals: Float64Array;
  /** per case: the case's outcome code */
  outcome: Uint8Array;
  /** per case: a draw on either side makes the metric unknown (cost with no price) */
  unknown: Uint8Array;
  /** quantiles need the values themselves (kept for quantile rules only) */
  clusters: Sides<Clusters> | undefined;
  se: number | null;
}

export function estimateFalseFailRate(input: {
  cases: CaseRecord[];
  definitions: MetricDefinition[];
  evidence: Map<string, MetricEvidence>;
  rules: GateRule[];
  policy: GatePolicy;
  /** a fixed number of replications (default: adaptive, see falseFailReplications) */
  replications?: number;
  seed?: number;
  table?: ClusterTable;
}): FalseFailRate | null {
  const { cases, definitions, evidence, rules, policy, seed = 1 } = input;
  if (cases.length === 0 || rules.length === 0) return null;
  const limits = input.replications !== undefined ? { min: input.replications, max: input.replications } : falseFailReplications(cases.length);
  const table = input.table ?? createClusterTable(cases);
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const known = [...byName.keys()];
  const prepared = rules.map((rule) => prepare(rule, byName, known, evidence, table));
  const rng = createRng(seed);
  const n = cases.length;
  const u = new Float64Array(n);
  const swap = new Uint8Array(n);
  const failures = new Map<string, number>();
  let failed = 0;
  let replications = 0;
  while (replications < limits.max) {
    // the same draw for every rule, so the rules' failures are as correlated as in a real A/A run
    for (let j = 0; j < n; j++) {
      u[j] = rng.next();
      swap[j] = rng.next() < 0.5 ? 1 : 0;
    }
    const decisions = prepared.map((rule) => decide(rule, u, swap));
    const family = decisions.map((d, i) => (isFamily(prepared[i]?.rule) ? d.p : null));
    const adjusted = policy.multiplicity === "holm" ? holmAdjust(family) : family;
    const fails = decisions.map((d, i) => d.fails(adjusted[i] ?? d.p));
    replications++;
    if (fails.some(Boolean)) {
      failed++;
      fails.forEach((fail, i) => {
        const label = prepared[i]?.label ?? "";
        if (fail) failures.set(label, (failures.get(label) ?? 0) + 1);
      });
    }
    if (replications >= limits.min && replications % BATCH === 0) {
      const rate = failed / replications;
      if (Math.sqrt((rate * (1 - rate)) / replications) <= TARGET_SE) break;
    }
  }
  const drivenBy = [...failures.entries()]
    .filter(([, count]) => count / replications >= 0.02)
    .sort((a, b) => b[1] - a[1])
    .map(([label]) => label);
  return { rate: failed / replications, replications, seed, driven_by: drivenBy };
}

function prepare(
  rule: GateRule,
  byName: Map<string, MetricDefinition>,
  known: string[],
  evidence: Map<string, MetricEvidence>,
  table: ClusterTable,
): Prepared {
  const segment = byName.has(rule.metric) ? undefined : splitSegmentMetric(rule.metric, known);
  const definition = byName.get(segment ? segment.metric : rule.metric);
  const tag = segment?.tag;
  const subset = table.cases(tag);
  const stats = evidence.get(rule.metric)?.target(ruleTarget(rule).k);
  const interval = stats?.interval(0.95);
  const se = stats?.se ?? (interval ? (interval[1] - interval[0]) / (2 * normalQuantile(0.975)) : null);
  const label = `${rule.metric} ${rule.bound_text}${rule.mode === "point" ? "" : ` (${rule.mode})`}`;
  const none = buildClusters(0, () => []);
  const clusters = {
    baseline: definition ? table.clusters(definition, "baseline", tag) : none,
    candidate: definition ? table.clusters(definition, "candidate", tag) : none,
  };
  const m = subset.length;
  const totals = new Float64Array(4 * m);
  const columns = [
    clusterSums(clusters.baseline),
    clusterSizes(clusters.baseline),
    clusterSums(clusters.candidate),
    clusterSizes(clusters.candidate),
  ];
  columns.forEach((column, k) => {
    for (let i = 0; i < m; i++) totals[4 * i + k] = column[i] ?? 0;
  });
  const nullable = definition?.nullable;
  return {
    rule,
    label,
    definition,
    m,
    totals,
    outcome: Uint8Array.from(subset, (c) => codeOf(c.outcome)),
    unknown: Uint8Array.from(subset, (c) => (nullable !== undefined && (c.baseline.some(nullable) || c.candidate.some(nullable)) ? 1 : 0)),
    clusters: definition?.declaration.statistic === "quantile" ? clusters : undefined,
    se,
  };
}

const isFamily = (rule: GateRule | undefined) => rule?.mode === "significant" || rule?.mode === "evidence";

/**
 * A rule on one replicate — case j of the rule's cases is case ⌊u[j]·m⌋, its sides swapped when swap[j]
 * (a segment draws from its own cases with the same uniforms) — as its one-sided p of violation and
 * whether it fails given the family's adjusted p. One pass over the picks sums both sides.
 */
function decide(prepared: Prepared, u: Float64Array, swap: Uint8Array): { p: number | null; fails: (pAdjusted: number | null) => boolean } {
  const never = { p: null, fails: () => false };
  const { rule, definition, se, m } = prepared;
  if (!definition || m === 0) return never;
  const target = ruleTarget(rule);
  const { statistic } = definition.declaration;
  const sides = { baseline: { sum: 0, count: 0 }, candidate: { sum: 0, count: 0 } };
  let regressions = 0;
  let improvements = 0;
  let unknown = false;
  const picked: Sides<Float64Array[]> = { baseline: [], candidate: [] };
  const { totals } = prepared;
  for (let j = 0; j < m; j++) {
    const index = Math.floor((u[j] ?? 0) * m);
    const swapped = swap[j] === 1;
    if (prepared.unknown[index] === 1) unknown = true;
    const code = prepared.outcome[index];
    if (code === (swapped ? IMPROVEMENT : REGRESSION)) regressions++;
    else if (code === (swapped ? REGRESSION : IMPROVEMENT)) improvements++;
    const from = swapped ? SWAPPED : STRAIGHT;
    const row = index * 4;
    // a swapped case's baseline is its candidate, and the other way round
    const base = swapped ? row + 2 : row;
    const cand = swapped ? row : row + 2;
    sides.baseline.sum += totals[base] ?? 0;
    sides.baseline.count += totals[base + 1] ?? 0;
    sides.candidate.sum += totals[cand] ?? 0;
    sides.candidate.count += totals[cand + 1] ?? 0;
    if (prepared.clusters) {
      picked.baseline.push(clusterValues(prepared.clusters[from.baseline], index));
      picked.candidate.push(clusterValues(prepared.clusters[from.candidate], index));
    }
  }
  // unpriced draws on either side can land on this side once swapped
  const value = (side: "baseline" | "candidate"): number | null => {
    if (unknown) return null;
    if (statistic === "count") return rule.metric.endsWith("improvements") ? improvements : regressions;
    if (statistic === "quantile")
      return metricValue(
        definition,
        buildClusters(m, (j) => picked[side][j] ?? []),
        [],
        side,
      );
    const { sum, count } = sides[side];
    if (count === 0) return null;
    return statistic === "sum" ? sum : sum / count;
  };
  const candidate = value("candidate");
  if (candidate === null) return never;
  if (statistic === "count") {
    const over = candidate > target.limit;
    const p = over && rule.metric.endsWith("regressions") ? mcnemarGreater(regressions, improvements) : null;
    return { p, fails: (adjusted) => over && (rule.mode === "point" || rule.mode === "non-inferior" || (adjusted !== null && adjusted < ALPHA)) };
  }
  const baseline = target.k === 0 ? 0 : value("baseline");
  if (baseline === null) return never;
  const estimate = candidate - target.k * baseline;
  const sign = target.violation === "above" ? 1 : -1;
  const beyond = sign * (estimate - target.limit) > 1e-12;
  if (rule.mode === "point") return { p: null, fails: () => beyond };
  if (se === null || !(se > 0)) return rule.mode === "non-inferior" ? { p: null, fails: () => true } : never;
  const z = (sign * (estimate - target.limit)) / se;
  const pViolation = 1 - normalCdf(z);
  if (rule.mode === "non-inferior") return { p: null, fails: () => !(-z > Z) };
  return { p: pViolation, fails: (adjusted) => adjusted !== null && adjusted < ALPHA };
}

/** The warning the terminal and reports show when the gate would often fail an unchanged candidate. */
export function falseFailWarning(rate: FalseFailRate | null | undefined): string | undefined {
  if (!rate || rate.rate <= FALSE_FAIL_WARNING) return undefined;
  const drivers = rate.driven_by.length > 0 ? `, mostly through ${rate.driven_by.slice(0, 3).join(", ")}` : "";
  return `this gate would fail a candidate identical to the baseline in ~${Math.round(rate.rate * 100)}% of runs at this n${drivers}: use mode significant or evidence for noisy rules, or more cases (modelgate plan)`;
}
