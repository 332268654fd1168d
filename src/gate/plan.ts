/**
 * `modelgate plan` (SPEC §6): per rule, the cases a rule needs for 80% power at its bound, from a pilot
 * run's effect and spread, and the gate's false-fail rate at the pilot's n. Pure: the command reads.
 */
import { metricDefinitions } from "../aggregate/metrics.js";
import { compareMetrics } from "../compare/compare.js";
import { casesForPower } from "../stats/index.js";
import type { CaseRecord, CheckInfo, FalseFailRate, GatePolicy, GateRule } from "../types.js";
import { evaluateGate, ruleTarget } from "./evaluate.js";
import { estimateFalseFailRate } from "./false-fail.js";

export interface RulePlan {
  rule: GateRule;
  /** cases the rule rests on in the pilot */
  n: number;
  /** the tested quantity in the pilot (candidate, delta, or candidate − (1 ± r)·baseline) */
  estimate: number | null;
  /** cases for 80% power to settle the rule at the pilot's effect and spread; null when it cannot be said */
  cases_needed: number | null;
  verdict: string;
}

export function planGate(input: { cases: CaseRecord[]; checks: CheckInfo[]; rules: GateRule[]; policy: GatePolicy }): {
  rules: RulePlan[];
  false_fail_rate: FalseFailRate | null;
} {
  const definitions = metricDefinitions(input.checks);
  const evidence = compareMetrics(
    input.rules.map((rule) => rule.metric),
    definitions,
    input.cases,
  );
  const gate = evaluateGate(input.rules, evidence, input.policy);
  const rules = input.rules.map((rule, i): RulePlan => {
    const result = gate.rules[i];
    const target = ruleTarget(rule);
    const stats = evidence.get(rule.metric)?.target(target.k);
    const n = result?.n ?? 0;
    const needed = stats?.se ? casesForPower({ se: stats.se, n, effect: stats.estimate, bound: target.limit }) : null;
    return { rule, n, estimate: stats?.estimate ?? result?.candidate ?? null, cases_needed: needed, verdict: result?.verdict ?? "skipped" };
  });
  const falseFail = estimateFalseFailRate({ cases: input.cases, definitions, evidence, rules: input.rules, policy: input.policy });
  return { rules, false_fail_rate: falseFail };
}
