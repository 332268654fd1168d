import type { ActuatorSpec, ArmPayload } from "./types.js";

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
