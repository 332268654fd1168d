import { suggest } from "../errors.js";
import type { Check } from "../types.js";
import { checkInfo, metricDefinitions } from "./metrics.js";

/** Every metric name a rubric's checks make available (without segments). */
export function metricNames(checks: Check[]): string[] {
  return metricDefinitions(checks.map(checkInfo)).map((definition) => definition.name);
}

/**
 * Checks a gate metric name; returns a problem or undefined. `segment.<tag>.<metric>` is accepted for any
 * tag (the tag may be absent from this dataset: the rule then has no cases and is skipped with that reason).
 */
export function validateMetricName(metric: string, known: readonly string[]): string | undefined {
  if (known.includes(metric)) return undefined;
  if (metric.startsWith("segment.")) {
    const rest = metric.slice("segment.".length);
    const inner = known.find((name) => rest.endsWith(`.${name}`) && rest.length > name.length + 1);
    if (inner) return undefined;
    return `unknown metric "${metric}": expected segment.<tag>.<metric>, where <metric> is one of ${known.join(", ")}`;
  }
  return `unknown metric "${metric}"${suggest(metric, known)} (known: ${known.join(", ")}, segment.<tag>.<metric>)`;
}

/** `segment.tenant:acme.pass_rate` → { tag: "tenant:acme", metric: "pass_rate" } */
export function splitSegmentMetric(metric: string, known: readonly string[]): { tag: string; metric: string } | undefined {
  if (!metric.startsWith("segment.")) return undefined;
  const rest = metric.slice("segment.".length);
  const inner = [...known].sort((a, b) => b.length - a.length).find((name) => rest.endsWith(`.${name}`) && rest.length > name.length + 1);
  return inner ? { tag: rest.slice(0, rest.length - inner.length - 1), metric: inner } : undefined;
}
