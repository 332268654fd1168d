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
import { casesTagged, clustersOf, type MetricDefinition, metricValue } from "../aggregate/metrics.js";
import type { MetricEvidence } from "../compare/compare.js";
import { createRng, holmAdjust, mcnemarGreater, normalCdf, normalQuantile } from "../stats/index.js";
import type { CaseOutcome, CaseRecord, FalseFailRate, GatePolicy, GateRule } from "../types.js";
import { ALPHA, ruleTarget } from "./evaluate.js";

/**
 * Replications: 400 up to 1,000 cases, fewer above, never under 200 (each costs a pass over the cases).
 * The figure is a warning, not a verdict: ±1.1 points (one standard error) at a 5% rate with 400, ±1.5
 * with 200 — enough to tell a 5% gate from a 30% one, and cheap next to the run (`npm run bench`).
 */
export function falseFailReplications(cases: number): number {
  return Math.max(200, Math.min(400, Math.floor(400_000 / Math.max(1, cases))));
}
/** Above this the terminal and reports warn. */
export const FALSE_FAIL_WARNING = 0.1;

const swapped: Record<CaseOutcome, CaseOutcome> = {
  regression: "improvement",
  improvement: "regression",
  pass: "pass",
  fail: "fail",
  error: "error",
};
const Z = normalQuantile(1 - ALPHA);

/** One rule, ready to replicate: its metric's definition and cases, and the run's standard error for it. */
interface Prepared {
  rule: GateRule;
  label: string;
  definition: MetricDefinition | undefined;
  /** the rule's cases (a segment's: those with the tag) and their clusters, built once */
  cases: CaseRecord[];
  clusters: { baseline: number[][]; candidate: number[][] };
  /** per case and side: the sum and number of its values (means and totals need no more) */
  totals: Record<"baseline" | "candidate", { sum: number[]; count: number[] }>;
  /** per case: a draw on either side makes the metric unknown (cost with no price) */
  unknown: boolean[];
  se: number | null;
}

/** A replicate: case j is case `index` of the rule's cases, with its sides swapped when `swap`. */
type Pick = { index: number; swap: boolean };

export function estimateFalseFailRate(input: {
  cases: CaseRecord[];
  definitions: MetricDefinition[];
  evidence: Map<string, MetricEvidence>;
  rules: GateRule[];
  policy: GatePolicy;
  replications?: number;
  seed?: number;
}): FalseFailRate | null {
  const { cases, definitions, evidence, rules, policy, seed = 1 } = input;
  const replications = input.replications ?? falseFailReplications(cases.length);
  if (cases.length === 0 || rules.length === 0) return null;
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const known = [...byName.keys()];
  const prepared: Prepared[] = rules.map((rule) => {
    const segment = byName.has(rule.metric) ? undefined : splitSegmentMetric(rule.metric, known);
    const definition = byName.get(segment ? segment.metric : rule.metric);
    const subset = segment ? casesTagged(cases, segment.tag) : cases;
    const stats = evidence.get(rule.metric)?.target(ruleTarget(rule).k);
    const interval = stats?.interval(0.95);
    const se = stats?.se ?? (interval ? (interval[1] - interval[0]) / (2 * normalQuantile(0.975)) : null);
    const label = `${rule.metric} ${rule.bound_text}${rule.mode === "point" ? "" : ` (${rule.mode})`}`;
    const clusters = {
      baseline: definition ? clustersOf(definition, subset, "baseline") : [],
      candidate: definition ? clustersOf(definition, subset, "candidate") : [],
    };
    const nullable = definition?.nullable;
    const unknown = subset.map((c) => nullable !== undefined && (c.baseline.some(nullable) || c.candidate.some(nullable)));
    const totalsOf = (side: "baseline" | "candidate") => ({
      sum: clusters[side].map((values) => values.reduce((a, b) => a + b, 0)),
      count: clusters[side].map((values) => values.length),
    });
    const totals = { baseline: totalsOf("baseline"), candidate: totalsOf("candidate") };
    return { rule, label, definition, cases: subset, clusters, totals, unknown, se };
  });
  const rng = createRng(seed);
  const failures = new Map<string, number>();
  let failed = 0;
  for (let r = 0; r < replications; r++) {
    // the same draw for every rule, so the rules' failures are as correlated as in a real A/A run
    const draws = cases.map(() => ({ u: rng.next(), swap: rng.next() < 0.5 }));
    const decisions = prepared.map((rule) => {
      // a segment draws from its own cases, with the same uniforms
      const picks = rule.cases.map((_, j) => {
        const draw = draws[j] as { u: number; swap: boolean };
        return { index: Math.floor(draw.u * rule.cases.length), swap: draw.swap };
      });
      return decide(rule, picks);
    });
    const family = decisions.map((d, i) => (isFamily(prepared[i]?.rule) ? d.p : null));
    const adjusted = policy.multiplicity === "holm" ? holmAdjust(family) : family;
    const fails = decisions.map((d, i) => d.fails(adjusted[i] ?? d.p));
    if (!fails.some(Boolean)) continue;
    failed++;
    fails.forEach((fail, i) => {
      const label = prepared[i]?.label ?? "";
      if (fail) failures.set(label, (failures.get(label) ?? 0) + 1);
    });
  }
  const drivenBy = [...failures.entries()]
    .filter(([, count]) => count / replications >= 0.02)
    .sort((a, b) => b[1] - a[1])
    .map(([label]) => label);
  return { rate: failed / replications, replications, seed, driven_by: drivenBy };
}

const isFamily = (rule: GateRule | undefined) => rule?.mode === "significant" || rule?.mode === "evidence";

/** A rule on one replicate: its one-sided p of violation, and whether it fails given the family's adjusted p. */
function decide(prepared: Prepared, picks: Pick[]): { p: number | null; fails: (pAdjusted: number | null) => boolean } {
  const never = { p: null, fails: () => false };
  const { rule, definition, se, clusters } = prepared;
  if (!definition || picks.length === 0) return never;
  const target = ruleTarget(rule);
  const outcomes = picks.map(({ index, swap }) => {
    const outcome = prepared.cases[index]?.outcome ?? "error";
    return swap ? swapped[outcome] : outcome;
  });
  const value = (side: "baseline" | "candidate") => {
    const other = side === "baseline" ? "candidate" : "baseline";
    // unpriced draws on either side can land on this side once swapped
    if (picks.some(({ index }) => prepared.unknown[index])) return null;
    const { statistic } = definition.declaration;
    if (statistic === "count") {
      return outcomes.filter((outcome) => outcome === (rule.metric.endsWith("improvements") ? "improvement" : "regression")).length;
    }
    if (statistic === "quantile")
      return metricValue(
        definition,
        picks.map(({ index, swap }) => clusters[swap ? other : side][index] ?? []),
        [],
        side,
      );
    let sum = 0;
    let count = 0;
    for (const { index, swap } of picks) {
      const totals = prepared.totals[swap ? other : side];
      sum += totals.sum[index] ?? 0;
      count += totals.count[index] ?? 0;
    }
    if (count === 0) return null;
    return statistic === "sum" ? sum : sum / count;
  };
  const candidate = value("candidate");
  if (candidate === null) return never;
  if (definition.declaration.statistic === "count") {
    const regressions = outcomes.filter((outcome) => outcome === "regression").length;
    const improvements = outcomes.filter((outcome) => outcome === "improvement").length;
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
