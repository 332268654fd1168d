import { describe, expect, test } from "vitest";
import { type DecisionState, decide, initialState } from "../../src/canary/decide.js";
import type { WindowVerdict } from "../../src/canary/judge-window.js";
import { simulatedPlan } from "./simulated-window.js";

const w = 15 * 60_000;

/** Decisions for a string of verdicts: p pass, f fail, i inconclusive. */
function run(verdicts: string, plan = simulatedPlan()): { decisions: string[]; state: DecisionState } {
  let state = initialState(plan);
  const decisions: string[] = [];
  const letters: Record<string, WindowVerdict> = { p: "pass", f: "fail", i: "inconclusive" };
  [...verdicts].forEach((letter, i) => {
    const out = decide(plan, state, { start_ms: i * w, end_ms: (i + 1) * w, verdict: letters[letter] ?? "inconclusive" });
    state = out.state;
    decisions.push(out.step.decision);
  });
  return { decisions, state };
}

describe("the decision state machine (SPEC §11)", () => {
  test.each([
    ["promotes on the 4th passing window, not the 3rd", "pppp", "hold hold hold promote"],
    ["an inconclusive window restarts the run", "pppipppp", "hold hold hold hold hold hold hold promote"],
    ["one failing window rolls back with rollback.windows 1, terminal", "ppfpppp", "hold hold rollback rollback rollback rollback rollback"],
    [
      "three stages × 4 windows then complete",
      "pppppppppppppp",
      "hold hold hold promote hold hold hold promote hold hold hold complete complete complete",
    ],
  ])("%s", (_, verdicts, expected) => {
    expect(run(verdicts).decisions.join(" ")).toBe(expected);
  });

  test("rollback.windows 2: two failing windows in a row, not two apart", () => {
    const plan = simulatedPlan({ rollback: { ...simulatedPlan().rollback, windows: 2 } });
    expect(run("fpfiff", plan).decisions.join(" ")).toBe("hold hold hold hold hold rollback");
  });

  test("a stage's min_duration holds a promotion until it has passed", () => {
    const base = simulatedPlan();
    const plan = simulatedPlan({ stages: [{ kind: "percent", name: "5%", percent: 5, min_duration_ms: 2 * 3_600_000 }, ...base.stages.slice(1)] });
    const { decisions } = run("p".repeat(9), plan);
    // 8 windows = 2 h: the 8th window's end is the first moment the stage has lasted 2 h
    expect(decisions.join(" ")).toBe("hold hold hold hold hold hold hold promote hold");
  });

  test("max_duration: hold and say so, never promote on a timeout", () => {
    const plan = simulatedPlan({ max_duration_ms: 3 * w });
    const { decisions, state } = run("ppppp", plan);
    expect(decisions.join(" ")).toBe("hold hold hold hold hold");
    expect(state.status).toBe("expired");
  });
});
