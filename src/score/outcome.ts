import type { CaseOutcome, CheckResult, RequestError, RunRecord } from "../types.js";

/**
 * A request that failed for a reason of the request itself (HTTP 400/404/413/422: context length,
 * invalid request, content refused) is a failed case on that side (SPEC §5); anything else that failed
 * after its retries (429, 5xx, timeout, network, a malformed body) is transient: not scored.
 */
export function isRequestFault(error: Pick<RequestError, "kind">): boolean {
  return error.kind === "bad_request" || error.kind === "not_found";
}

/** A failure that says nothing about the model (SPEC §5): counted against `error_budget.requests`. */
export function isTransientFailure(error: Pick<RequestError, "kind">): boolean {
  return !isRequestFault(error) && error.kind !== "aborted" && error.kind !== "cassette_miss";
}

/**
 * Whether a draw passed: every applicable check passed. `null` = not scored (the request failed
 * transiently, a check could not be scored and none failed, or no check applied).
 */
export function drawPassed(run: Pick<RunRecord, "error" | "checks">, filter?: (checkId: string) => boolean): boolean | null {
  if (run.error && !isRequestFault(run.error)) return null;
  let passes = 0;
  let unscored = false;
  // for…in, not Object.entries: this runs several times per draw in the statistics, and needs no array.
  for (const id in run.checks) {
    if (filter && !filter(id)) continue;
    const result = run.checks[id] as CheckResult;
    if (result.status === "fail") return false;
    if (result.status === "error") unscored = true;
    if (result.status === "pass") passes++;
  }
  return unscored || passes === 0 ? null : true;
}

/** Per-case pass rate over the scored draws of one side, or null when no draw was scored. */
export function casePassRate(runs: RunRecord[]): number | null {
  const { passed, failed } = tallyDraws(runs);
  return passed + failed === 0 ? null : passed / (passed + failed);
}

/** Passes in some draws, fails in others. */
export function isFlaky(runs: RunRecord[]): boolean {
  const { passed, failed } = tallyDraws(runs);
  return passed > 0 && failed > 0;
}

/** Scored draws that passed and that failed (this runs for every case, in the run and in the statistics). */
function tallyDraws(runs: RunRecord[]): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const run of runs) {
    const pass = drawPassed(run);
    if (pass === true) passed++;
    else if (pass === false) failed++;
  }
  return { passed, failed };
}

/**
 * A case's outcome from per-case pass rates (a side "passes" a case when it passes the majority of its
 * draws), so with --repeat a single unlucky draw is not a regression.
 */
export function caseOutcome(baseline: RunRecord[], candidate: RunRecord[]): CaseOutcome {
  const base = casePassRate(baseline);
  const cand = casePassRate(candidate);
  if (base === null || cand === null) {
    const hadError = [...baseline, ...candidate].some((run) => run.error || Object.values(run.checks).some((r) => r.status === "error"));
    return hadError ? "error" : "pass";
  }
  const basePass = base > 0.5;
  const candPass = cand > 0.5;
  if (basePass && !candPass) return "regression";
  if (!basePass && candPass) return "improvement";
  return basePass ? "pass" : "fail";
}
