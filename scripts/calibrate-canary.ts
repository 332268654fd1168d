/**
 * `npm run calibrate`, canary part (SPEC §11, issue #21): the error rates of a plan's repeated looks, by
 * seeded simulation through the real window judge and decision state machine (src/canary/).
 * - A/A: an identical candidate over a day of 15-minute windows (96 looks) — how often is it rolled back?
 * - Detection delay: a 2% → 15% schema-failure step at 200 canary requests per window — windows until rollback.
 * Not part of `npm test` (minutes); test/canary/sequential.test.ts checks the same bounds on fewer canaries.
 */
import { decide, initialState } from "../src/canary/decide.js";
import { judgeWindow } from "../src/canary/judge-window.js";
import type { CanaryPlan } from "../src/canary/plan.js";
import { sequentialMethodName } from "../src/canary/sequential.js";
import { maxLooks } from "../src/canary/windows.js";
import { type ArmTruth, createRng, liveDefinitions, simulatedPlan, simulatedWindow } from "../test/canary/simulated-window.js";

const healthy: ArmTruth = { format: 0.98, quality: 0.9 };
const noPromotion = { consecutive: 10_000, rules: simulatedPlan().promote.rules };

/** The window at which the canary was rolled back, or null. */
function rolledBackAt(
  plan: CanaryPlan,
  seed: number,
  counts: { baseline: number; candidate: number },
  candidate: (i: number) => ArmTruth,
): number | null {
  const rng = createRng(seed);
  let state = initialState(plan);
  for (let i = 0; i < maxLooks(plan); i++) {
    const slot = { start_ms: i * plan.window_ms, end_ms: (i + 1) * plan.window_ms };
    const judgement = judgeWindow(plan, liveDefinitions, slot, simulatedWindow(rng, counts, { baseline: healthy, candidate: candidate(i) }));
    const step = decide(plan, state, { ...slot, verdict: judgement.verdict });
    state = step.state;
    if (step.step.decision === "rollback") return i;
  }
  return null;
}

const canaries = Number(process.env.CALIBRATE_CANARIES) || 100;
const plan = simulatedPlan({ promote: noPromotion });
console.log(`\nmodelgate calibrate (canary): ${canaries} seeded canaries per row; method: ${sequentialMethodName}`);
console.log("| scenario | canary / baseline requests per window | rolled back | within 1 window | within 2 windows |");
console.log("| --- | --- | --- | --- | --- |");
for (const counts of [
  { baseline: 800, candidate: 50 },
  { baseline: 3800, candidate: 200 },
]) {
  let falseRollbacks = 0;
  for (let seed = 1; seed <= canaries; seed++) if (rolledBackAt(plan, seed, counts, () => healthy) !== null) falseRollbacks++;
  console.log(
    `| A/A, a day of 15-minute windows (${maxLooks(plan)} looks) | ${counts.candidate} / ${counts.baseline} | ${((100 * falseRollbacks) / canaries).toFixed(1)}% (target ≤ 5%) | | |`,
  );
  const step = 10;
  const delays: number[] = [];
  for (let seed = 1; seed <= canaries; seed++) {
    const at = rolledBackAt(plan, seed, counts, (i) => (i >= step ? { format: 0.85, quality: 0.9 } : healthy));
    delays.push(at === null ? Number.POSITIVE_INFINITY : at - step + 1);
  }
  const share = (max: number) => `${((100 * delays.filter((d) => d >= 1 && d <= max).length) / canaries).toFixed(1)}%`;
  const early = delays.filter((d) => d < 1).length;
  console.log(
    `| format 98% → 85% at window ${step} | ${counts.candidate} / ${counts.baseline} | ${((100 * delays.filter(Number.isFinite).length) / canaries).toFixed(1)}% (${early} before the step) | ${share(1)} | ${share(2)} |`,
  );
}
