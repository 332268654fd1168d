/**
 * `gate.false_fail_rate` (SPEC §6): how often this gate, with these rules, modes and n, fails a
 * candidate identical to the baseline. Each replication resamples the run's cases with replacement
 * and swaps each case's two sides with probability ½ — under "no difference" the sides are
 * exchangeable — then runs the same comparison and gate. Seeded, so a run always reports the same
 * figure. Pure.
 */
import type { MetricDefinition } from "../aggregate/metrics.js";
import { compareMetrics } from "../compare/compare.js";
import { createRng } from "../stats/index.js";
import type { CaseOutcome, CaseRecord, FalseFailRate, GatePolicy, GateRule } from "../types.js";
import { evaluateGate } from "./evaluate.js";

export const FALSE_FAIL_REPLICATIONS = 200;
/** Resamples per bootstrap inside a replication: the verdict needs the interval's end, not its digits. */
const INNER_RESAMPLES = 200;
/** Above this the terminal and reports warn. */
export const FALSE_FAIL_WARNING = 0.1;

const swapped: Record<CaseOutcome, CaseOutcome> = {
  regression: "improvement",
  improvement: "regression",
  pass: "pass",
  fail: "fail",
  error: "error",
};

export function estimateFalseFailRate(input: {
  cases: CaseRecord[];
  definitions: MetricDefinition[];
  rules: GateRule[];
  policy: GatePolicy;
  replications?: number;
  seed?: number;
}): FalseFailRate | null {
  const { cases, definitions, rules, policy, replications = FALSE_FAIL_REPLICATIONS, seed = 1 } = input;
  if (cases.length === 0 || rules.length === 0) return null;
  const rng = createRng(seed);
  const names = [...new Set(rules.map((rule) => rule.metric))];
  const failures = new Map<string, number>();
  let failed = 0;
  for (let r = 0; r < replications; r++) {
    const resampled = cases.map(() => {
      const testCase = cases[rng.int(cases.length)] as CaseRecord;
      if (rng.next() < 0.5) return testCase;
      return { ...testCase, baseline: testCase.candidate, candidate: testCase.baseline, outcome: swapped[testCase.outcome] };
    });
    const gate = evaluateGate(rules, compareMetrics(names, definitions, resampled, { resamples: INNER_RESAMPLES, seed: seed + r }), policy);
    if (gate.verdict !== "fail") continue;
    failed++;
    for (const rule of gate.rules.filter((result) => result.verdict === "fail")) {
      const label = `${rule.metric} ${rule.bound_text}${rule.mode === "point" ? "" : ` (${rule.mode})`}`;
      failures.set(label, (failures.get(label) ?? 0) + 1);
    }
  }
  const drivenBy = [...failures.entries()]
    .filter(([, count]) => count / replications >= 0.02)
    .sort((a, b) => b[1] - a[1])
    .map(([label]) => label);
  return { rate: failed / replications, replications, seed, driven_by: drivenBy };
}

/** The warning the terminal and reports show when the gate would often fail an unchanged candidate. */
export function falseFailWarning(rate: FalseFailRate | null | undefined): string | undefined {
  if (!rate || rate.rate <= FALSE_FAIL_WARNING) return undefined;
  const drivers = rate.driven_by.length > 0 ? `, mostly through ${rate.driven_by.slice(0, 3).join(", ")}` : "";
  return `this gate would fail a candidate identical to the baseline in ~${Math.round(rate.rate * 100)}% of runs at this n${drivers}: use mode significant or evidence for noisy rules, or more cases (modelgate plan)`;
}
