import { dirname, resolve } from "node:path";
import { type ActuatorSpec, type ArmPayload, actuatorKinds, type RolloutTarget } from "../actuator-types.js";
import type { CanaryPlan } from "../canary/plan.js";
import { UserError } from "../errors.js";
import { findConfig, loadConfig } from "../load/config.js";
import { resolveVariant } from "../load/inputs.js";

/**
 * What acting on a rollout needs from a canary plan: its name and sha256, the actuator, both arms'
 * payloads and the state folder (`.modelgate/canary/<name>/`). `rolloutPlanOf` builds it from a loaded plan.
 */
export interface RolloutPlan {
  name: string;
  sha256: string;
  actuator: ActuatorSpec;
  baseline: ArmPayload;
  candidate: ArmPayload;
  stateDir: string;
}

/** The arms' payloads come from the plan's config variants: model, and the sha256 of the prompt's text. */
export function rolloutPlanOf(plan: CanaryPlan, options: { cwd: string; stateRoot?: string }): RolloutPlan {
  if (!plan.actuator)
    throw new UserError(
      `${plan.displayPath}: actuator: required for rollout (where the traffic split lives: ${actuatorKinds.join(" | ")}; SPEC §12)`,
    );
  const config = loadConfig(plan.config ?? findConfig(undefined, dirname(plan.path)) ?? findConfig(undefined, options.cwd));
  const payload = (reference: string, field: string): ArmPayload => {
    const variant = resolveVariant(reference, config, `${plan.displayPath}: ${field}:`);
    return { model: variant.model, prompt_sha256: variant.prompt?.sha256 ?? null };
  };
  return {
    name: plan.name,
    sha256: plan.sha256,
    actuator: plan.actuator,
    baseline: payload(plan.baseline, "baseline"),
    candidate: payload(plan.candidate, "candidate"),
    stateDir: resolve(options.cwd, options.stateRoot ?? ".modelgate/canary", plan.name),
  };
}

/** Where stage `index` puts the split: its percentage (a tenant stage keeps the one before, 0 at first) and every tenant tier so far. */
export function stageTarget(plan: Pick<CanaryPlan, "stages">, index: number): RolloutTarget {
  let percent = 0;
  const tenants: string[] = [];
  for (const stage of plan.stages.slice(0, index + 1)) {
    if (stage.kind === "percent") percent = stage.percent;
    else tenants.push(...stage.tenants.filter((t) => !tenants.includes(t)));
  }
  return { percent, tenants };
}
