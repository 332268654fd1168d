/**
 * `modelgate plan` (SPEC §6): per rule, the cases a rule needs for 80% power at its bound, from a pilot
 * run's effect and spread, and the gate's false-fail rate at the pilot's n. Pure: the command reads.
 */
import { metricDefinitions } from "../aggregate/metrics.js";
import { compareMetrics } from "../compare/compare.js";
import { caseOutcome } from "../score/outcome.js";
import { binomialCdf, casesForPower, clopperPearson, createRng } from "../stats/index.js";
import type { CaseRecord, CheckInfo, FalseFailRate, GatePolicy, GateRule, RunRecord } from "../types.js";
import { evaluateGate, ruleTarget, unchangedOf } from "./evaluate.js";
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

export function planGate(input: {
  cases: CaseRecord[];
  checks: CheckInfo[];
  rules: GateRule[];
  policy: GatePolicy;
  /** the cases stand for stated rates, not a pilot: their effect is known, not estimated */
  stated?: boolean;
}): {
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
    const needed = stats?.se
      ? casesForPower({
          se: stats.se,
          n,
          effect: stats.estimate,
          bound: target.limit,
          known: input.stated === true,
          ...(result ? unchangedOf(target, result) : {}),
        })
      : null;
    return { rule, n, estimate: stats?.estimate ?? result?.candidate ?? null, cases_needed: needed, verdict: result?.verdict ?? "skipped" };
  });
  const falseFail = estimateFalseFailRate({ cases: input.cases, definitions, evidence, rules: input.rules, policy: input.policy });
  return { rules, false_fail_rate: falseFail };
}

/** A rate the user states for a metric (`--rate pass_rate=0.92`), for planning before any pilot run. */
export interface StatedRate {
  metric: string;
  rate: number;
}

/**
 * The same plan from stated rates instead of a pilot: for each rule on a rate (a proportion in [0, 1])
 * that has a stated rate, `n` single-draw cases in which both sides have that rate and no difference —
 * the rule's own check, passing on each side independently, laid out in the exact expected counts
 * (n·p² both pass, n·p(1−p) each way, the rest both fail) — and the rules independent of each other
 * (each one's layout shuffled with its own seed). Rules with no stated rate, or on a metric that is not
 * a rate, are left out and named. Pure.
 */
