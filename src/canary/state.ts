/**
 * `.modelgate/canary/<name>/state.json`: where the canary stands and the log of every window analysed.
 * Written atomically (temp + rename) after each window, so a killed `analyze` leaves the last complete
 * state and its re-run analyses the remaining windows with the same (seeded, per-window) numbers.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { writeReportFile } from "../report/writer.js";
import type { DecisionState, DecisionStep } from "./decide.js";
import { initialState } from "./decide.js";
import type { WindowJudgement } from "./judge-window.js";
import type { CanaryPlan } from "./plan.js";

/** What a window leaves in the log: enough for `serve` and the timeline, without any case. */
export interface WindowEntry {
  start: string;
  end: string;
  start_ms: number;
  n: WindowJudgement["n"];
  pairing: WindowJudgement["pairing"];
  verdict: WindowJudgement["verdict"];
  deciding_rule: string | null;
  reason: string;
  decision: DecisionStep["decision"];
  decision_reason: string;
  stage: string;
  next_stage: string;
  counters: DecisionStep["counters"];
  alpha: WindowJudgement["alpha"];
  rules: Array<{
    family: "rollback" | "promote";
    metric: string;
    bound: string;
    mode: string;
    baseline: number | null;
    candidate: number | null;
    ci: [number, number] | null;
    p_value: number | null;
    verdict: string;
  }>;
}

export interface CanaryState {
  version: 1;
  name: string;
  plan_sha256: string;
  decision: DecisionState;
  windows: WindowEntry[];
}

/** The plan's state folder, under `root` (default: the working directory's .modelgate/canary/). */
export function stateFolder(plan: Pick<CanaryPlan, "name">, root = ".modelgate/canary"): string {
  return resolve(root, plan.name);
}

export function readState(plan: Pick<CanaryPlan, "name" | "sha256" | "start_ms">, folder: string): CanaryState {
  const path = join(folder, "state.json");
  if (!existsSync(path)) return { version: 1, name: plan.name, plan_sha256: plan.sha256, decision: initialState(plan), windows: [] };
  let state: CanaryState;
  try {
    state = JSON.parse(readFileSync(path, "utf8")) as CanaryState;
  } catch (error) {
    throw new UserError(`${path}: cannot read the canary state: ${(error as Error).message}`, 3);
  }
  if (state.plan_sha256 !== plan.sha256) {
    throw new UserError(
      `${path}: this canary was started with another plan (sha256 ${state.plan_sha256.slice(0, 12)}…, the plan is now ${plan.sha256.slice(0, 12)}…): ` +
        "a plan is written before the canary starts; to change it, start a new canary under a new name",
    );
  }
  return state;
}

export function writeState(folder: string, state: CanaryState): string {
  return writeReportFile(folder, "state.json", `${JSON.stringify(state, null, 2)}\n`);
}

/** The log entry of one judged and decided window. */
export function windowEntry(judgement: WindowJudgement, step: DecisionStep): WindowEntry {
  const rules = (family: "rollback" | "promote") =>
    (judgement[family]?.rules ?? []).map((r) => ({
      family,
      metric: r.metric,
      bound: r.bound_text,
      mode: r.mode,
      baseline: r.baseline,
      candidate: r.candidate,
      ci: r.ci,
      p_value: r.p_value,
      verdict: r.verdict,
    }));
  return {
    start: new Date(judgement.start_ms).toISOString(),
    end: new Date(judgement.end_ms).toISOString(),
    start_ms: judgement.start_ms,
    n: judgement.n,
    pairing: judgement.pairing,
    verdict: judgement.verdict,
    deciding_rule: judgement.deciding_rule,
    reason: judgement.reason,
    decision: step.decision,
    decision_reason: step.reason,
    stage: step.stage,
    next_stage: step.next_stage,
    counters: step.counters,
    alpha: judgement.alpha,
    rules: [...rules("rollback"), ...rules("promote")],
  };
}
