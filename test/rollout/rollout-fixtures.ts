import { join } from "node:path";
import type { ActuatorSpec } from "../../src/actuator-types.js";
import type { RolloutPlan } from "../../src/rollout/plan.js";

export const baselinePayload = { model: "gpt-4o-2024-08-06", prompt_sha256: "a".repeat(64) };
export const candidatePayload = { model: "gpt-4o-2025-01-21", prompt_sha256: "b".repeat(64) };

/** A rollout plan with defaults: state in `<dir>/.modelgate/canary/<name>`. */
export function makeRolloutPlan(dir: string, actuator: ActuatorSpec, overrides: Partial<RolloutPlan> = {}): RolloutPlan {
  const name = overrides.name ?? "support-bot";
  return {
    name,
    sha256: "c".repeat(64),
    actuator,
    baseline: baselinePayload,
    candidate: candidatePayload,
    stateDir: join(dir, ".modelgate", "canary", name),
    ...overrides,
  };
}

/** Runs an async function and returns the error it throws (or fails the test). */
export async function rejection(run: () => Promise<unknown>): Promise<Error & { exitCode?: number }> {
  try {
    await run();
  } catch (error) {
    return error as Error & { exitCode?: number };
  }
  throw new Error("expected a rejection");
}
