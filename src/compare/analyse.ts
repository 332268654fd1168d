import { computeMetrics, type MetricDefinition, metricDefinitions, segmentTagsOf } from "../aggregate/metrics.js";
import { evaluateGate } from "../gate/evaluate.js";
import type { CaseRecord, CheckInfo, Comparison, GateResult, GateRule, RunReport } from "../types.js";
import { createComparisonPlan } from "./compare.js";

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
  cases: CaseRecord[];
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
  const compared = new Set(names);
  // The clusters of the metrics to compare go straight from aggregation into the comparison plan.
  const metrics = computeMetrics(input.cases, definitions, segmentTags, (definition, name, clusters) => {
    if (compared.has(name)) plan.add(definition, name, clusters);
  });
  const comparison = plan.finish(names);
  const gate = evaluateGate(input.gate, new Map(comparison.map((c) => [c.metric, c])));
  return { metrics, comparison, gate };
}
