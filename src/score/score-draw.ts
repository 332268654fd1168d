import type { Check, CheckResult, EvalCase, JudgeCaller, RequestOutcome, ScoreInput } from "../types.js";
import { isRequestFault } from "./outcome.js";

/** What each check sees of a draw; `output: null` when the request failed. */
export function scoreInput(testCase: EvalCase, outcome: RequestOutcome, judge: JudgeCaller | undefined): ScoreInput {
  const ok = outcome.status === "ok";
  return {
    case: testCase,
    output: ok ? outcome.response.text : null,
    tool_calls: ok ? outcome.response.tool_calls : [],
    usage: ok ? outcome.response.usage : null,
    latency_ms: outcome.latency_ms,
    ...(ok && outcome.response.refusal !== undefined ? { refusal: outcome.response.refusal } : {}),
    ...(judge ? { judge } : {}),
  };
}

/**
 * Runs every pointwise check on one draw. A check that does not apply is `skipped`; a request that failed
 * by its own fault fails every applicable check, one that failed transiently makes them `error` (not
 * scored is not wrong); a check that throws is an `error` of that check.
 */
export async function scoreDraw(checks: Check[], input: ScoreInput, outcome: RequestOutcome): Promise<Record<string, CheckResult>> {
  const results: Record<string, CheckResult> = {};
  await Promise.all(
    checks.map(async (check) => {
      if (check.scorePair) return;
      results[check.id] = await runCheck(check, input, outcome);
    }),
  );
  return orderLike(checks, results);
}

async function runCheck(check: Check, input: ScoreInput, outcome: RequestOutcome): Promise<CheckResult> {
  if (!check.appliesTo(input.case)) return { status: "skipped", score: null, reason: "does not apply to this case" };
  if (outcome.status === "error") {
    // SPEC §5: the request's own fault (context length, invalid request) fails the case; a transient one is not scored.
    return isRequestFault(outcome.error)
      ? { status: "fail", score: 0, reason: `request failed: ${outcome.error.message}` }
      : { status: "error", score: null, reason: `request failed: ${outcome.error.message}` };
  }
  try {
    return await check.score(input);
  } catch (error) {
    return { status: "error", score: null, reason: `check failed to run: ${(error as Error).message}` };
  }
}

/** Results keyed in rubric order, so reports list checks the way the rubric does. */
export function orderLike(checks: Check[], results: Record<string, CheckResult>): Record<string, CheckResult> {
  const ordered: Record<string, CheckResult> = {};
  for (const check of checks) {
    const result = results[check.id];
    if (result) ordered[check.id] = result;
  }
  return ordered;
}
