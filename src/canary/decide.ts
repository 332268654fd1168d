/**
 * The canary's decision (SPEC §11), one window at a time: `consecutive` passing windows at a stage (and
 * the stage's `min_duration`) → promote to the next stage; `rollback.windows` failing windows in a row →
 * rollback, terminal; past the last stage → complete; anything else → hold. Past `max_duration` the
 * canary holds and says so: never a promotion on a timeout. Pure: the same windows give the same
 * decisions, so a killed `analyze` re-run decides exactly as before.
 */

import { formatDuration } from "./duration.js";
import type { WindowVerdict } from "./judge-window.js";
import type { CanaryPlan } from "./plan.js";

export type Decision = "promote" | "hold" | "rollback" | "complete";

/** Where the canary stands between windows: what state.json holds besides the window log. */
export interface DecisionState {
  /** index into plan.stages of the stage the canary is at */
  stage: number;
  /** when the canary's first window started (plan start, else its first window); null before any */
  started_ms: number | null;
  /** when the current stage's first window started */
  stage_started_ms: number | null;
  pass_streak: number;
  fail_streak: number;
  /** rolled_back and complete are terminal; expired: max_duration passed (hold until a person decides) */
  status: "running" | "rolled_back" | "complete" | "expired";
}

export interface DecisionStep {
  decision: Decision;
  /** the stage the window was judged at (its name), and the one after the decision */
  stage: string;
  next_stage: string;
  reason: string;
  counters: { pass_streak: number; fail_streak: number; needed_to_promote: number; needed_to_rollback: number };
}

export type DecidePlan = Pick<CanaryPlan, "stages" | "promote" | "rollback" | "max_duration_ms" | "start_ms">;

export function initialState(plan: Pick<CanaryPlan, "start_ms">): DecisionState {
  const started = plan.start_ms ?? null;
  return { stage: 0, started_ms: started, stage_started_ms: started, pass_streak: 0, fail_streak: 0, status: "running" };
}

/** Applies one window's verdict; returns the new state and the window's decision. */
export function decide(
  plan: DecidePlan,
  state: DecisionState,
  window: { start_ms: number; end_ms: number; verdict: WindowVerdict },
): { state: DecisionState; step: DecisionStep } {
  const next = { ...state };
  next.started_ms ??= window.start_ms;
  next.stage_started_ms ??= window.start_ms;
  const stageName = (i: number) => plan.stages[i]?.name ?? "complete";
  const at = stageName(state.stage);
  const counters = () => ({
    pass_streak: next.pass_streak,
    fail_streak: next.fail_streak,
    needed_to_promote: plan.promote.consecutive,
    needed_to_rollback: plan.rollback.windows,
  });
  const result = (decision: Decision, reason: string) => ({
    state: next,
    step: { decision, stage: at, next_stage: stageName(next.stage), reason, counters: counters() },
  });
  if (state.status === "rolled_back") return result("rollback", "rolled back earlier: terminal until a person starts a new plan");
  if (state.status === "complete") return result("complete", "every stage passed: the canary is complete");
  if (state.status === "expired" || window.start_ms >= (next.started_ms ?? 0) + plan.max_duration_ms) {
    next.status = "expired";
    return result("hold", `max_duration ${formatDuration(plan.max_duration_ms)} reached: hold; a person decides (never a promotion on a timeout)`);
  }
  if (window.verdict === "fail") {
    next.fail_streak = state.fail_streak + 1;
    next.pass_streak = 0;
    if (next.fail_streak >= plan.rollback.windows) {
      next.status = "rolled_back";
      return result(
        "rollback",
        `${next.fail_streak} failing window${next.fail_streak === 1 ? "" : "s"} in a row (rollback.windows ${plan.rollback.windows})`,
      );
    }
    return result("hold", `failing window ${next.fail_streak} of ${plan.rollback.windows} in a row before a rollback`);
  }
  next.fail_streak = 0;
  if (window.verdict === "inconclusive") {
    next.pass_streak = 0;
    return result("hold", "inconclusive window: the run of passing windows starts again");
  }
  next.pass_streak = state.pass_streak + 1;
  const stage = plan.stages[state.stage];
  const atStage = window.end_ms - (next.stage_started_ms ?? window.start_ms);
  const minimum = stage?.min_duration_ms ?? 0;
  if (next.pass_streak < plan.promote.consecutive) {
    return result("hold", `passing window ${next.pass_streak} of ${plan.promote.consecutive} in a row at stage ${at}`);
  }
  if (atStage < minimum) {
    return result(
      "hold",
      `${next.pass_streak} passing windows at stage ${at}, but its min_duration ${formatDuration(minimum)} has not passed (${formatDuration(atStage)} so far)`,
    );
  }
  next.stage = state.stage + 1;
  next.pass_streak = 0;
  next.stage_started_ms = window.end_ms;
  if (next.stage >= plan.stages.length) {
    next.status = "complete";
    return result("complete", `${plan.promote.consecutive} passing windows at the last stage ${at}: complete`);
  }
  return result("promote", `${plan.promote.consecutive} passing windows in a row at stage ${at}: promote to ${stageName(next.stage)}`);
}
