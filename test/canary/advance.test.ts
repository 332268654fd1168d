import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { advanceCanary, decisionExitCode } from "../../src/canary/advance.js";
import { readState, writeState } from "../../src/canary/state.js";
import { UserError } from "../../src/errors.js";
import { createRng, liveDefinitions, simulatedPlan, simulatedWindow } from "./simulated-window.js";

const plan = simulatedPlan();
const healthy = { format: 0.98, quality: 0.97 };

function windows(count: number) {
  const rng = createRng(11);
  return Array.from({ length: count }, (_, i) => ({
    start_ms: i * plan.window_ms,
    end_ms: (i + 1) * plan.window_ms,
    cases: simulatedWindow(
      rng,
      { baseline: 400, candidate: 200 },
      { baseline: { format: 0.98, quality: 0.9 }, candidate: i === 9 ? { format: 0.8, quality: 0.9 } : healthy },
    ),
  }));
}

test("an analyze killed after some windows, re-run, decides exactly as one uninterrupted run", () => {
  const all = windows(12);
  const folder = mkdtempSync(join(tmpdir(), "mg-canary-"));
  const once = advanceCanary(plan, readState(plan, join(folder, "never")), all, liveDefinitions);
  // "killed" after the 5th window: its state was written after each window
  let written = 0;
  try {
    advanceCanary(plan, readState(plan, folder), all, liveDefinitions, (_entry, _judgement, state) => {
      writeState(folder, state);
      if (++written === 5) throw new Error("SIGKILL");
    });
  } catch {}
  const resumed = advanceCanary(plan, readState(plan, folder), all, liveDefinitions);
  expect(resumed.windows.map((w) => [w.start, w.verdict, w.decision])).toEqual(once.windows.map((w) => [w.start, w.verdict, w.decision]));
  expect(resumed.decision).toEqual(once.decision);
  expect(once.windows.map((w) => w.decision).slice(0, 10)).toEqual([
    "hold",
    "hold",
    "hold",
    "promote",
    "hold",
    "hold",
    "hold",
    "promote",
    "hold",
    "rollback",
  ]);
  expect(decisionExitCode(once.windows.at(-1))).toBe(1);
  expect(decisionExitCode(once.windows[3])).toBe(0);
  expect(decisionExitCode(once.windows[0])).toBe(4);
  expect(decisionExitCode(once.windows[0], 0)).toBe(0);
});

test("a state written under another plan is refused (the plan is fixed before the canary starts)", () => {
  const folder = mkdtempSync(join(tmpdir(), "mg-canary-"));
  writeState(folder, advanceCanary(plan, readState(plan, folder), windows(1), liveDefinitions));
  expect(() => readState({ ...plan, sha256: "1".repeat(64) }, folder)).toThrow(UserError);
});
