/**
 * One window's verdict (SPEC §11): `fail` if any rollback rule fails; else `pass` if every promote rule
 * passes; else `inconclusive` (fewer than `min_requests` per arm included). Rules are the gate's
 * (evaluateGate) on the window's evidence — paired when every line carries both arms, else unpaired and
 * stratified by `compare_within` — tested at the per-window sequential levels.
 */
import { splitSegmentMetric } from "../aggregate/metric-names.js";
import { casesTagged, type MetricDefinition } from "../aggregate/metrics.js";
import { compareMetrics, type MetricEvidence } from "../compare/compare.js";
import { evaluateGate } from "../gate/evaluate.js";
import type { CaseRecord, Comparison, GatePolicy, GateResult, GateRule } from "../types.js";
import type { CanaryPlan } from "./plan.js";
import { atLevel, windowAlpha } from "./sequential.js";
import { unpairedEvidence } from "./unpaired.js";
import { maxLooks, type WindowSlot } from "./windows.js";

export type WindowVerdict = "pass" | "fail" | "inconclusive";

export interface WindowJudgement extends WindowSlot {
  n: { baseline: number; candidate: number };
  pairing: "paired" | "unpaired";
  verdict: WindowVerdict;
  /** the rule that decided the verdict (the first failing rollback rule, the first promote rule short of passing) */
  deciding_rule: string | null;
  reason: string;
  /** one-sided per-window levels the rules were tested at */
  alpha: { rollback: number; promote: number };
  rollback: GateResult | null;
  promote: GateResult | null;
  /** the evidence behind the rules (empty below min_requests), for the window's report */
  comparison: Comparison[];
}

export type PlanRules = Pick<CanaryPlan, "min_requests" | "compare_within" | "promote" | "rollback" | "window_ms" | "max_duration_ms">;

const policy: GatePolicy = { multiplicity: "holm", on_inconclusive: "hold" };

/** The per-window levels of a plan's two rule families. */
export function planAlphas(plan: PlanRules): { rollback: number; promote: number } {
  const looks = maxLooks(plan);
  return { rollback: windowAlpha(looks, plan.rollback.windows), promote: windowAlpha(looks, plan.promote.consecutive) };
}

/** The stratum of a case: its values of the compare_within tags (`tenant` → `tenant:beta`). */
export function stratumKey(tags: readonly string[], within: readonly string[]): string {
  return within.map((name) => tags.find((tag) => tag.startsWith(`${name}:`)) ?? `${name}:`).join("|");
}

export function judgeWindow(plan: PlanRules, definitions: MetricDefinition[], slot: WindowSlot, cases: CaseRecord[]): WindowJudgement {
  const n = { baseline: cases.filter((c) => c.baseline.length > 0).length, candidate: cases.filter((c) => c.candidate.length > 0).length };
  const pairing: WindowJudgement["pairing"] =
    cases.length > 0 && cases.every((c) => c.baseline.length > 0 && c.candidate.length > 0) ? "paired" : "unpaired";
  const alpha = planAlphas(plan);
  const base = { ...slot, n, pairing, alpha, comparison: [] as Comparison[] };
  if (Math.min(n.baseline, n.candidate) < plan.min_requests) {
    const reason = `n = ${n.candidate} candidate / ${n.baseline} baseline requests, fewer than min_requests ${plan.min_requests} per arm: inconclusive`;
    return { ...base, verdict: "inconclusive", deciding_rule: null, reason, rollback: null, promote: null };
  }
  // Seeded by the window's start: a re-run of the same window gives the same numbers, whatever ran before.
  const seed = Math.floor(slot.start_ms / 1000) % 2147483647;
  const evidence = windowEvidence(
    [...plan.rollback.rules, ...plan.promote.rules].map((r) => r.metric),
    definitions,
    cases,
    pairing,
    plan.compare_within,
    seed,
  );
  base.comparison = [...evidence.values()].map((e) => e.comparison);
  const gate = (rules: GateRule[], level: number) =>
    evaluateGate(rules, new Map([...evidence].map(([name, e]) => [name, atLevel(e, level)])), policy);
  const rollback = gate(plan.rollback.rules, alpha.rollback);
  const failing = rollback.rules.find((r) => r.verdict === "fail");
  if (failing) {
    return { ...base, verdict: "fail", deciding_rule: failing.metric, reason: `rollback rule failed: ${failing.reason}`, rollback, promote: null };
  }
  const promote = gate(plan.promote.rules, alpha.promote);
  const short = promote.rules.find((r) => r.verdict !== "pass");
  if (!short) return { ...base, verdict: "pass", deciding_rule: null, reason: "every promote rule passed", rollback, promote };
  return {
    ...base,
    verdict: "inconclusive",
    deciding_rule: short.metric,
    reason: `promote rule not passed (${short.verdict}): ${short.reason}`,
    rollback,
    promote,
  };
}

/** Evidence for each named metric (segments by tag), paired as in eval or unpaired. */
export function windowEvidence(
  names: string[],
  definitions: MetricDefinition[],
  cases: CaseRecord[],
  pairing: "paired" | "unpaired",
  within: readonly string[],
  seed: number,
): Map<string, MetricEvidence> {
  if (pairing === "paired") return compareMetrics(names, definitions, cases, { seed, gated: new Set(names) });
  const byName = new Map(definitions.map((d) => [d.name, d]));
  const known = [...byName.keys()];
  const stratumOf = within.length > 0 ? (c: CaseRecord) => stratumKey(c.tags, within) : undefined;
  const result = new Map<string, MetricEvidence>();
  for (const name of new Set(names)) {
    const segment = byName.has(name) ? undefined : splitSegmentMetric(name, known);
    const definition = byName.get(name) ?? (segment && byName.get(segment.metric));
    if (!definition) continue;
    const subset = segment ? casesTagged(cases, segment.tag) : cases;
    result.set(name, unpairedEvidence(definition, name, subset, { ...(stratumOf ? { stratumOf } : {}), seed }));
  }
  return result;
}
