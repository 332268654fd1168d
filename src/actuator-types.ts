/**
 * The rollout actuators' shared shapes (SPEC §12): what a plan's `actuator:` names, what a stage asks
 * of it, and the payload that ties a flag variant to a model + prompt. The canary plan loader parses
 * `actuator:` into an `ActuatorSpec`; `modelgate rollout` and `canary run` hand it a `RolloutTarget`.
 */

/** A header value as in SPEC §2: literal, or read from the environment at call time. */
export type HeaderValue = string | { env: string };

/** File-backed kinds (flagd, portkey, litellm) carry an absolute `path`, resolved against the plan file. */
export type ActuatorSpec =
  | { kind: "unleash"; url: string; token_env: string; project: string; flag: string; environment: string }
  | { kind: "flagd"; path: string; flag: string }
  | { kind: "portkey"; path: string }
  | { kind: "litellm"; path: string; model_name: string }
  | { kind: "launchdarkly"; url: string; token_env: string; project: string; flag: string; environment: string }
  | { kind: "webhook"; url: string; headers?: Record<string, HeaderValue> }
  | { kind: "command"; command: string };

export type ActuatorKind = ActuatorSpec["kind"];

export const actuatorKinds: readonly ActuatorKind[] = ["unleash", "flagd", "portkey", "litellm", "launchdarkly", "webhook", "command"];

/** Kinds whose system can target tenants (SPEC §12); the others refuse a tenant stage at plan validation. */
export const tenantTargetingKinds: readonly ActuatorKind[] = ["unleash", "flagd", "portkey", "launchdarkly"];

/** Where the split should be: a percentage of all traffic, plus the tenants that are fully on the candidate. */
export interface RolloutTarget {
  /** integer 0–100 */
  percent: number;
  /** tenant tiers switched on by earlier (or this) stage; a percentage stage keeps them on */
  tenants: string[];
}

/** What a flag variant carries so model and prompt flip together: `{"model", "prompt_sha256"}`. */
export interface ArmPayload {
  model: string;
  prompt_sha256: string | null;
}
