/**
 * The gate (SPEC §6): each rule's bound tested on the quantity it names (the candidate's value for
 * `max`/`min`, the paired delta for `max_drop`/`max_increase`, candidate − (1 ± r)·baseline for a
 * relative bound, so the baseline's own uncertainty counts), under its mode; Holm across the
 * `significant` and `evidence` rules; the gate's verdict. Pure.
 */
import { describeBound, formatDelta, formatPValue, formatValue } from "../aggregate/metric-format.js";
import { declarationOf } from "../aggregate/metric-registry.js";
import type { MetricEvidence, Target } from "../compare/compare.js";
import { casesForPower, holmAdjust, mcnemarGreater } from "../stats/index.js";
import type { Comparison, GatePolicy, GateResult, GateRule, GateRuleResult, GateRuleVerdict } from "../types.js";

/** One-sided level of every test: the 95% two-sided interval's end, so "p < α" and "the interval clears" agree. */
export const ALPHA = 0.025;

export const DEFAULT_POLICY: GatePolicy = { multiplicity: "holm", on_inconclusive: "hold" };

/** What a rule tests: candidate − k·baseline against `limit`, violated on `violation`'s side. */
export interface RuleTarget {
  k: number;
  limit: number;
  violation: "above" | "below";
  /** the tested quantity as the reason shows it */
  what: "candidate" | "delta" | "relative";
}

/** The quantity a rule tests and the side of its limit that violates it. */
export function ruleTarget(rule: GateRule): RuleTarget {
  const { bound } = rule;
  if (bound.max !== undefined) return { k: 0, limit: bound.max, violation: "above", what: "candidate" };
  if (bound.min !== undefined) return { k: 0, limit: bound.min, violation: "below", what: "candidate" };
  if (bound.relative) {
    // cand ≥ (1 − r)·base  ⇔  cand − (1 − r)·base ≥ 0; cand ≤ (1 + r)·base  ⇔  cand − (1 + r)·base ≤ 0
    if (bound.max_drop !== undefined) return { k: 1 - bound.max_drop, limit: 0, violation: "below", what: "relative" };
    return { k: 1 + (bound.max_increase ?? 0), limit: 0, violation: "above", what: "relative" };
  }
  if (bound.max_drop !== undefined) return { k: 1, limit: -bound.max_drop, violation: "below", what: "delta" };
  return { k: 1, limit: bound.max_increase ?? 0, violation: "above", what: "delta" };
}

const opposite = (side: "above" | "below") => (side === "above" ? "below" : "above");
const beyond = (value: number, target: RuleTarget) => (target.violation === "above" ? value > target.limit + 1e-12 : value < target.limit - 1e-12);

/** A rule's tests before the multiplicity adjustment. */
interface Tested {
  rule: GateRule;
  comparison: Comparison;
  target: RuleTarget;
  /** null: skipped (no value on the selected cases) */
  estimate: number | null;
  stats: Target | null;
  counts?: { regressions: number; improvements: number };
  /** evidence that the bound is violated */
  pViolation: number | null;
  /** evidence that the bound is met */
  pMet: number | null;
  skipReason?: string;
  /** no value because draws failed (not because the selection removed the cases): undecided, not skipped */
  errored?: boolean;
}

function test(rule: GateRule, evidence: MetricEvidence | undefined): Tested {
  const target = ruleTarget(rule);
  const comparison = evidence?.comparison ?? emptyComparison(rule.metric);
  const base = { rule, comparison, target, stats: null, pViolation: null, pMet: null };
  if (!evidence || comparison.candidate === null || (target.k !== 0 && comparison.baseline === null)) {
    return { ...base, estimate: null, skipReason: noValueWhy(rule.metric, comparison), errored: evidence?.errored === true };
  }
  if (evidence.counts) {
    const { regressions, improvements } = evidence.counts;
    // Only regressions outnumbering improvements is evidence against a `regressions` bound: improvements never fail it.
    const over = (comparison.candidate ?? 0) > target.limit;
    const pViolation = rule.metric.endsWith("regressions") && over ? mcnemarGreater(regressions, improvements) : over ? null : 1;
    return { ...base, estimate: comparison.candidate, counts: evidence.counts, pViolation, pMet: over ? 1 : null };
  }
  const estimate = (comparison.candidate ?? 0) - target.k * (comparison.baseline ?? 0);
  // A relative bound on a baseline of 0 with a candidate of 0 passes: 0 is within any share of 0.
  if (target.what === "relative" && comparison.baseline === 0 && comparison.candidate === 0) return { ...base, estimate: 0, pViolation: 1, pMet: 0 };
  const stats = evidence.target(target.k);
  return {
    ...base,
    estimate,
    stats,
    pViolation: stats?.pBeyond(target.limit, target.violation) ?? null,
    pMet: stats?.pBeyond(target.limit, opposite(target.violation)) ?? null,
  };
}

