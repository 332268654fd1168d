import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../../src/hash.js";
import { tempFolderForTest } from "../support/temp-folder.js";

export const candidatePrompt = "You are the support bot. Answer briefly.\n";
export const baselinePrompt = "You are the support bot.\n";

/** A project with a config (two variants with prompts), a rubric and a canary plan whose `actuator:` is given (YAML flow text). */
export function rolloutProject(actuatorYaml: string): { dir: string; candidateSha: string; baselineSha: string } {
  const dir = tempFolderForTest("modelgate-rollout-cli-");
  mkdirSync(join(dir, "prompts"));
  writeFileSync(join(dir, "prompts", "v3.md"), baselinePrompt);
  writeFileSync(join(dir, "prompts", "v4.md"), candidatePrompt);
  writeFileSync(
    join(dir, "modelgate.config.yaml"),
    `variants:
  stable: { provider: openai, model: gpt-4o-2024-08-06, prompt: prompts/v3.md }
  canary: { provider: openai, model: gpt-4o-2025-01-21, prompt: prompts/v4.md }
`,
  );
  writeFileSync(join(dir, "live.yaml"), "name: live\nchecks:\n  - { id: no-refusal, type: not-refusal, category: quality }\n");
  writeFileSync(
    join(dir, "canary.yaml"),
    `name: support-bot
rubric: live.yaml
baseline: stable
candidate: canary
traffic: traffic/*.jsonl
window: 15m
stages:
  - { name: internal, tenants: [internal] }
  - { percent: 5 }
  - { percent: 100 }
promote: { consecutive: 1, rules: [{ metric: quality.pass_rate, min: 0.9 }] }
rollback: { windows: 1, rules: [{ metric: quality.pass_rate, min: 0.8 }] }
actuator: ${actuatorYaml}
`,
  );
  return { dir, candidateSha: sha256(candidatePrompt), baselineSha: sha256(baselinePrompt) };
}
