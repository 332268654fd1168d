import { splitSegmentMetric } from "./aggregate/metric-names.js";
import { computeMetrics, createClusterTable, type MetricDefinition, metricDefinitions, segmentTagsOf } from "./aggregate/metrics.js";
import { compareMetrics } from "./compare/compare.js";
import { DEFAULT_POLICY, evaluateGate } from "./gate/evaluate.js";
import { estimateFalseFailRate } from "./gate/false-fail.js";
import type { CaseRecord, CheckInfo, Comparison, GatePolicy, GateResult, GateRule, RunReport } from "./types.js";

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
  policy?: GatePolicy;
  /** replications of the false-fail estimate (0: leave it out) */
  falseFailReplications?: number;
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
  // One table of clusters for every stage below; only what gate rules read stays in it throughout.
  const gated = new Set(input.gate.map((rule) => rule.metric));
  const known = definitions.map((definition) => definition.name);
  const gatedDefinitions = new Set([...gated].map((name) => splitSegmentMetric(name, known)?.metric ?? name));
  const table = createClusterTable(input.cases, (definition) => gatedDefinitions.has(definition.name));
  const metrics = computeMetrics(input.cases, definitions, segmentTags, table);
  const evidence = compareMetrics(names, definitions, input.cases, { gated, table });
  const policy = input.policy ?? DEFAULT_POLICY;
  const gate = evaluateGate(input.gate, evidence, policy);
  if (input.gate.length > 0 && input.falseFailReplications !== 0) {
    gate.false_fail_rate = estimateFalseFailRate({
      cases: input.cases,
      definitions,
      evidence,
      rules: input.gate,
      policy,
      table,
      ...(input.falseFailReplications !== undefined ? { replications: input.falseFailReplications } : {}),
    });
  }
  return { metrics, comparison: [...evidence.values()].map((e) => e.comparison), gate };
}