/** The gate: every rule, Holm across the `significant` and `evidence` rules, and the verdict. */
export function evaluateGate(rules: GateRule[], evidence: Map<string, MetricEvidence>, policy: GatePolicy = DEFAULT_POLICY): GateResult {
  const tested = rules.map((rule) => test(rule, evidence.get(rule.metric)));
  const family = tested.map((t) => (t.estimate !== null && (t.rule.mode === "significant" || t.rule.mode === "evidence") ? t.pViolation : null));
  const adjusted = policy.multiplicity === "holm" ? holmAdjust(family) : family;
  const results = tested.map((t, i) => decide(t, adjusted[i] ?? null));
  const skipped = results.filter((r) => r.verdict === "skipped").length;
  const decided = results.filter((r) => r.verdict !== "skipped");
  const verdict = decided.some((r) => r.verdict === "fail")
    ? "fail"
    : decided.some((r) => r.verdict === "inconclusive") || decided.length === 0
      ? "inconclusive"
      : "pass";
  return { verdict, rules: results, skipped, policy };
}

/** True when the gate has rules and the selection left none of them anything to test (eval: exit 2). */
export function everyRuleSkipped(gate: GateResult): boolean {
  return gate.rules.length > 0 && gate.rules.every((rule) => rule.verdict === "skipped");
}

/** The exit code a gate verdict maps to (SPEC §7): 0 pass, 1 fail, 3 error, inconclusive by `on_inconclusive` (hold: 4). */
export function gateExitCode(gate: GateResult): 0 | 1 | 3 | 4 {
  if (gate.verdict === "pass") return 0;
  if (gate.verdict === "fail") return 1;
  if (gate.verdict === "error") return 3;
  const onInconclusive = gate.policy?.on_inconclusive ?? DEFAULT_POLICY.on_inconclusive;
  return onInconclusive === "pass" ? 0 : onInconclusive === "fail" ? 1 : 4;
}

function decide(t: Tested, pAdjusted: number | null): GateRuleResult {
  const { rule, comparison, target } = t;
  const result = {
    ...comparison,
    bound: rule.bound,
    bound_text: rule.bound_text,
    mode: rule.mode,
  };
  if (t.estimate === null && t.errored) {
    const reason = `${rule.metric}: no value: every draw it needs failed or could not be scored (see the errors above): inconclusive`;
    return { ...result, ci: null, p_value: null, verdict: "inconclusive", inconclusive: true, reason };
  }
  if (t.estimate === null) {
    return { ...result, ci: null, p_value: null, verdict: "skipped", inconclusive: false, reason: `${rule.metric}: skipped: ${t.skipReason}` };
  }
  const interval = t.stats?.interval(0.95) ?? null;
  const straddles =
    interval !== null &&
    (target.violation === "above"
      ? interval[1] > target.limit && interval[0] <= target.limit
      : interval[0] < target.limit && interval[1] >= target.limit);
  const undecided = interval === null && !t.counts;
  const violated = beyond(t.estimate, target);
  const pFamily = pAdjusted ?? t.pViolation;
  const significantViolation = pFamily !== null && pFamily < ALPHA;
  const met = t.pMet !== null && t.pMet < ALPHA;
  let verdict: GateRuleVerdict;
  switch (rule.mode) {
    case "point":
      verdict = violated ? "fail" : "pass";
      break;
    case "significant":
      verdict = !violated ? "pass" : significantViolation ? "fail" : pFamily === null ? "inconclusive" : "pass";
      break;
    case "non-inferior":
      verdict = t.counts ? (violated ? "fail" : "pass") : met ? "pass" : "fail";
      break;
    case "evidence":
      verdict = t.counts
        ? !violated
          ? "pass"
          : significantViolation
            ? "fail"
            : "inconclusive"
        : met
          ? "pass"
          : significantViolation
            ? "fail"
            : "inconclusive";
      break;
  }
  const inconclusive = verdict === "inconclusive" || straddles || (undecided && rule.mode !== "point");
  const casesNeeded =
    inconclusive && t.stats?.se
      ? casesForPower({ se: t.stats.se, n: comparison.n, effect: t.estimate, bound: target.limit, ...unchangedOf(target, comparison) })
      : undefined;
  const p = rule.mode === "non-inferior" ? t.pMet : t.pViolation;
  return {
    ...result,
    // the interval of the tested quantity: the candidate's own for absolute bounds, else the delta's
    ci: target.what === "candidate" ? interval : comparison.ci,
    ...(target.what === "candidate" ? { candidate_ci: interval } : {}),
    p_value: p,
    ...(rule.mode === "significant" || rule.mode === "evidence" ? { p_value_adjusted: pAdjusted } : {}),
    verdict,
    inconclusive,
    ...(casesNeeded !== undefined ? { cases_needed: casesNeeded } : {}),
    reason: describe(rule, comparison, target, t.estimate, interval, p, pAdjusted, verdict, inconclusive, undecided, casesNeeded),
  };
}

