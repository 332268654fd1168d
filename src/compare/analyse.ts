import { clustersOf, type MetricDefinition, metricDefinitions, metricValue, segmentTagsOf } from "../aggregate/metrics.js";
import { evaluateGate } from "../gate/evaluate.js";
import type { CaseReport, CheckInfo, Comparison, GateResult, GateRule, MetricValues, RunReport } from "../types.js";
import { type ComparisonPlan, createComparisonPlan } from "./compare.js";

export interface Analysis {
  metrics: RunReport["metrics"];
  comparison: Comparison[];
  gate: GateResult;
}

/**
 * aggregate → compare → gate over a set of finished cases. Pure, and the one place these stages are
 * composed, so `eval` and `merge` (of shard reports) compute exactly the same numbers.
 */
export function analyse(input: {
  cases: CaseReport[];
  checks: CheckInfo[];
  gate: GateRule[];
  segments?: string[];
  cachedLatency?: boolean;
}): Analysis {
  const definitions: MetricDefinition[] = metricDefinitions(input.checks, { includeCachedLatency: input.cachedLatency === true });
  const segmentTags = segmentTagsOf(input.cases, input.segments);
  const names = [
    ...new Set([
      ...input.gate.map((rule) => rule.metric),
      ...definitions.map((definition) => definition.name),
      ...segmentTags.map((tag) => `segment.${tag}.pass_rate`),
    ]),
  ];
  const candidateIntervals = new Set(
    input.gate.filter((rule) => rule.bound.max !== undefined || rule.bound.min !== undefined).map((rule) => rule.metric),
  );
  const plan = createComparisonPlan(definitions, input.cases, { candidateIntervals });
  const metrics = computeAndPlan(input.cases, definitions, segmentTags, plan, new Set(names));
  const comparison = plan.finish(names);
  const gate = evaluateGate(input.gate, new Map(comparison.map((c) => [c.metric, c])));
  return { metrics, comparison, gate };
}

/**
 * `computeMetrics` (src/aggregate/metrics.ts) to the same numbers and key order, built for speed: a
 * case's cluster depends on nothing but the case, so each definition's clusters are built once over
 * all cases and a segment takes its cases' clusters from them; and the clusters of the metrics to be
 * compared go straight into the comparison plan. One definition's clusters at a time are alive.
 */
function computeAndPlan(
  cases: CaseReport[],
  definitions: MetricDefinition[],
  segmentTags: string[],
  plan: ComparisonPlan,
  compared: ReadonlySet<string>,
): { baseline: MetricValues; candidate: MetricValues } {
  const subsets = [
    { prefix: "", cases, indices: null },
    ...segmentTags.map((tag) => {
      const indices = cases.flatMap((testCase, i) => (testCase.tags.includes(tag) ? [i] : []));
      return { prefix: `segment.${tag}.`, cases: indices.map((i) => cases[i] as CaseReport), indices };
    }),
  ];
  const result = { baseline: {} as MetricValues, candidate: {} as MetricValues };
  // computeMetrics' key order (subset by subset), though the values are filled definition by definition.
  for (const subset of subsets) {
    for (const definition of definitions) {
      result.baseline[`${subset.prefix}${definition.name}`] = null;
      result.candidate[`${subset.prefix}${definition.name}`] = null;
    }
  }
  for (const definition of definitions) {
    const all = { baseline: clustersOf(definition, cases, "baseline"), candidate: clustersOf(definition, cases, "candidate") };
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
      if (compared.has(name)) plan.add(definition, name, { cases: subset.cases, baseline, candidate, values });
    }
  }
  return result;
}
