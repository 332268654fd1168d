/**
 * Facts derived from a run report that more than one renderer shows: a check's result on one side of a
 * case across its repeats, which checks made a case regress, errors, the cost of the run.
 */
import type { CaseOutcome, CaseRecord, CheckStatus, RunRecord, RunSummary, Side } from "../types.js";

/** A check's result on one side of a case, folded over the repeats. */
export interface SideCheck {
  /** `missing`: no draw carries this check (e.g. the run was interrupted) */
  status: CheckStatus | "missing";
  /** reason of the draw that decided the status */
  reason: string;
  score: number | null;
  /** draws with this status / draws with a result */
  count: number;
  draws: number;
}

/**
 * Folds the draws of one side: any `fail` → fail (a fail is evidence), else any `error` → error, else any
 * `pass` → pass, else skipped. A missing result is not a pass.
 */
export function summarizeCheck(runs: RunRecord[], checkId: string): SideCheck {
  const results = runs.flatMap((run) => {
    const result = run.checks[checkId];
    return result === undefined ? [] : [result];
  });
  for (const status of ["fail", "error", "pass", "skipped"] as const) {
    const matching = results.filter((result) => result.status === status);
    const first = matching[0];
    if (first !== undefined) {
      // A record keeps no reason for a pass (the case log has it): only failures' and errors' are shown.
      return { status, reason: first.reason ?? "", score: first.score, count: matching.length, draws: results.length };
    }
  }
  return { status: "missing", reason: "not scored", score: null, count: 0, draws: 0 };
}

/** The check ids of a report: the rubric's order, then any id only the draws carry. */
export function listCheckIds(report: RunSummary): string[] {
  const ids = new Set(report.checks.map((check) => check.id));
  for (const testCase of report.cases) {
    for (const run of [...testCase.baseline, ...testCase.candidate]) {
      for (const id of Object.keys(run.checks)) ids.add(id);
    }
  }
  return [...ids];
}

export interface CheckChange {
  check: string;
  baseline: SideCheck;
  candidate: SideCheck;
}

function isBad(status: SideCheck["status"]): boolean {
  return status === "fail" || status === "error";
}

/** The checks that pass on the baseline and fail (or error) on the candidate; if none, every failing one. */
export function regressingChecks(testCase: CaseRecord, checkIds: string[]): CheckChange[] {
  const changes = checkIds.map((check) => ({
    check,
    baseline: summarizeCheck(testCase.baseline, check),
    candidate: summarizeCheck(testCase.candidate, check),
  }));
  const flipped = changes.filter((change) => change.baseline.status === "pass" && isBad(change.candidate.status));
  return flipped.length > 0 ? flipped : changes.filter((change) => isBad(change.candidate.status));
}

/** The checks that fail on the baseline and pass on the candidate. */
export function improvingChecks(testCase: CaseRecord, checkIds: string[]): CheckChange[] {
  return checkIds
    .map((check) => ({
      check,
      baseline: summarizeCheck(testCase.baseline, check),
      candidate: summarizeCheck(testCase.candidate, check),
    }))
    .filter((change) => isBad(change.baseline.status) && change.candidate.status === "pass");
}

/** One thing that could not be scored: a failed request, or a check that errored (e.g. the judge). */
export interface CaseProblem {
  side: Side;
  repeat: number;
  /** `request` or `check <id>` */
  where: string;
  kind: string;
  message: string;
}

/** Every request error and check error of a case, baseline first. */
export function caseProblems(testCase: CaseRecord): CaseProblem[] {
  const problems: CaseProblem[] = [];
  for (const side of ["baseline", "candidate"] as const) {
    for (const run of testCase[side]) {
      if (run.error !== null) {
        problems.push({ side, repeat: run.repeat, where: "request", kind: run.error.kind, message: run.error.message });
        continue; // its checks only repeat the request error
      }
      for (const [check, result] of Object.entries(run.checks)) {
        if (result.status === "error") {
          problems.push({ side, repeat: run.repeat, where: `check ${check}`, kind: "error", message: result.reason ?? "" });
        }
      }
    }
  }
  return problems;
}

/** Whether a case belongs in an "errors" list: outcome `error`, or anything that could not be scored. */
export function hasProblems(testCase: CaseRecord): boolean {
  return testCase.outcome === "error" || caseProblems(testCase).length > 0;
}

export interface RunCost {
  /** sum of known costs; null when no request had a known cost */
  total: number | null;
  baseline: number | null;
  candidate: number | null;
  /** requests whose price was unknown (not counted in the sums) */
  unknown: number;
  /** judge calls, when the report carries them */
  judge?: number | null;
}