export function planFromRates(input: {
  rates: StatedRate[];
  n: number;
  rules: GateRule[];
  policy: GatePolicy;
  isRate: (metric: string) => boolean;
}): {
  rules: RulePlan[];
  false_fail_rate: FalseFailRate | null;
  unplanned: Array<{ rule: GateRule; reason: string }>;
} {
  const rateOf = new Map(input.rates.map((stated) => [stated.metric, stated.rate]));
  const unplanned: Array<{ rule: GateRule; reason: string }> = [];
  const planned: Array<{ rule: GateRule; rate: number; id: string }> = [];
  input.rules.forEach((rule, i) => {
    const rate = rateOf.get(rule.metric);
    if (!input.isRate(rule.metric)) unplanned.push({ rule, reason: "not a rate: plan it from a pilot run (--from)" });
    else if (rate === undefined) unplanned.push({ rule, reason: `no rate stated (--rate ${rule.metric}=…)` });
    else planned.push({ rule, rate, id: `r${i}` });
  });
  const { n } = input;
  const layouts = planned.map(({ rate }, i) => {
    const both = Math.round(n * rate * rate);
    const each = Math.round(n * rate * (1 - rate));
    const pairs: Array<{ baseline: boolean; candidate: boolean }> = Array.from({ length: n }, (_, j) =>
      j < both
        ? { baseline: true, candidate: true }
        : j < both + each
          ? { baseline: true, candidate: false }
          : j < both + 2 * each
            ? { baseline: false, candidate: true }
            : { baseline: false, candidate: false },
    );
    const rng = createRng(1000 + i);
    for (let j = n - 1; j > 0; j--) {
      const k = rng.int(j + 1);
      [pairs[j], pairs[k]] = [pairs[k] as (typeof pairs)[number], pairs[j] as (typeof pairs)[number]];
    }
    return pairs;
  });
  const draw = (j: number, side: "baseline" | "candidate"): RunRecord => ({
    repeat: 0,
    usage: null,
    latency_ms: null,
    cost_usd: null,
    attempts: 1,
    cached: false,
    error: null,
    checks: Object.fromEntries(
      planned.map(({ id }, i) => {
        const passed = layouts[i]?.[j]?.[side] === true;
        return [id, { status: passed ? "pass" : "fail", score: passed ? 1 : 0, reason: "stated rate" }];
      }),
    ),
  });
  const cases: CaseRecord[] = Array.from({ length: n }, (_, j) => {
    const baseline = [draw(j, "baseline")];
    const candidate = [draw(j, "candidate")];
    return { id: `planned-${j}`, tags: [], baseline, candidate, outcome: caseOutcome(baseline, candidate) };
  });
  const checks: CheckInfo[] = planned.map(({ id }) => ({ id, type: "stated-rate", category: id }));
  const rules = planned.map(({ rule, id }) => ({ ...rule, metric: `check.${id}.pass_rate` }));
  const plan = planGate({ cases, checks, rules, policy: input.policy, stated: true });
  // An absolute bound on a stated rate is decided by its exact (Clopper–Pearson) interval: the n comes
  // from that test's exact power, not the normal approximation (which quotes a third of it for 0.5%
  // against 2%, settling ~30% of re-runs).
  plan.rules.forEach((entry, i) => {
    const stated = planned[i];
    if (stated && ruleTarget(stated.rule).k === 0) entry.cases_needed = exactCasesNeeded(stated.rate, ruleTarget(stated.rule).limit, n);
  });
  const restore = (label: string) => planned.reduce((text, { rule, id }) => text.replace(`check.${id}.pass_rate`, rule.metric), label);
  return {
    rules: plan.rules.map((entry, i) => ({ ...entry, rule: planned[i]?.rule ?? entry.rule })),
    false_fail_rate: plan.false_fail_rate && { ...plan.false_fail_rate, driven_by: plan.false_fail_rate.driven_by.map(restore) },
    unplanned,
  };
}

/** Power of the exact test at n: the chance that the Clopper–Pearson interval of Binomial(n, rate) clears `limit` on either side. */
function exactPower(rate: number, limit: number, n: number): number {
  // the interval's ends rise with the count: the counts it clears below `limit` are 0..low, above it high..n
  const lastBelow = lastCount(n, (x) => clopperPearson(x, n, 0.95)[1] < limit);
  const firstAbove = lastCount(n, (x) => !(clopperPearson(x, n, 0.95)[0] > limit)) + 1;
  const below = lastBelow < 0 ? 0 : binomialCdf(lastBelow, n, rate);
  const above = firstAbove > n ? 0 : 1 - binomialCdf(firstAbove - 1, n, rate);
  return below + above;
}

/** The largest count x in 0..n for which `holds` (true up to some x, false after), or −1. */
function lastCount(n: number, holds: (x: number) => boolean): number {
  if (!holds(0)) return -1;
  let lo = 0;
  let hi = n + 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (holds(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The n at which the exact test settles an absolute bound on a rate with 80% power; null on the bound or beyond 10 million. */
function exactCasesNeeded(rate: number, limit: number, n: number): number | null {
  if (Math.abs(rate - limit) < 1e-12) return null;
  let lo = 1;
  let hi = Math.max(2, n);
  while (exactPower(rate, limit, hi) < 0.8) {
    lo = hi;
    hi *= 2;
    if (hi > 10_000_000) return null;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (exactPower(rate, limit, mid) >= 0.8) hi = mid;
    else lo = mid;
  }
  // the exact power saw-tooths in n: step on to an n that has it
  while (exactPower(rate, limit, hi) < 0.8) hi++;
  return hi;
}
