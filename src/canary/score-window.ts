/**
 * Scores one window's traffic with the plan's rubric: each line's recorded arm is that side's one draw
 * (its recorded latency, usage and error), a side the line has no arm for has no draw, and only the
 * judge is ever called — through a runner of its own per window, so the window's report counts its
 * own requests and cost. A window whose judging broke (auth, endpoint down, past the judge's error
 * budget) is exit 3, never a verdict on the candidate.
 */
import type { CliIO } from "../cli-io.js";
import { ExitCode, UserError } from "../errors.js";
import type { Inputs } from "../load/inputs.js";
import type { Rubric } from "../load/rubric.js";
import { defaultRetryBaseMs } from "../run/backoff.js";
import { evaluateCases } from "../run/evaluate-cases.js";
import { judgeCaller, liveVariant, runFetch } from "../run/live-variants.js";
import { whyRunBroke } from "../run/run-health.js";
import { Runner } from "../run/runner.js";
import { runDefaults } from "../settings.js";
import type { CaseReport, EvalCase, VariantSpec } from "../types.js";

export interface ScoredTraffic {
  cases: CaseReport[];
  runner: Runner;
}

export type WindowScorer = (cases: EvalCase[]) => Promise<ScoredTraffic>;

export function windowScorer(rubric: Rubric, judges: Pick<Inputs, "judge" | "checkJudges">, io: CliIO): WindowScorer {
  const timeout = runDefaults.timeout;
  const fetchFor = runFetch(io, runDefaults.concurrency);
  const live = (spec: VariantSpec, role: string) => liveVariant(spec, role, io, timeout, false, fetchFor);
  // One live variant per judge for every window (one SDK client each), built now: a judge without its
  // key is an input error before any window is judged.
  const judgeVariants = new Map<string, ReturnType<typeof live>>();
  const cachedLive = (spec: VariantSpec, role: string) => {
    const key = `${role}\u0000${spec.name}`;
    let variant = judgeVariants.get(key);
    if (!variant) judgeVariants.set(key, (variant = live(spec, role)));
    return variant;
  };
  if (rubric.checks.some((check) => check.usesJudge)) {
    for (const [name, spec] of Object.entries(judges.checkJudges)) cachedLive(spec, `judge ${name}`);
    if (judges.judge) cachedLive(judges.judge, "judge");
  }
  return async (cases) => {
    const runner = new Runner({
      concurrency: runDefaults.concurrency,
      timeoutMs: timeout,
      maxRetries: runDefaults.maxRetries,
      signal: io.signal,
      retryBaseMs: Number(io.env.MODELGATE_RETRY_BASE_MS) || defaultRetryBaseMs,
    });
    const judge = judgeCaller({ rubric, ...judges }, runner, cachedLive);
    const records = (await evaluateCases({
      cases: [...cases],
      checks: rubric.checks,
      baseline: { recorded: true, whenAbsent: "no-draw" },
      candidate: { recorded: true, whenAbsent: "no-draw" },
      repeat: 1,
      runner,
      ...(judge ? { judge } : {}),
    })) as CaseReport[];
    if (runner.fatalError) throw runner.fatalError;
    if (io.signal.aborted) throw new UserError("interrupted while judging a window; nothing was recorded for it", ExitCode.interrupted);
    const broken = whyRunBroke(records, rubric.checks, rubric.errorBudget, ["baseline", "candidate"]);
    if (broken) throw new UserError(`the window could not be judged, so there is no verdict on it: ${broken}`, ExitCode.runFailed);
    return { cases: records, runner };
  };
}
