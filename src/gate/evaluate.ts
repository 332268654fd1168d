import { isCountMetric } from "../aggregate/metric-names.js";
import { describeBound, formatDelta, formatPValue, formatValue } from "../report/format.js";
import type { Comparison, GateResult, GateRule, GateRuleResult } from "../types.js";

/** What a rule tests: a value (and its interval) against a limit, in one direction. */
interface RuleTarget {
  value: number | null;
  interval: [number, number] | null;
  limit: number;
  /** "le": value must be <= limit; "ge": value must be >= limit */
  direction: "le" | "ge";
  what: string;
}

function targetOf(rule: GateRule, comparison: Comparison): RuleTarget | string {
  const { bound } = rule;
  if (bound.max !== undefined)
    return { value: comparison.candidate, interval: comparison.candidate_ci ?? null, limit: bound.max, direction: "le", what: "candidate" };
  if (bound.min !== undefined)
    return { value: comparison.candidate, interval: comparison.candidate_ci ?? null, limit: bound.min, direction: "ge", what: "candidate" };
  const relative = bound.relative === true;
  if (relative && (comparison.baseline === null || comparison.baseline === 0)) {
    return `a relative bound needs a non-zero baseline value (baseline: ${comparison.baseline ?? "none"})`;
  }
  const scale = relative ? Math.abs(comparison.baseline ?? 0) : 1;
  if (bound.max_drop !== undefined)
    return { value: comparison.delta, interval: comparison.ci, limit: -bound.max_drop * scale, direction: "ge", what: "delta" };
  return { value: comparison.delta, interval: comparison.ci, limit: (bound.max_increase ?? 0) * scale, direction: "le", what: "delta" };
}

const within = (value: number, target: RuleTarget) => (target.direction === "le" ? value <= target.limit + 1e-12 : value >= target.limit - 1e-12);

/**
 * Judges one rule (SPEC §6). `point` rests on the estimate; `significant` fails only when the whole
 * interval violates the bound (or, for counts, when McNemar says the excess is significant);
 * `non-inferior` passes only when the whole interval is within it. A rule with no value fails.
 */
export function evaluateRule(rule: GateRule, comparison: Comparison): GateRuleResult {
  const base = { ...comparison, bound: rule.bound, bound_text: rule.bound_text, mode: rule.mode };
  const target = targetOf(rule, comparison);
  if (typeof target === "string") return { ...base, verdict: "fail", inconclusive: false, reason: `${rule.metric}: ${target}: fail` };
  if (target.value === null) {
    return {
      ...base,
      verdict: "fail",
      inconclusive: false,
      reason: `${rule.metric}: no value on this run (${noValueWhy(rule.metric, comparison)}): fail`,
    };
  }
  const pointOk = within(target.value, target);
  const interval = target.interval;
  const intervalOk = interval ? within(target.direction === "le" ? interval[1] : interval[0], target) : null;
  const intervalViolates = interval ? !within(target.direction === "le" ? interval[0] : interval[1], target) : null;
  const inconclusive = interval !== null && intervalOk === false && intervalViolates === false;
  let verdict: "pass" | "fail";
  if (rule.mode === "point") verdict = pointOk ? "pass" : "fail";
  else if (rule.mode === "significant") {
    if (pointOk) verdict = "pass";
    else if (isCountMetric(rule.metric) || interval === null) verdict = comparison.p_value === null || comparison.p_value < 0.05 ? "fail" : "pass";
    else verdict = intervalViolates ? "fail" : "pass";
  } else verdict = interval === null ? (isCountMetric(rule.metric) && pointOk ? "pass" : "fail") : intervalOk ? "pass" : "fail";
  const casesNeeded = inconclusive && interval ? casesToSettle(target, interval, comparison.n) : undefined;
  return {
    ...base,
    verdict,
    inconclusive,
    ...(casesNeeded !== undefined ? { cases_needed: casesNeeded } : {}),
    reason: describe(rule, comparison, target, verdict, inconclusive, casesNeeded),
  };
}

/** The gate: every rule, and the verdict (fail when any rule fails). */
export function evaluateGate(rules: GateRule[], comparisons: Map<string, Comparison>): GateResult {
  const results = rules.map((rule) =>
    evaluateRule(
      rule,
      comparisons.get(rule.metric) ?? {
        metric: rule.metric,
        baseline: null,
        candidate: null,
        delta: null,
        ci: null,
        p_value: null,
        method: "",
        n: 0,
      },
    ),
  );
  return { verdict: results.every((result) => result.verdict === "pass") ? "pass" : "fail", rules: results };
}

/**
 * Cases that would make the interval clear the bound, assuming the same effect and variance: the
 * interval's half-width shrinks with 1/sqrt(n), so n' = n · (half-width / distance to the bound)².
 */
function casesToSettle(target: RuleTarget, interval: [number, number], n: number): number | null {
  const value = target.value ?? 0;
  // the interval's arm that reaches across the bound (intervals may be asymmetric, e.g. Newcombe's)
  const arm = target.limit >= value ? interval[1] - value : value - interval[0];
  const distance = Math.abs(value - target.limit);
  if (n <= 0 || distance < 1e-9 || arm <= 0) return null;
  return Math.max(n + 1, Math.ceil(n * (arm / distance) ** 2));
}

function noValueWhy(metric: string, comparison: Comparison): string {
  if (metric.includes("cost.")) return "no price known for a model: add `pricing:` to the variant";
  if (metric.startsWith("segment.") && comparison.n === 0) return "no case carries this tag";
  if (metric.startsWith("latency.")) return "no successful uncached request";
  return "nothing was scored";
}

function describe(
  rule: GateRule,
  comparison: Comparison,
  target: RuleTarget,
  verdict: string,
  inconclusive: boolean,
  casesNeeded: number | null | undefined,
): string {
  const metric = rule.metric;
  const shown =
    target.what === "delta"
      ? `${metric} ${formatDelta(metric, target.value ?? 0)} (${formatValue(metric, comparison.baseline)} → ${formatValue(metric, comparison.candidate)})`
      : `${metric} ${formatValue(metric, target.value)}`;
  const interval = target.interval ? `, CI [${formatEnd(metric, target, target.interval[0])}, ${formatEnd(metric, target, target.interval[1])}]` : "";
  const p = comparison.p_value !== null && rule.mode !== "point" ? `, p=${formatPValue(comparison.p_value)}` : "";
  const bound = `${describeBound(rule.bound, rule.bound_text)}${rule.mode === "point" ? "" : ` (${rule.mode})`}`;
  const settle = inconclusive ? `; inconclusive at n=${comparison.n}${casesNeeded ? `, ~${casesNeeded} cases would settle it` : ""}` : "";
  return `${shown}${interval}${p}, bound ${bound}: ${verdict}${settle}`;
}

function formatEnd(metric: string, target: RuleTarget, value: number): string {
  return target.what === "delta" ? formatDelta(metric, value) : formatValue(metric, value);
}
