import type { ErrorBudget } from "../load/rubric.js";
import { isTransientFailure } from "../score/outcome.js";
import type { CaseRecord, Check, Side } from "../types.js";

/**
 * Why a finished run cannot support a verdict (SPEC §6, §7: exit 3, gate verdict `error`), or undefined
 * when it can. A side whose every request failed transiently is unusable; transient failures past
 * `error_budget.requests`, or judge failures past `error_budget.judge`, mean the numbers would rest on
 * whichever cases happened to get through. Each message says what broke and what to do. A recorded side
 * (`eval --traffic`) made no requests: its errors are production's, data for `error_rate`, not a broken run.
 */
export function whyRunBroke(cases: CaseRecord[], checks: Check[], budget: ErrorBudget, recorded: readonly Side[] = []): string | undefined {
  for (const side of ["baseline", "candidate"] as const) {
    if (recorded.includes(side)) continue;
    const problem = unusableSide(cases, side) ?? overRequestBudget(cases, side, budget.requests);
    if (problem) return problem;
  }
  return overJudgeBudget(cases, checks, budget.judge);
}

function unusableSide(cases: CaseRecord[], side: Side): string | undefined {
  const runs = cases.flatMap((testCase) => testCase[side]);
  if (runs.length === 0 || runs.some((run) => !run.error || !isTransientFailure(run.error))) return undefined;
  const kinds = [...new Set(runs.map((run) => run.error?.kind))].join(", ");
  return `the ${side} provider is unusable: every request failed after retries (${kinds}); first error: ${runs[0]?.error?.message}; check the endpoint, then re-run (finished responses are cached)`;
}

function overRequestBudget(cases: CaseRecord[], side: Side, share: number): string | undefined {
  let requests = 0;
  let failed = 0;
  let example: string | undefined;
  for (const testCase of cases) {
    for (const run of testCase[side]) {
      if (run.error?.kind === "aborted") continue;
      requests++;
      if (run.error && isTransientFailure(run.error)) {
        failed++;
        example ??= `${testCase.id}: ${run.error.message}`;
      }
    }
  }
  if (requests === 0 || failed / requests <= share) return undefined;
  return (
    `${failed} of ${requests} ${side} requests failed after every retry (${percent(failed / requests)}, over error_budget.requests ${percent(share)}); ` +
    `e.g. ${example}. The provider was overloaded or unreachable: re-run later or with a lower --concurrency (finished responses are cached)`
  );
}

function overJudgeBudget(cases: CaseRecord[], checks: Check[], share: number): string | undefined {
  const judged = checks.filter((check) => check.usesJudge).map((check) => check.id);
  if (judged.length === 0) return undefined;
  let draws = 0;
  let failed = 0;
  let example: string | undefined;
  for (const testCase of cases) {
    for (const run of [...testCase.baseline, ...testCase.candidate]) {
      if (run.error) continue;
      const results = judged.map((id) => run.checks[id]).filter((result) => result && result.status !== "skipped");
      if (results.length === 0) continue;
      draws++;
      const error = results.find((result) => result?.status === "error");
      if (error) {
        failed++;
        example ??= `${testCase.id}: ${error.reason}`;
      }
    }
  }
  if (draws === 0 || failed / draws <= share) return undefined;
  return (
    `the judge failed on ${failed} of ${draws} judged draws (${percent(failed / draws)}, over error_budget.judge ${percent(share)}); e.g. ${example}. ` +
    "No verdict on the candidate: fix the judge (its key, endpoint or model — one that answers in JSON) and re-run"
  );
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}
