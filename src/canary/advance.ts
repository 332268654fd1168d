/**
 * Analyses the closed windows a state has not seen yet, in order: judge, decide, log. A function of
 * (plan, the windows' scored cases, the rubric's metric definitions), so scoring traffic stays elsewhere.
 * `onWindow` runs after each window (write its report, then the state) so a kill loses at most one window.
 */
import type { MetricDefinition } from "../aggregate/metrics.js";
import type { CaseRecord } from "../types.js";
import { decide } from "./decide.js";
import { judgeWindow, type WindowJudgement } from "./judge-window.js";
import type { CanaryPlan } from "./plan.js";
import { type CanaryState, type WindowEntry, windowEntry } from "./state.js";
import type { WindowSlot } from "./windows.js";

export interface ScoredWindow extends WindowSlot {
  cases: CaseRecord[];
}

export function advanceCanary(
  plan: CanaryPlan,
  state: CanaryState,
  windows: Iterable<ScoredWindow>,
  definitions: MetricDefinition[],
  onWindow: (entry: WindowEntry, judgement: WindowJudgement, state: CanaryState) => void = () => {},
): CanaryState {
  let current = state;
  const seen = new Set(state.windows.map((w) => w.start_ms));
  for (const window of windows) {
    if (seen.has(window.start_ms)) continue;
    const judgement = judgeWindow(plan, definitions, window, window.cases);
    const { state: decision, step } = decide(plan, current.decision, { ...window, verdict: judgement.verdict });
    const entry = windowEntry(judgement, step);
    current = { ...current, decision, windows: [...current.windows, entry] };
    onWindow(entry, judgement, current);
  }
  return current;
}

/** SPEC §11's exit code for the last decision: 0 promote/complete, 1 rollback, 4 hold (or --hold-exit-code). */
export function decisionExitCode(entry: WindowEntry | undefined, holdExitCode = 4): number {
  if (!entry) return holdExitCode;
  if (entry.decision === "rollback") return 1;
  if (entry.decision === "promote" || entry.decision === "complete") return 0;
  return holdExitCode;
}
