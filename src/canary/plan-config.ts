import { dirname } from "node:path";
import { type Config, findConfig, loadConfig } from "../load/config.js";
import type { CanaryPlan } from "./plan.js";

/** The config a plan's variant names refer to: its `config:`, else the one beside the plan, else the working directory's. */
export function loadPlanConfig(plan: Pick<CanaryPlan, "config" | "path">, cwd: string): Config {
  return loadConfig(plan.config ?? findConfig(undefined, dirname(plan.path)) ?? findConfig(undefined, cwd));
}