/** What the rule's tested quantity would be were the candidate exactly the baseline: (1 − k)·baseline. */
export function unchangedOf(target: RuleTarget, comparison: Comparison): { unchanged?: number } {
  if (target.k === 1) return { unchanged: 0 };
  return comparison.baseline === null ? {} : { unchanged: (1 - target.k) * comparison.baseline };
}

function emptyComparison(metric: string): Comparison {
  return { metric, baseline: null, candidate: null, delta: null, ci: null, p_value: null, method: "", n: 0 };
}

function noValueWhy(metric: string, comparison: Comparison): string {
  if (metric.startsWith("segment.") && comparison.n === 0) return "no selected case carries this tag";
  const kind = declarationOf(metric)?.kind;
  if (kind === "cost") return "no price known for a model: add `pricing:` to the variant";
  if (kind === "latency") return "no successful request to time among the selected cases";
  return "no selected case was scored for it";
}

function describe(
  rule: GateRule,
  comparison: Comparison,
  target: RuleTarget,
  estimate: number,
  interval: [number, number] | null,
  p: number | null,
  pAdjusted: number | null,
  verdict: string,
  inconclusive: boolean,
  undecided: boolean,
  casesNeeded: number | null | undefined,
): string {
  const metric = rule.metric;
  const shown =
    target.what === "candidate"
      ? `${metric} ${formatValue(metric, estimate)}`
      : `${metric} ${formatDelta(metric, comparison.delta, comparison.baseline)} (${formatValue(metric, comparison.baseline)} → ${formatValue(metric, comparison.candidate)})`;
  const end = (value: number) => (target.what === "candidate" ? formatValue(metric, value) : formatDelta(metric, value));
  const ci = target.what === "candidate" ? interval : comparison.ci;
  const shownInterval = ci ? `, CI [${end(ci[0])}, ${end(ci[1])}]` : "";
  const shownP =
    p !== null && rule.mode !== "point"
      ? `, p=${formatPValue(p)}${pAdjusted !== null && pAdjusted !== p ? ` (Holm ${formatPValue(pAdjusted)})` : ""}`
      : "";
  const bound = `${describeBound(rule.bound, rule.bound_text)}${rule.mode === "point" ? "" : ` (${rule.mode})`}`;
  const why = undecided && rule.mode !== "point" ? `; too few cases or no spread in the data for an interval at n=${comparison.n}` : "";
  const settle = inconclusive ? `; inconclusive at n=${comparison.n}${casesNeeded ? `, ~${casesNeeded} cases would settle it` : ""}` : "";
  return `${shown}${shownInterval}${shownP}, bound ${bound}: ${verdict}${why}${settle}`;
}