function sideCost(report: RunSummary, side: Side): { sum: number | null; unknown: number } {
  let sum: number | null = null;
  let unknown = 0;
  for (const testCase of report.cases) {
    for (const run of testCase[side]) {
      if (run.cost_usd === null) unknown += 1;
      else sum = (sum ?? 0) + run.cost_usd;
    }
  }
  return { sum, unknown };
}

/** The cost of the run: the report's own tally (judge included) when it has one, else the draws' costs. */
export function runCost(report: RunSummary): RunCost {
  const tally = report.run.cost_usd;
  if (tally) return { total: tally.total, baseline: tally.baseline, candidate: tally.candidate, judge: tally.judge, unknown: 0 };
  const baseline = sideCost(report, "baseline");
  const candidate = sideCost(report, "candidate");
  const total = baseline.sum === null && candidate.sum === null ? null : (baseline.sum ?? 0) + (candidate.sum ?? 0);
  return { total, baseline: baseline.sum, candidate: candidate.sum, unknown: baseline.unknown + candidate.unknown };
}

/** How many cases have each outcome. */
export function countOutcomes(report: RunSummary): Record<CaseOutcome, number> {
  const counts: Record<CaseOutcome, number> = { regression: 0, improvement: 0, pass: 0, fail: 0, error: 0 };
  for (const testCase of report.cases) counts[testCase.outcome] += 1;
  return counts;
}

/** Gate totals for a verdict line. */
export function gateCounts(report: RunSummary): { total: number; failed: number; inconclusive: number; skipped: number } {
  const rules = report.gate.rules;
  return {
    total: rules.length,
    failed: rules.filter((rule) => rule.verdict === "fail").length,
    inconclusive: rules.filter((rule) => rule.verdict === "inconclusive" || (rule.verdict !== "skipped" && rule.inconclusive)).length,
    skipped: rules.filter((rule) => rule.verdict === "skipped").length,
  };
}

/** The gate's verdict, whatever a saved file says: an unknown value is treated as `error`, never as a pass. */
export function gateVerdict(report: RunSummary): "pass" | "fail" | "inconclusive" | "error" {
  const verdict = report.gate.verdict;
  return verdict === "pass" || verdict === "fail" || verdict === "inconclusive" ? verdict : "error";
}

/**
 * One sentence for the verdict: `candidate NOT safe to roll out — 2 of 7 gate rules failed`. A run that
 * could not complete says what broke and never "not safe" (SPEC §6).
 */
export function verdictSentence(report: RunSummary): string {
  const { total, failed, inconclusive, skipped } = gateCounts(report);
  const skippedNote = skipped > 0 ? ` (${skipped} skipped: the selected cases cannot evaluate ${skipped === 1 ? "it" : "them"})` : "";
  const rules = (n: number) => `${n} of ${total} gate ${total === 1 ? "rule" : "rules"}`;
  switch (gateVerdict(report)) {
    case "error":
      return `the run could not complete — ${report.gate.reason ?? "see the errors it printed"}; no verdict on the candidate`;
    case "fail":
      return `candidate NOT safe to roll out — ${failed > 0 ? `${rules(failed)} failed` : "the gate failed"}${skippedNote}`;
    case "inconclusive":
      return `not enough evidence to decide — ${rules(inconclusive)} inconclusive${skippedNote}`;
    case "pass": {
      if (total === 0) return "candidate safe to roll out — no gate rules were defined";
      const passed = total - skipped;
      return `candidate safe to roll out — ${passed === total ? (total === 1 ? "the gate rule" : `all ${total} gate rules`) : rules(passed)} passed${skippedNote}`;
    }
  }
}

/** `stable (openai · gpt-4o-2024-08-06)` */
export function describeVariant(variant: {
  name: string;
  provider: string;
  model: string;
  reasoning?: { effort: string };
  thinking?: { budget_tokens: number };
  stream?: boolean;
}): string {
  const base =
    variant.name === variant.model || variant.name === `${variant.provider}:${variant.model}`
      ? `${variant.provider}:${variant.model}`
      : `${variant.name} (${variant.provider} · ${variant.model})`;
  // What shapes a reasoning model's answer (and its cost) is part of which variant it is.
  const extras = [
    ...(variant.reasoning ? [`reasoning ${variant.reasoning.effort}`] : []),
    ...(variant.thinking ? [`thinking ${variant.thinking.budget_tokens} tokens`] : []),
    ...(variant.stream ? ["streamed"] : []),
  ];
  return extras.length > 0 ? `${base} [${extras.join(", ")}]` : base;
}
